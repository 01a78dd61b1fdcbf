import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type Environment } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { ASSESSMENTS } from './service.definition';

@Module({})
export class AssessmentsModule {
  static forRoot(env: Environment): DynamicModule {
    return { module: AssessmentsModule, imports: [PlatformModule.forRoot(ASSESSMENTS, env), UnitReplicaModule] };
  }
}
