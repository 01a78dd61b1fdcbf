import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ClsService } from 'nestjs-cls';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { EventFactory, OutboxRelay, OutboxService, type AntqClsStore } from '@antq/messaging';
import type { Environment } from '@antq/platform';
import { startTestService, testDatabaseUrl, type RunningService } from '@antq/testing';
import { stopAndDrop } from '../lib/cleanup';
import { drainTimeout, epochNow, withTimeout } from '../lib/timing';
import { unitCreated } from './events';

/** Events per outbox transaction in the throughput run, and transactions at a time. */
export const INSERT_BATCH = 200;
export const INSERTERS = 2;

/**
 * Where the platform's events come from: the units-registry service, whose outbox gets
 * unit-created events inserted in real transactions through its own OutboxService and
 * EventFactory; its relay publishes them. Times are `epochNow()` milliseconds.
 */
export interface EventSource {
  /** Appends `count` events in one transaction; returns their unit ids and when the COMMIT was acknowledged. */
  insert(count: number): Promise<{ unitIds: string[]; committedAt: number }>;
  /** Inserts `count` events in transactions of INSERT_BATCH, INSERTERS at a time; returns when the last one committed. */
  insertMany(count: number): Promise<number>;
  /** Events the registry's relay has published since it started. */
  published(): Promise<number>;
  /** Stops the service and drops its database. */
  close(): Promise<void>;
  /** The registry's database. */
  readonly databaseUrl: string;
}

/** The registry on the calling thread. */
export class InThreadRegistry implements EventSource {
  private readonly correlationId = `bench-${randomUUID()}`;

  private constructor(private readonly service: RunningService) {}

  get databaseUrl(): string {
    return this.service.databaseUrl;
  }

  static async start(runId: string, env: Environment): Promise<InThreadRegistry> {
    return new InThreadRegistry(await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env));
  }

  insert(count: number): Promise<{ unitIds: string[]; committedAt: number }> {
    const { app, dataSource } = this.service;
    const cls = app.get<ClsService<AntqClsStore>>(ClsService);
    const factory = app.get(EventFactory);
    const outbox = app.get(OutboxService);
    return cls.run(async () => {
      cls.set('correlationId', this.correlationId);
      const events = Array.from({ length: count }, () => unitCreated(factory));
      await dataSource.transaction((manager) => outbox.append(manager, events));
      return { unitIds: events.map((e) => e.subject), committedAt: epochNow() };
    });
  }

  async insertMany(count: number): Promise<number> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const n = Math.min(INSERT_BATCH, count - next);
        next += n;
        await this.insert(n);
      }
    };
    await Promise.all(Array.from({ length: INSERTERS }, worker));
    return epochNow();
  }

  published(): Promise<number> {
    return Promise.resolve(this.service.app.get(OutboxRelay).publishedCount);
  }

  close(): Promise<void> {
    return stopAndDrop([this.service]);
  }
}

type Operation = 'insert' | 'insertMany' | 'published' | 'close';

export interface WorkerRequest {
  id: number;
  op: Operation;
  count?: number;
}

export type WorkerReply = { id: number; result: unknown } | { id: number; error: string } | { ready: true } | { failed: string };

/**
 * The registry on a worker thread of its own: its own event loop and heap, as a separate
 * service process would have, so that producing and consuming do not share one thread.
 */
export class WorkerRegistry implements EventSource {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited?: Error;

  private constructor(
    private readonly worker: Worker,
    readonly databaseUrl: string,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (!('id' in reply)) return;
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) call?.reject(new Error(`registry worker: ${reply.error}`));
      else call?.resolve(reply.result);
    });
    const fail = (error: Error) => {
      this.exited = error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`registry worker exited (${code})`)));
  }

  static async start(runId: string, env: Environment): Promise<WorkerRegistry> {
    const worker = new Worker(join(__dirname, 'registry.worker.js'), { workerData: { runId, env } });
    const listeners: { message?: (reply: WorkerReply) => void; error?: (error: Error) => void; exit?: (code: number) => void } = {};
    try {
      await new Promise<void>((resolve, reject) => {
        listeners.message = (reply) => {
          if ('ready' in reply) resolve();
          else if ('failed' in reply) reject(new Error(`registry worker failed to start: ${reply.failed}`));
        };
        listeners.error = reject;
        listeners.exit = (code) => reject(new Error(`registry worker exited (${code}) while starting`));
        worker.on('message', listeners.message).on('error', listeners.error).on('exit', listeners.exit);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      // Only these: removing every 'message' listener would stop the worker's port.
      if (listeners.message) worker.off('message', listeners.message);
      if (listeners.error) worker.off('error', listeners.error);
      if (listeners.exit) worker.off('exit', listeners.exit);
    }
    return new WorkerRegistry(worker, testDatabaseUrl(runId, UNITS_REGISTRY.service));
  }

  insert(count: number): Promise<{ unitIds: string[]; committedAt: number }> {
    return this.call('insert', count) as Promise<{ unitIds: string[]; committedAt: number }>;
  }

  insertMany(count: number): Promise<number> {
    return this.call('insertMany', count) as Promise<number>;
  }

  published(): Promise<number> {
    return this.call('published') as Promise<number>;
  }

  async close(): Promise<void> {
    try {
      if (!this.exited) await this.call('close');
    } finally {
      await this.worker.terminate();
    }
  }

  private call(op: Operation, count = 0): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, count } satisfies WorkerRequest);
    });
    return withTimeout(`the registry worker to ${op}`, reply, drainTimeout(count)).finally(() => this.pending.delete(id));
  }
}
