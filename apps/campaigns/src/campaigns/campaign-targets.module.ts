import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { ProgressScheduler } from './progress.scheduler';
import { ProgressService } from './progress.service';

@Module({
  controllers: [CampaignsController],
  providers: [CampaignsService, ProgressService, ProgressScheduler],
  exports: [ProgressService, CampaignsService],
})
export class CampaignTargetsModule {}
