import { Module } from '@nestjs/common';
import { AuthorityService } from '../authority/authority.service';
import { KeyAreasController } from '../key-areas/key-areas.controller';
import { KeyAreasService } from '../key-areas/key-areas.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { DerivationWorker } from '../statuses/derivation.worker';
import { StatusQueries } from '../statuses/status-queries';
import { TreeChangesObserver } from '../statuses/tree-changes.observer';
import { UnitStatusService } from '../statuses/unit-status.service';
import { AssessmentQueries } from './assessment-queries';
import { AssessmentsController, ProgrammesController, StatusesController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';
import { LapseScheduler } from './lapse.scheduler';

@Module({
  controllers: [AssessmentsController, StatusesController, ProgrammesController, KeyAreasController],
  providers: [AssessmentsService, AssessmentQueries, ProgrammesService, UnitStatusService, StatusQueries, AuthorityService, TreeChangesObserver, LapseScheduler, KeyAreasService, DerivationWorker],
  exports: [TreeChangesObserver, AssessmentsService, DerivationWorker],
})
export class AssessmentWorkflowModule {}
