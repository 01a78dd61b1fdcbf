import { randomUUID } from 'node:crypto';
import type { ClsService } from 'nestjs-cls';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '@antq/contracts';
import { QueueWorker, type QueueWorkerSettings } from '@antq/persistence';
import { runAs, type AntqClsStore } from './execution-context';

/** A queue table that consumer batches append to, and what its worker does with the rows. */
export interface DrainedQueue {
  /** Takes up to `limit` rows (the oldest first) and does their work in the caller's transaction; returns how many it took. */
  drain(manager: EntityManager, limit: number): Promise<number>;
  /** Rows waiting. */
  queued(manager: EntityManager): Promise<number>;
}

export interface DrainingSettings extends QueueWorkerSettings {
  /** Who the work is reported as: the platform, not the agencies whose changes queued it. */
  actor: Actor;
  /** Rows taken per pass: bounds one transaction's work. */
  claimLimit: number;
}

/**
 * Drains a queue in passes of one transaction each, for whatever the batches of every
 * partition queued meanwhile; a pass sums up many agencies' changes, so it runs as the
 * platform, one correlation id per pass. Instances take turns as the queue's work decides
 * (a database lock in `drain`).
 */
export abstract class DrainingQueueWorker extends QueueWorker {
  protected constructor(
    dataSource: DataSource,
    private readonly cls: ClsService<AntqClsStore>,
    private readonly queue: DrainedQueue,
    private readonly drainSettings: DrainingSettings,
  ) {
    super(dataSource, drainSettings);
  }

  async backlog(): Promise<{ pending: number }> {
    return { pending: await this.queue.queued(this.dataSource.manager) };
  }

  protected pass(): Promise<boolean> {
    const { actor, claimLimit } = this.drainSettings;
    return runAs(this.cls, actor, async () => (await this.dataSource.transaction((manager) => this.queue.drain(manager, claimLimit))) >= claimLimit, randomUUID());
  }
}
