import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { CLOUD_EVENTS_CONTENT_TYPE } from '@antq/contracts';
import { sessionConfig, WakeSignal } from '@antq/persistence';
import { KAFKA_PRODUCER, type ReliableProducer } from '../kafka/producer';
import { withTimeout } from '../kafka/timeout';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { eventsPublished, outboxSources } from '../metrics';
import { OUTBOX_CHANNEL } from './outbox.service';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  event_id: string;
  event_type: string;
  payload: string;
}

/** Any constant shared by a service's instances: only one of them relays at a time. */
const RELAY_LOCK_ID = 0x616e7471;
const MAX_BACKOFF_MS = 5_000;
/**
 * How often the relaying instance asks its session whether it still answers, and how long it
 * waits: a session whose network path went silent (a failover, a host gone) raises no error,
 * and would keep the lock, and the relaying, to itself while the server keeps it too.
 */
const SESSION_CHECK_MS = 5_000;
/**
 * How long a statement of the relaying session may take (the session is not checked while one
 * runs): one that has not answered by then ends the session, and another instance, or this
 * one anew, takes the relaying over. Reading or deleting a batch takes milliseconds.
 */
const RELAY_STATEMENT_TIMEOUT_MS = 10_000;
// Named: the server plans each of the relay's statements once per session.
const OLDEST_ROWS = {
  name: 'outbox-relay-oldest-rows',
  text: 'SELECT id, topic, message_key, event_id, event_type, payload FROM outbox_messages ORDER BY id LIMIT $1',
};
const DELETE_ROWS = { name: 'outbox-relay-delete-rows', text: 'DELETE FROM outbox_messages WHERE id = ANY($1::bigint[])' };
/**
 * The server's own checks on the session: a relaying host gone without a word loses its
 * session, and the lock, within a minute (30 s idle, then 3 probes 10 s apart) rather than
 * the two hours of the operating system's default.
 */
const SERVER_KEEPALIVES = 'SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3';

/**
 * Publishes outbox rows to Kafka in id order, then deletes them. One instance per database
 * holds an advisory lock and relays; the others stand by. While the broker is unreachable
 * rows stay in the table and the relay retries with backoff; delivery is at least once,
 * and consumers drop duplicates by event id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private client?: Client;
  /** Checks the session while this instance relays and sits idle. */
  private sessionCheck?: NodeJS.Timeout;
  /** Statements on the relaying session: one under way is its own check, with its own timeout. */
  private busy = 0;
  /** Poked by NOTIFY: work arrived, so the relay must not sleep a whole interval. */
  private readonly signal = new WakeSignal();
  private published = 0;
  private lastPending?: { at: number; result: Promise<{ count: number; oldestSeconds: number }> };

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_PRODUCER) private readonly producer: ReliableProducer,
  ) {}

  /** Events published since start (for metrics and benchmarks). */
  get publishedCount(): number {
    return this.published;
  }

  onApplicationBootstrap(): void {
    outboxSources.add(this);
    if (!this.options.outbox.relayEnabled) return;
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    outboxSources.delete(this);
    this.running = false;
    this.signal.poke();
    await this.loop;
    await this.releaseClient();
  }

  /** Rows not yet published: the relay's backlog. */
  async backlog(): Promise<number> {
    const [row] = (await this.dataSource.query('SELECT count(*)::int AS n FROM outbox_messages')) as [{ n: number }];
    return row.n;
  }

  /**
   * The backlog and the age of its oldest event, for the outbox gauges: one query serves
   * both gauges of a scrape (a reading is reused for a second).
   */
  pending(): Promise<{ count: number; oldestSeconds: number }> {
    const now = Date.now();
    if (!this.lastPending || now - this.lastPending.at > 1_000) {
      const read = this.dataSource.query(
        'SELECT count(*)::int AS count, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS "oldestSeconds" FROM outbox_messages',
      ) as Promise<[{ count: number; oldestSeconds: number }]>;
      this.lastPending = { at: now, result: read.then(([row]) => row) };
    }
    return this.lastPending.result;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        const client = await this.holdLeadership();
        if (!client) {
          await this.signal.sleep(this.options.outbox.pollIntervalMs * 5);
          continue;
        }
        const { more } = await this.publishBatch(client);
        backoff = 100;
        if (!more) await this.signal.sleep(this.options.outbox.pollIntervalMs);
      } catch (error) {
        this.logger.warn(`Outbox relay paused ${backoff} ms: ${error instanceof Error ? error.message : error}`);
        await this.signal.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** The relaying session: this instance's own, or a new one when it takes the lock; none when another instance holds it. */
  private async holdLeadership(): Promise<Client | undefined> {
    if (this.client) return this.client;
    const client = new Client(sessionConfig(this.dataSource, 'antq-outbox-relay'));
    client.on('error', (error) => {
      this.logger.warn(`Outbox relay lost its database session: ${error.message}`);
      void this.releaseClient();
    });
    await client.connect();
    try {
      const [{ locked }] = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK_ID])).rows;
      if (!locked) {
        await client.end();
        return undefined;
      }
      client.on('notification', () => this.signal.poke());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}; ${SERVER_KEEPALIVES}`);
    } catch (error) {
      // A session left open would keep the lock, and the relaying, from every instance.
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.sessionCheck = setInterval(() => void this.checkSession(client), SESSION_CHECK_MS);
    this.logger.log('Outbox relay is active');
    return client;
  }

  /** Stands down if the session no longer answers in time: another instance may then relay. */
  private async checkSession(client: Client): Promise<void> {
    if (this.busy) return;
    await this.onSession(client, { text: 'SELECT 1' }, SESSION_CHECK_MS).catch(() => undefined);
  }

  /**
   * A statement on the relaying session. The rows are read and deleted there
   * rather than through the pool: a statement that does not answer in time ends the session
   * (and the lock with it) instead of holding the relaying up, and a session that lost the
   * lock can delete nothing.
   */
  private async onSession<R extends object>(client: Client, statement: QueryConfig, timeoutMs = RELAY_STATEMENT_TIMEOUT_MS): Promise<R[]> {
    this.busy++;
    try {
      const result = await withTimeout(client.query<R>(statement), timeoutMs);
      return result.rows;
    } catch (error) {
      if (this.client === client) {
        this.logger.warn(`Outbox relay stands down: its database session failed or stopped answering (${(error as Error).message})`);
        await this.releaseClient();
      }
      throw error;
    } finally {
      this.busy--;
    }
  }

  private async releaseClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    clearInterval(this.sessionCheck);
    this.sessionCheck = undefined;
    // Ending sends a goodbye and closes the socket; a silent path gets the close, if not the goodbye.
    await client?.end().catch(() => undefined);
  }

  /** Publishes the oldest rows, as many as fit in a batch; `more`: whether rows may be waiting still. */
  private async publishBatch(client: Client): Promise<{ more: boolean }> {
    this.signal.clear();
    const rows = await this.onSession<OutboxRow>(client, { ...OLDEST_ROWS, values: [this.options.outbox.batchSize] });
    if (!rows.length) return { more: false };
    // In id order: the producer groups them by topic and sends as many requests as the broker needs.
    await this.producer.sendBatch(
      rows.map((row) => ({
        topic: row.topic,
        messages: [{ key: row.message_key, value: row.payload, headers: { 'content-type': CLOUD_EVENTS_CONTENT_TYPE, ce_id: row.event_id, ce_type: row.event_type } }],
      })),
    );
    await this.onSession(client, { ...DELETE_ROWS, values: [rows.map((r) => r.id)] });
    this.published += rows.length;
    const perTopic = new Map<string, number>();
    for (const row of rows) perTopic.set(row.topic, (perTopic.get(row.topic) ?? 0) + 1);
    for (const [topic, count] of perTopic) eventsPublished.inc({ topic }, count);
    return { more: rows.length === this.options.outbox.batchSize };
  }
}
