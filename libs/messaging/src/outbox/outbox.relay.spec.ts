import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ReliableProducer } from '../kafka/producer';
import type { MessagingOptions } from '../messaging.options';
import { OutboxRelay } from './outbox.relay';

/** What each session the relay opened was asked, and whether it was closed. */
const mockSessions: { queries: string[]; ended: boolean }[] = [];

jest.mock('pg', () => ({
  // A server that grants the relay's lock, then fails the session's next statement.
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
    async query(sql: string) {
      this.seen.queries.push(sql);
      if (sql.startsWith('SELECT pg_try_advisory_lock')) return { rows: [{ locked: true }] };
      throw new Error('the server closed the connection');
    }
    async end() {
      this.seen.ended = true;
    }
  },
}));

describe('OutboxRelay', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('closes a session that took the lock but failed to start listening, so the lock is not kept from every instance', async () => {
    const dataSource = { options: { type: 'postgres', url: 'postgres://db.example/service' }, query: jest.fn() } as unknown as DataSource;
    const options = { outbox: { relayEnabled: true, batchSize: 10, pollIntervalMs: 20 } } as MessagingOptions;
    const relay = new OutboxRelay(options, dataSource, {} as ReliableProducer);
    relay.onApplicationBootstrap();
    // The relay tries again after a pause: two sessions show that it did not stop at the first.
    while (mockSessions.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await relay.beforeApplicationShutdown();
    expect(mockSessions[0].queries).toEqual([expect.stringMatching(/^SELECT pg_try_advisory_lock/), expect.stringMatching(/^LISTEN antq_outbox; SET tcp_keepalives_idle/)]);
    expect(mockSessions.map((s) => s.ended)).toEqual(mockSessions.map(() => true));
    // Nothing was read for publishing while no session held the relaying.
    expect(dataSource.query).not.toHaveBeenCalled();
  });
});
