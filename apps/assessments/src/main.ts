import 'reflect-metadata';
import { runService } from '@antq/platform';
import { AssessmentsModule } from './app.module';
import { ASSESSMENTS } from './service.definition';

runService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), {
  title: 'ANTQ assessments',
  description: 'Programmes, the assessment workflow and the status of every unit under each programme.',
});
