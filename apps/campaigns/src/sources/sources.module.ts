import { Module } from '@nestjs/common';
import { CampaignTargetsModule } from '../campaigns/campaign-targets.module';
import { ScoreboardsModule } from '../scoreboards/scoreboards.module';
import { CampaignsTreeObserver, StatusEventsHandler } from './status-events.handler';

/** What the service learns from the others: statuses from assessments, the tree from the registry. */
@Module({
  imports: [ScoreboardsModule, CampaignTargetsModule],
  controllers: [StatusEventsHandler],
  providers: [CampaignsTreeObserver],
  exports: [CampaignsTreeObserver],
})
export class SourcesModule {}
