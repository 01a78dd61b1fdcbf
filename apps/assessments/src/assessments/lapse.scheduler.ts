import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DAILY_JOBS_CRON, dailyJob } from '@antq/platform';
import { AssessmentsService } from './assessments.service';

/**
 * Deadlines pass without events: recognitions lapse at the end of their cycle, and units
 * left without a recognition when a cycle ends are reported overdue.
 */
@Injectable()
export class LapseScheduler {
  private readonly logger = new Logger(LapseScheduler.name);

  constructor(private readonly assessments: AssessmentsService) {}

  @Cron(DAILY_JOBS_CRON, dailyJob('lapse-and-overdue'))
  async run(): Promise<void> {
    const lapsed = await this.assessments.lapseDue();
    if (lapsed) this.logger.log(`${lapsed} recognitions lapsed`);
    const overdue = await this.assessments.reportOverdue();
    if (overdue) this.logger.log(`${overdue} units reported overdue`);
  }
}
