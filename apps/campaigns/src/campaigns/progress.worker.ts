import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { AntqClsStore } from '@antq/messaging';
import { QueueWorker } from '@antq/persistence';
import { PROGRESS_ACTOR, PROGRESS_CHANNEL, ProgressService } from './progress.service';

/**
 * Queue rows taken per pass. A pass costs about the same for few rows as for many (it
 * measures every campaign they move, and looks up each distinct unit once, at most the
 * tree's size), so it takes what a busy stream queued meanwhile; the bound keeps one
 * transaction's claim finite.
 */
const CLAIM_LIMIT = 50_000;

/**
 * Re-evaluates the campaigns that the units consumer batches queued (`progress_queue`,
 * written in the batch's transaction, so no change is lost) can move, just after they
 * commit: one pass for whatever the batches of every partition queued meanwhile. Instances
 * take turns under the progress lock. Woken by NOTIFY, polled for a lost notification.
 */
@Injectable()
export class ProgressWorker extends QueueWorker {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly progress: ProgressService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {
    super(dataSource, {
      channel: PROGRESS_CHANNEL,
      name: 'antq-progress-worker',
      pollIntervalMs: 1_000,
      backlogMetric: { name: 'antq_progress_backlog', help: 'Changed units queued for the campaigns counting them to be re-evaluated' },
    });
  }

  async backlog(): Promise<{ pending: number }> {
    return { pending: await this.progress.queued(this.dataSource.manager) };
  }

  protected pass(): Promise<boolean> {
    // A pass sums up many agencies' changes: the platform reports it under its own name, one correlation per pass.
    return this.cls.run(async () => {
      this.cls.set('actor', PROGRESS_ACTOR);
      this.cls.set('correlationId', randomUUID());
      return (await this.dataSource.transaction((manager) => this.progress.evaluateQueued(manager, CLAIM_LIMIT))) >= CLAIM_LIMIT;
    });
  }
}
