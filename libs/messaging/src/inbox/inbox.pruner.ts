import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const FIRST_PRUNE_AFTER_MS = 60 * 1000;
/** Rows deleted per statement: short transactions, no long lock on the table. */
const CHUNK = 10_000;

/**
 * Forgets processed event ids older than the retention (`INBOX_RETENTION_DAYS`), hourly.
 * An id only has to outlive the window in which Kafka may deliver its event again (an
 * uncommitted offset after a crash or a rebalance: seconds to minutes); without pruning
 * the table, hit by every event, grows for ever. Rows are taken with SKIP LOCKED, so
 * instances pruning at once do not wait for each other or for the consumers.
 */
@Injectable()
export class InboxPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxPruner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.inbox.retentionDays) return;
    const run = () => {
      this.running = this.prune().catch((error: unknown) => this.logger.warn(`Pruning processed events failed: ${(error as Error).message}`));
    };
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, PRUNE_EVERY_MS).unref();
    }, FIRST_PRUNE_AFTER_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes the ids processed more than the retention ago; returns how many. */
  async prune(retentionDays = this.options.inbox.retentionDays): Promise<number> {
    let pruned = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM processed_events WHERE (consumer, event_id) IN (
           SELECT consumer, event_id FROM processed_events
            WHERE processed_at < now() - make_interval(days => $1) LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [retentionDays, CHUNK],
      )) as [unknown, number];
      pruned += deleted;
      if (deleted < CHUNK) break;
    }
    if (pruned) this.logger.log(`Forgot ${pruned} processed event ids older than ${retentionDays} days`);
    return pruned;
  }
}
