import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICES, type ServiceName } from '@antq/contracts';
import { serviceEnv, stackSettings } from '@antq/platform';
import { log, ROOT, stackUp } from './local-stack';

const READY_DEADLINE_MS = 90_000;

function startService(service: ServiceName, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [resolve(ROOT, `dist/apps/${service}/src/main.js`)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${service}] ${line}\n`));
  }
  return child;
}

async function waitReady(service: ServiceName, baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service} exited with code ${child.exitCode}`);
    try {
      // Bounded: whatever else may hold the port need not answer at all.
      const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet, or not answering
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${service} was not ready within ${READY_DEADLINE_MS / 1000} s`);
}

/** `npm start`: the whole system on this machine, in the foreground; Ctrl-C stops the services. */
async function main(): Promise<void> {
  const settings = stackSettings();
  await stackUp(settings);
  const children = new Map<ServiceName, ChildProcess>();
  // One stop for every caller: a second one (a service exiting while readiness is awaited)
  // waits for it too, rather than carry on as if the services were up.
  let stopping: Promise<never> | undefined;
  const stop = (code: number): Promise<never> =>
    (stopping ??= (async () => {
      log('stopping services');
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        ),
      );
      log('services stopped; the broker keeps running (npm run stack:down stops it)');
      return process.exit(code);
    })());
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const urls: [ServiceName, string][] = [];
  for (const service of SERVICES) {
    const env = serviceEnv(service, settings);
    const child = startService(service, env);
    children.set(service, child);
    child.on('exit', (code) => {
      if (stopping === undefined) {
        log(`${service} exited unexpectedly (code ${code})`);
        void stop(1);
      }
    });
    urls.push([service, `http://${env['HOST'] ?? '127.0.0.1'}:${env['PORT']}`]);
  }
  try {
    await Promise.all(urls.map(([service, url]) => waitReady(service, url, children.get(service) as ChildProcess)));
  } catch (error) {
    // Left running, the others would hold their ports against the next start.
    log(`${(error as Error).message}: stopping the services started`);
    await stop(1);
  }

  const lines = [
    '',
    'ANTQ Platform is running:',
    ...urls.map(([service, url]) => `  ${service.padEnd(15)} ${url}   (API docs ${url}/docs)`),
    `  kafka           ${settings.brokers}`,
    '',
    'A development token:  npm run token -- --agency ca-nghe-an --roles admin',
    'Stop with Ctrl-C; stop the broker with npm run stack:down.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  process.exit(1);
});
