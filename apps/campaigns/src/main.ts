import 'reflect-metadata';
import { runService } from '@antq/platform';
import { CampaignsModule } from './app.module';
import { CAMPAIGNS } from './service.definition';

runService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), {
  title: 'ANTQ campaigns',
  description: 'Campaigns and targets, scoreboards up the unit tree, progress and risk.',
});
