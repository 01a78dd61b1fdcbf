import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { sourcedGauge } from './metrics';
import { listenForNotifications, WakeSignal } from './notification-listener';

export interface QueueWorkerSettings {
  /** The NOTIFY channel a commit that queued work signals on. */
  channel: string;
  /** Names the LISTEN session (`application_name`). */
  name: string;
  /** Only a crashed instance's rows (or a lost notification) wait this long. */
  pollIntervalMs: number;
  /** A Prometheus gauge of the queue, labelled by `state`, read from `backlog()` on every scrape. */
  backlogMetric: { name: string; help: string };
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/** The backlog gauge of a queue, read from its workers' `backlog()` (labelled by state). */
function backlogGauge({ name, help }: QueueWorkerSettings['backlogMetric']): Set<QueueWorker> {
  return sourcedGauge<QueueWorker>({ name, help, labelNames: ['state'] }, async (worker) =>
    Object.entries(await worker.backlog()).map(([state, value]) => ({ labels: { state }, value })),
  );
}

/**
 * Drains a queue table that transactions append to: one pass after another while work is
 * waiting, asleep until a NOTIFY from a committed insert, a poke or the next poll otherwise,
 * and backing off while the database fails. Subclasses say what a pass does.
 */
export abstract class QueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger: Logger;
  private readonly signal = new WakeSignal();
  private running = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private readonly backlogSources: Set<QueueWorker>;

  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly settings: QueueWorkerSettings,
  ) {
    this.logger = new Logger(new.target.name);
    this.backlogSources = backlogGauge(settings.backlogMetric);
  }

  /** Rows in the queue by state (`pending`, and any other the queue knows). */
  abstract backlog(): Promise<Record<string, number>>;

  /** Takes the next work; true when more is likely waiting. */
  protected abstract pass(): Promise<boolean>;

  /** Work may be waiting: look now rather than at the next poll. */
  protected poke(): void {
    this.signal.poke();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    const { channel, name } = this.settings;
    this.backlogSources.add(this);
    this.listener = await listenForNotifications(this.dataSource, channel, name, this.signal, (message) => this.logger.warn(message));
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.backlogSources.delete(this);
    this.signal.poke();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (this.running) {
      try {
        this.signal.clear();
        const more = await this.pass();
        backoff = FIRST_BACKOFF_MS;
        if (!more) await this.signal.sleep(this.settings.pollIntervalMs);
      } catch (error) {
        this.logger.warn(`Paused ${backoff} ms: ${(error as Error).message}`);
        await this.signal.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }
}
