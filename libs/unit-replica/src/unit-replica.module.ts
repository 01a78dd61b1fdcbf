import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { InForceScheduler } from './in-force.scheduler';
import { UnitEventsHandler } from './unit-events.handler';
import { UnitReplicaController } from './unit-replica.controller';
import { UnitReplicaRepository } from './unit-replica.repository';
import { UNIT_TREE_OBSERVER, type UnitTreeObserver } from './unit-tree-observer';

export interface UnitReplicaOptions {
  /** Modules that provide the observer. */
  imports?: ModuleMetadata['imports'];
  /** Called in the same transaction after each replica change. */
  observer?: Type<UnitTreeObserver>;
}

/** A service's replica of the unit tree: entity, migration, event handler and read API. */
@Module({})
export class UnitReplicaModule {
  static forRoot(options: UnitReplicaOptions = {}): DynamicModule {
    return {
      module: UnitReplicaModule,
      imports: options.imports ?? [],
      controllers: [UnitEventsHandler, UnitReplicaController],
      providers: [
        UnitReplicaRepository,
        InForceScheduler,
        options.observer ? { provide: UNIT_TREE_OBSERVER, useExisting: options.observer } : { provide: UNIT_TREE_OBSERVER, useValue: null },
      ],
      exports: [UnitReplicaRepository, InForceScheduler],
    };
  }
}
