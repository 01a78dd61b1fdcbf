import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import type { Environment } from '@antq/platform';
import { startTestService } from '@antq/testing';

export type AssessmentsWorkerReply = { ready: true; url: string; databaseUrl: string } | { failed: string } | { stopped: true } | { error: string };

/** Entry point of the assessments service on a worker thread of its own: its own event loop, as its own process would have. */
async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('assessments.worker runs as a worker thread only');
  const reply = (message: AssessmentsWorkerReply) => port.postMessage(message);
  const { runId, env } = workerData as { runId: string; env: Environment };
  try {
    const service = await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, env);
    port.on('message', (message: 'stop') => {
      if (message !== 'stop') return;
      service.stop().then(
        () => reply({ stopped: true }),
        (error: unknown) => reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
    });
    reply({ ready: true, url: service.url, databaseUrl: service.databaseUrl });
  } catch (error) {
    reply({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

serve().catch((error: unknown) => {
  process.stderr.write(`[campaigns] assessments worker: ${String(error)}\n`);
  process.exitCode = 1;
});
