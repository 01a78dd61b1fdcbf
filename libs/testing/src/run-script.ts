import { spawn } from 'node:child_process';

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
