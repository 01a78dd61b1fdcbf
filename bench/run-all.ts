import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { printedFigures } from './lib/report';
import { finish, type BenchmarkModule } from './lib/runner';

/**
 * Runs every benchmark in this directory (`*.bench.js`), one after the other, or only those
 * named on the command line (`node dist/bench/run-all.js backbone`). Each prints its report
 * and ends with its JSON line; a failing benchmark is reported and the others still run.
 * The run ends with one JSON line holding every benchmark's figures and which failed.
 */
async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .sort()
    .filter((f) => !wanted.length || wanted.includes(f.replace(/\.bench\.js$/, '')));
  if (!files.length) throw new Error(`No benchmarks${wanted.length ? ` named ${wanted.join(', ')}` : ''} in ${__dirname}`);
  const failed: string[] = [];
  for (const file of files) {
    process.stderr.write(`[bench] ${file}\n`);
    try {
      const benchmark = (await import(join(__dirname, file))) as BenchmarkModule;
      await benchmark.main();
    } catch (error) {
      failed.push(file.replace(/\.bench\.js$/, ''));
      process.stderr.write(`[bench] ${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  process.stdout.write(JSON.stringify({ benchmark: 'all', failed, ...Object.fromEntries(printedFigures) }) + '\n');
  return failed.length ? 1 : 0;
}

main().then(finish, (error: unknown) => {
  process.stderr.write(`[bench] ${error instanceof Error ? error.message : String(error)}\n`);
  finish(1);
});
