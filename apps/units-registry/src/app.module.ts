import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type Environment, type PlatformOptions } from '@antq/platform';
import { UNITS_REGISTRY } from './service.definition';
import { ImportModule } from './import/import.module';
import { TreeModule } from './tree/tree.module';

@Module({})
export class UnitsRegistryModule {
  static forRoot(env: Environment, options: PlatformOptions = {}): DynamicModule {
    return { module: UnitsRegistryModule, imports: [PlatformModule.forRoot(UNITS_REGISTRY, env, options), TreeModule, ImportModule] };
  }
}
