import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { ProgressScheduler } from './progress.scheduler';
import { ProgressService } from './progress.service';
import { ProgressWorker } from './progress.worker';

@Module({
  controllers: [CampaignsController],
  providers: [CampaignsService, ProgressService, ProgressScheduler, ProgressWorker],
  exports: [ProgressService, CampaignsService],
})
export class CampaignTargetsModule {}
