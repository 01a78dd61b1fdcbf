import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { AssessmentsService } from './assessments.service';

/**
 * Deadlines pass without events: recognitions lapse at the end of their cycle, and units
 * left without a recognition when a cycle ends are reported overdue.
 */
@Injectable()
export class LapseScheduler {
  private readonly logger = new Logger(LapseScheduler.name);

  constructor(private readonly assessments: AssessmentsService) {}

  @Cron(CronExpression.EVERY_DAY_AT_1AM)
  async run(): Promise<void> {
    const lapsed = await this.assessments.lapseDue();
    if (lapsed) this.logger.log(`${lapsed} recognitions lapsed`);
    const overdue = await this.assessments.reportOverdue();
    if (overdue) this.logger.log(`${overdue} units reported overdue`);
  }
}
