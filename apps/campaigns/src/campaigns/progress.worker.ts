import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { DrainingQueueWorker, type AntqClsStore } from '@antq/messaging';
import { PROGRESS_ACTOR, PROGRESS_CHANNEL, ProgressService } from './progress.service';

/**
 * Re-evaluates the campaigns that the units consumer batches queued (`progress_queue`,
 * written in the batch's transaction, so no change is lost) can move, just after they
 * commit: one pass for whatever the batches of every partition queued meanwhile. Instances
 * take turns under the progress lock. Woken by NOTIFY, polled for a lost notification.
 */
@Injectable()
export class ProgressWorker extends DrainingQueueWorker {
  constructor(@InjectDataSource() dataSource: DataSource, progress: ProgressService, cls: ClsService<AntqClsStore>) {
    super(
      dataSource,
      cls,
      { drain: (manager, limit) => progress.evaluateQueued(manager, limit), queued: (manager) => progress.queued(manager) },
      {
        channel: PROGRESS_CHANNEL,
        name: 'antq-progress-worker',
        pollIntervalMs: 1_000,
        backlogMetric: { name: 'antq_progress_backlog', help: 'Changed units queued for the campaigns counting them to be re-evaluated' },
        actor: PROGRESS_ACTOR,
        // A pass costs about the same for few rows as for many (it measures every campaign
        // they move, each distinct unit looked up once): it takes what a busy stream queued.
        claimLimit: 50_000,
      },
    );
  }
}
