import { Logger } from '@nestjs/common';
import type { QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { ReliableProducer } from '../kafka/producer';
import type { MessagingOptions } from '../messaging.options';
import { OutboxRelay } from './outbox.relay';

/** What each session the relay opened was asked, and whether it was closed. */
const mockSessions: { queries: string[]; ended: boolean }[] = [];
/** How the server answers a statement of a session: a result, or a promise that never settles. */
let mockServer: (sql: string) => Promise<{ rows: object[] }>;

jest.mock('pg', () => ({
  Client: class {
    private readonly seen = { queries: [] as string[], ended: false };
    constructor() {
      mockSessions.push(this.seen);
    }
    on() {
      return this;
    }
    async connect() {
      return undefined;
    }
    query(statement: string | QueryConfig) {
      const sql = typeof statement === 'string' ? statement : statement.text;
      this.seen.queries.push(sql);
      if (sql.startsWith('SELECT pg_try_advisory_lock')) return Promise.resolve({ rows: [{ locked: true }] });
      return mockServer(sql);
    }
    async end() {
      this.seen.ended = true;
    }
  },
}));

const dataSource = { options: { type: 'postgres', url: 'postgres://db.example/service' }, query: jest.fn() } as unknown as DataSource;
const options = { outbox: { relayEnabled: true, batchSize: 10, pollIntervalMs: 20 } } as MessagingOptions;

describe('OutboxRelay', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (mockSessions.length = 0));

  it('closes a session that took the lock but failed to start listening, so the lock is not kept from every instance', async () => {
    mockServer = () => Promise.reject(new Error('the server closed the connection'));
    const relay = new OutboxRelay(options, dataSource, {} as ReliableProducer);
    relay.onApplicationBootstrap();
    // The relay tries again after a pause: two sessions show that it did not stop at the first.
    while (mockSessions.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await relay.beforeApplicationShutdown();
    expect(mockSessions[0].queries).toEqual([expect.stringMatching(/^SELECT pg_try_advisory_lock/), expect.stringMatching(/^LISTEN antq_outbox; SET tcp_keepalives_idle/)]);
    expect(mockSessions.map((s) => s.ended)).toEqual(mockSessions.map(() => true));
  });

  it('stands down when reading its rows gets no answer, rather than holding the relaying (and the lock) forever', async () => {
    jest.useFakeTimers();
    try {
      // The first session's path goes silent after LISTEN; later sessions find an empty outbox.
      mockServer = (sql) => {
        if (sql.startsWith('LISTEN') || mockSessions.length > 1) return Promise.resolve({ rows: [] });
        return new Promise(() => undefined);
      };
      const relay = new OutboxRelay(options, dataSource, { sendBatch: jest.fn() } as unknown as ReliableProducer);
      relay.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(9_000);
      expect(mockSessions).toEqual([{ queries: [expect.any(String), expect.any(String), expect.stringMatching(/^SELECT id, topic/)], ended: false }]);
      await jest.advanceTimersByTimeAsync(2_000);
      expect(mockSessions[0].ended).toBe(true);
      expect(mockSessions[1].queries.some((sql) => sql.startsWith('SELECT id, topic'))).toBe(true);
      expect(mockSessions[1].ended).toBe(false);
      const stopped = relay.beforeApplicationShutdown();
      await jest.runOnlyPendingTimersAsync();
      await stopped;
      expect(mockSessions[1].ended).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
