import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { QueueWorker } from '@antq/persistence';
import { eventually, TEST_POSTGRES_URL } from '@antq/testing';

/** The shared worker loop (libs/persistence) against the real server: NOTIFY is what wakes it. */
const CHANNEL = `antq_test_wake_${process.pid}`;

/** A worker that only counts its passes; it would poll once a minute. */
class CountingWorker extends QueueWorker {
  passes = 0;
  constructor() {
    // Only the session settings are read from the data source here (for LISTEN).
    super({ options: { type: 'postgres', url: TEST_POSTGRES_URL } } as unknown as DataSource, {
      channel: CHANNEL,
      name: 'antq-test-worker',
      pollIntervalMs: 60_000,
      backlogMetric: { name: 'antq_test_wake_backlog', help: 'test queue' },
    });
  }

  async backlog() {
    return { pending: 0 };
  }

  protected async pass(): Promise<boolean> {
    this.passes++;
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('wakes at once on a NOTIFY from another session, long before its next poll', async () => {
  const worker = new CountingWorker();
  const notifier = new Client({ connectionString: TEST_POSTGRES_URL });
  await notifier.connect();
  try {
    await worker.onApplicationBootstrap();
    await sleep(300);
    expect(worker.passes).toBe(1);
    await notifier.query(`NOTIFY ${CHANNEL}`);
    await eventually(() => expect(worker.passes).toBe(2), 5_000, 20);
  } finally {
    await worker.beforeApplicationShutdown();
    await notifier.end();
  }
});
