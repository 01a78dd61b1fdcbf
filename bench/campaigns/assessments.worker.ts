import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import type { Environment } from '@antq/platform';
import { startTestService } from '@antq/testing';
import type { CpuProfile } from '../lib/profile';

export type AssessmentsWorkerReply =
  | { ready: true; url: string; databaseUrl: string }
  | { failed: string }
  | { stopped: true }
  | { error: string }
  | { profiling: true }
  | { profiled: CpuProfile };
/** 'stop', or the thread's CPU profiler started, or stopped and written to `file`. */
export type AssessmentsWorkerRequest = 'stop' | { profile: 'start' } | { profile: 'stop'; file: string };

/** Entry point of the assessments service on a worker thread of its own: its own event loop, as its own process would have. */
async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('assessments.worker runs as a worker thread only');
  const reply = (message: AssessmentsWorkerReply) => port.postMessage(message);
  const { runId, env } = workerData as { runId: string; env: Environment };
  try {
    const service = await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, env);
    let session: Session | undefined;
    const failed = (error: unknown) => reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    port.on('message', (message: AssessmentsWorkerRequest) => {
      if (message === 'stop') {
        service.stop().then(() => reply({ stopped: true }), failed);
      } else if (message.profile === 'start') {
        session = new Session();
        session.connect();
        (async () => {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
          reply({ profiling: true });
        })().catch(failed);
      } else if (session) {
        const running = session;
        (async () => {
          const { profile } = (await running.post('Profiler.stop')) as unknown as { profile: CpuProfile };
          running.disconnect();
          writeFileSync(message.file, JSON.stringify(profile));
          reply({ profiled: profile });
        })().catch(failed);
      }
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
