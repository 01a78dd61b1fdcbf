import { Module } from '@nestjs/common';
import { CampaignTargetsModule } from '../campaigns/campaign-targets.module';
import { ScoreboardsModule } from '../scoreboards/scoreboards.module';
import { ProgrammeEventsHandler } from './programme-events.handler';
import { CampaignsTreeObserver, StatusEventsHandler } from './status-events.handler';

/** What the service learns from the others: statuses and programmes from assessments, the tree from the registry. */
@Module({
  imports: [ScoreboardsModule, CampaignTargetsModule],
  controllers: [StatusEventsHandler, ProgrammeEventsHandler],
  providers: [CampaignsTreeObserver],
  exports: [CampaignsTreeObserver],
})
export class SourcesModule {}
