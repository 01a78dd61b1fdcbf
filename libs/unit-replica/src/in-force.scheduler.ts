import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { closeBatch, openBatch, runAs, type AntqClsStore } from '@antq/messaging';
import { Clock } from '@antq/platform';
import { UnitReplicaRepository } from './unit-replica.repository';
import { UNIT_TREE_OBSERVER, type UnitTreeObserver } from './unit-tree-observer';

const TREE_CLOCK = { agency: 'antq-system', principal: 'tree-clock', roles: [] };

/**
 * Tree changes recorded in advance (a move or a closure effective next month) wait in the
 * replica's versions; on their date they become the units' current state, and the service
 * reacts as to a change arriving that day (the observer re-derives, re-counts). Checked
 * hourly, whatever the server's time zone, and at start-up after a pause.
 */
@Injectable()
export class InForceScheduler implements OnApplicationBootstrap {
  private readonly log = new Logger(InForceScheduler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replica: UnitReplicaRepository,
    private readonly clock: Clock,
    private readonly cls: ClsService<AntqClsStore>,
    @Optional() @Inject(UNIT_TREE_OBSERVER) private readonly observer?: UnitTreeObserver | null,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
  }

  @Cron(CronExpression.EVERY_HOUR)
  async run(): Promise<void> {
    try {
      const promoted = await this.promoteDue();
      if (promoted) this.log.log(`${promoted} units took on changes recorded for ${this.clock.today()} or earlier`);
    } catch (error) {
      this.log.error(`Bringing forward changes that took effect failed (retried next hour): ${(error as Error).message}`);
    }
  }

  /** Makes current every unit version in force on `date`; returns how many units changed. */
  promoteDue(date = this.clock.today()): Promise<number> {
    return runAs(
      this.cls,
      TREE_CLOCK,
      () =>
        this.dataSource.transaction(async (manager) => {
          // As a consumer batch does: the observers' work for all the units runs once, at the end.
          openBatch(manager);
          const changes = await this.replica.promoteDue(manager, date);
          if (this.observer) for (const change of changes) await this.observer.onUnitChanged(manager, change);
          await closeBatch(manager);
          return changes.length;
        }),
      `in-force-${date}`,
    );
  }
}
