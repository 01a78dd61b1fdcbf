/** What end-to-end tests and benchmarks need to run this service in process. */
export { AssessmentsModule } from './app.module';
export { ASSESSMENTS } from './service.definition';
export { AssessmentsService } from './assessments/assessments.service';
export { DerivationWorker } from './statuses/derivation.worker';
export { ProgrammesService } from './programmes/programmes.service';
