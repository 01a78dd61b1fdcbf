import { Module } from '@nestjs/common';
import { UnitEventsHandler } from './unit-events.handler';
import { UnitReplicaController } from './unit-replica.controller';
import { UnitReplicaRepository } from './unit-replica.repository';

/** A service's replica of the unit tree: entity, migration, event handler and read API. */
@Module({
  controllers: [UnitEventsHandler, UnitReplicaController],
  providers: [UnitReplicaRepository],
  exports: [UnitReplicaRepository],
})
export class UnitReplicaModule {}
