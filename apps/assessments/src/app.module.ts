import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PlatformModule, type Environment, type PlatformOptions } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { AssessmentWorkflowModule } from './assessments/assessments.module';
import { ASSESSMENTS } from './service.definition';
import { TreeChangesObserver } from './statuses/tree-changes.observer';

@Module({})
export class AssessmentsModule {
  static forRoot(env: Environment, options: PlatformOptions = {}): DynamicModule {
    return {
      module: AssessmentsModule,
      imports: [
        PlatformModule.forRoot(ASSESSMENTS, env, options),
        ScheduleModule.forRoot(),
        AssessmentWorkflowModule,
        UnitReplicaModule.forRoot({ imports: [AssessmentWorkflowModule], observer: TreeChangesObserver }),
      ],
    };
  }
}
