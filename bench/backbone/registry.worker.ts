import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import type { Environment } from '@antq/platform';
import { InThreadRegistry, type WorkerReply, type WorkerRequest } from './registry';

/** Entry point of WorkerRegistry's thread: the registry service, driven by messages. */
async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('registry.worker runs as a worker thread only');
  const reply = (message: WorkerReply) => port.postMessage(message);
  const { runId, env } = workerData as { runId: string; env: Environment };
  let registry: InThreadRegistry;
  try {
    registry = await InThreadRegistry.start(runId, env);
  } catch (error) {
    reply({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return;
  }
  port.on('message', ({ id, op, count = 0 }: WorkerRequest) => {
    const work: Promise<unknown> =
      op === 'insert'
        ? registry.insert(count)
        : op === 'insertMany'
          ? registry.insertMany(count)
          : op === 'published'
            ? registry.published()
            : registry.close();
    work.then(
      (result) => reply({ id, result }),
      (error: unknown) => reply({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  reply({ ready: true });
}

serve().catch((error: unknown) => {
  process.stderr.write(`[backbone] registry worker: ${String(error)}\n`);
  process.exitCode = 1;
});
