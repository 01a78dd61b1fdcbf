/** What end-to-end tests and benchmarks need to run this service in process. */
export { CampaignsModule } from './app.module';
export { CAMPAIGNS } from './service.definition';
export { ScoreboardRecompute } from './scoreboards/scoreboard.recompute';
export { SCOREBOARD_LOCK, ScoreboardService } from './scoreboards/scoreboard.service';
export { CampaignsService } from './campaigns/campaigns.service';
export { CAMPAIGN_SET_LOCK, ProgressService } from './campaigns/progress.service';
