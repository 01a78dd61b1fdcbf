import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { AntqClsStore } from '@antq/messaging';
import { QueueWorker } from '@antq/persistence';
import { SCOREBOARD_ACTOR, SCOREBOARD_CHANNEL, ScoreboardService } from './scoreboard.service';

/** Queue rows taken per pass: bounds one transaction's work after a national reorganisation. */
const CLAIM_LIMIT = 5_000;

/**
 * Reconciles the units that consumer batches queued (`scoreboard_queue`, written in the
 * batch's transaction, so no change is lost), just after they commit: one pass for
 * whatever the batches of every partition queued meanwhile. Instances take turns under
 * the scoreboard lock. Woken by NOTIFY, polled for a lost notification.
 */
@Injectable()
export class ScoreboardWorker extends QueueWorker {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly scoreboards: ScoreboardService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {
    super(dataSource, {
      channel: SCOREBOARD_CHANNEL,
      name: 'antq-scoreboard-worker',
      pollIntervalMs: 1_000,
      backlogMetric: { name: 'antq_scoreboards_backlog', help: 'Units queued for their scoreboard contribution to be reconciled' },
    });
  }

  async backlog(): Promise<{ pending: number }> {
    return { pending: await this.scoreboards.queued(this.dataSource.manager) };
  }

  protected pass(): Promise<boolean> {
    // A pass sums up many agencies' changes: the platform reports it under its own name, one correlation per pass.
    return this.cls.run(async () => {
      this.cls.set('actor', SCOREBOARD_ACTOR);
      this.cls.set('correlationId', randomUUID());
      return (await this.dataSource.transaction((manager) => this.scoreboards.reconcileQueued(manager, CLAIM_LIMIT))) >= CLAIM_LIMIT;
    });
  }
}
