import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { DrainingQueueWorker, type AntqClsStore } from '@antq/messaging';
import { SCOREBOARD_ACTOR, SCOREBOARD_CHANNEL, ScoreboardService } from './scoreboard.service';

/**
 * Reconciles the units that consumer batches queued (`scoreboard_queue`, written in the
 * batch's transaction, so no change is lost), just after they commit: one pass for
 * whatever the batches of every partition queued meanwhile. Instances take turns under
 * the scoreboard lock. Woken by NOTIFY, polled for a lost notification.
 */
@Injectable()
export class ScoreboardWorker extends DrainingQueueWorker {
  constructor(@InjectDataSource() dataSource: DataSource, scoreboards: ScoreboardService, cls: ClsService<AntqClsStore>) {
    super(
      dataSource,
      cls,
      { drain: (manager, limit) => scoreboards.reconcileQueued(manager, limit), queued: (manager) => scoreboards.queued(manager) },
      {
        channel: SCOREBOARD_CHANNEL,
        name: 'antq-scoreboard-worker',
        pollIntervalMs: 1_000,
        backlogMetric: { name: 'antq_scoreboards_backlog', help: 'Units queued for their scoreboard contribution to be reconciled' },
        actor: SCOREBOARD_ACTOR,
        // Bounds one transaction's work after a national reorganisation.
        claimLimit: 5_000,
      },
    );
  }
}
