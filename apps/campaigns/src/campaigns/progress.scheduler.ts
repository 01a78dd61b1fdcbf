import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ClsService } from 'nestjs-cls';
import type { AntqClsStore } from '@antq/messaging';
import { Clock, DAILY_JOBS_CRON, dailyJob } from '@antq/platform';
import { CampaignsService } from './campaigns.service';

/** Deadlines pass and trends move without events: every campaign in (or just past) its period is evaluated daily. */
@Injectable()
export class ProgressScheduler {
  private readonly logger = new Logger(ProgressScheduler.name);

  constructor(
    private readonly campaigns: CampaignsService,
    private readonly cls: ClsService<AntqClsStore>,
    private readonly clock: Clock,
  ) {}

  @Cron(DAILY_JOBS_CRON, dailyJob('campaign-evaluation'))
  run(): Promise<void> {
    const date = this.clock.today();
    return this.cls.run(async () => {
      this.cls.set('correlationId', `progress-${date}`);
      const evaluated = await this.campaigns.evaluateDue(date);
      if (evaluated) this.logger.log(`${evaluated} campaigns evaluated for ${date}`);
    });
  }
}
