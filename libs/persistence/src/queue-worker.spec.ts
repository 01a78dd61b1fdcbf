import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { QueueWorker } from './queue-worker';

// No database here: the worker polls without a LISTEN session.
jest.mock('./notification-listener', () => ({ ...jest.requireActual('./notification-listener'), listenForNotifications: async () => undefined }));

const METRIC = 'antq_test_queue_backlog';

/** A worker whose passes follow a script: `true` (more waiting), `false` (drained) or an error. */
class ScriptedWorker extends QueueWorker {
  readonly passes: number[] = [];
  constructor(private readonly script: (boolean | Error)[]) {
    super({} as DataSource, { channel: 'antq_test', name: 'antq-test-worker', pollIntervalMs: 60_000, backlogMetric: { name: METRIC, help: 'test queue' } });
  }

  async backlog() {
    return { pending: this.script.length };
  }

  protected async pass(): Promise<boolean> {
    this.passes.push(Date.now());
    const next = this.script.shift() ?? false;
    if (next instanceof Error) throw next;
    return next;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('QueueWorker', () => {
  let worker: ScriptedWorker | undefined;
  afterEach(async () => worker?.beforeApplicationShutdown());

  it('passes again at once while work is waiting, then sleeps until the next poll', async () => {
    worker = new ScriptedWorker([true, true, false]);
    await worker.onApplicationBootstrap();
    await sleep(200);
    expect(worker.passes).toHaveLength(3);
  });

  it('backs off after a failing pass and tries again', async () => {
    worker = new ScriptedWorker([new Error('connection refused'), true, false]);
    await worker.onApplicationBootstrap();
    await sleep(400);
    expect(worker.passes).toHaveLength(3);
    expect(worker.passes[1] - worker.passes[0]).toBeGreaterThanOrEqual(90);
  });

  it('stops its loop on shutdown, even while asleep', async () => {
    worker = new ScriptedWorker([]);
    await worker.onApplicationBootstrap();
    const started = Date.now();
    await worker.beforeApplicationShutdown();
    expect(Date.now() - started).toBeLessThan(1_000);
    const passes = worker.passes.length;
    await sleep(100);
    expect(worker.passes).toHaveLength(passes);
    worker = undefined;
  });

  it('reports its backlog as a gauge by state', async () => {
    worker = new ScriptedWorker([]);
    await worker.onApplicationBootstrap();
    (worker as unknown as { script: boolean[] }).script.push(true, true);
    expect(await register.getSingleMetricAsString(METRIC)).toMatch(new RegExp(`${METRIC}{state="pending"} 2`));
  });
});
