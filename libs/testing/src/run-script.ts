import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { testRunEnv } from './test-env';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a built command-line script (`dist/...js`) in a Node process of its own, as an operator would. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** The Nghệ An subset of Vietnam's 2025 mapping file, kept as a test fixture. */
export const NGHE_AN_MAPPING = resolve(__dirname, '../../../apps/units-registry/test/fixtures/vn-admin-nghe-an.json');

/**
 * The built import command, run as an operator runs it beside `npm start`: into the test
 * registry's database (named as the local stack names it), publishing under the run's topics.
 */
export function runImportCommand(registry: { databaseUrl: string }, runId: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ScriptResult> {
  return runScript(resolve(__dirname, '../../../dist/apps/units-registry/src/import/cli.js'), args, {
    UNITS_REGISTRY_DATABASE_URL: registry.databaseUrl,
    ...testRunEnv(runId),
    LOG_LEVEL: 'warn',
    ...env,
  });
}
