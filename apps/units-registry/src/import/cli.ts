import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { MultiBar, Presets } from 'cli-progress';
import { ClsService } from 'nestjs-cls';
import type { Actor } from '@antq/contracts';
import { OutboxRelay, type AntqClsStore } from '@antq/messaging';
import { Clock, ConfigError, DomainError, ServiceConfig } from '@antq/platform';
import { UnitsRegistryModule } from '../app.module';
import { TreeService } from '../tree/tree.service';
import { importEnvironment, parseImportArgs, USAGE, UsageError, type ImportCommand } from './cli-options';
import { readImportFile, type ImportInput } from './import-file';
import { describePosition, ImportFileError, ImportRejectedError } from './unit-import-row';
import { UnitImporter } from './unit-importer';

async function main(): Promise<number> {
  let options: ImportCommand;
  try {
    options = parseImportArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let input: ImportInput;
  try {
    // Before any connection: a file the command cannot use costs nothing and touches nothing.
    input = readImportFile(options);
  } catch (error) {
    if (!(error instanceof ImportFileError || error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const actor: Actor = { agency: input.agency, principal: `cli:${userInfo().username}`, roles: ['admin'] };

  const app = await NestFactory.createApplicationContext(UnitsRegistryModule.forRoot(importEnvironment(process.env)), { logger: ['error', 'warn'] });
  const bars = new MultiBar(
    { format: ' {phase} [{bar}] {value}/{total} {unit}', hideCursor: true, clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 2_000 },
    Presets.shades_classic,
  );
  try {
    const cls = app.get<ClsService<AntqClsStore>>(ClsService);
    const relay = app.get(OutboxRelay);
    const backlogBefore = await relay.backlog();
    const started = Date.now();
    let summary: object = {};
    await cls.run(async () => {
      cls.set('correlationId', `import-${randomUUID()}`);
      cls.set('actor', actor);
      if (input.command === 'units') {
        const { rows, rejections } = input;
        const bar = bars.create(rows.length, 0, { phase: 'importing ', unit: 'units' });
        const result = await app.get(UnitImporter).import(rows, actor, input.effectiveFrom ?? app.get(Clock).today(), (done) => bar.update(done), rejections);
        bar.update(rows.length);
        summary = { created: result.created };
      } else {
        const { rows, plan, treeFrom, reorganise } = input;
        const bar = bars.create(rows.length, 0, { phase: 'old tree  ', unit: 'units' });
        const tree = app.get(TreeService);
        const importer = app.get(UnitImporter);
        summary = await tree.change(actor, async (set) => {
          const created = await importer.createAll(set, rows, treeFrom, (done) => bar.update(done));
          bar.update(rows.length);
          await set.flush();
          const treeSeconds = (Date.now() - started) / 1000;
          if (!reorganise) return { ...created, treeSeconds };
          const reorganisation = await tree.applyReorganisation(set, plan);
          return { ...created, treeSeconds, reorganisation };
        }, { structure: reorganise ? 'exclusive' : 'shared' });
      }
    });
    const committedSeconds = (Date.now() - started) / 1000;
    summary = { ...summary, committedSeconds };
    if (!app.get(ServiceConfig).OUTBOX_RELAY_ENABLED) {
      bars.stop();
      process.stdout.write(`${JSON.stringify(summary)}\nevents wait in the outbox for the registry's relay\n`);
      return 0;
    }
    const written = (await relay.backlog()) - backlogBefore;
    const publishing = bars.create(Math.max(written, 1), 0, { phase: 'publishing', unit: 'events' });
    // A relay that cannot reach a broker would keep the command waiting for ever: it gives up once
    // no event has been published for the timeout, the import being committed all the same.
    let lowest = Infinity;
    let progressed = Date.now();
    for (let backlog = await relay.backlog(); backlog > 0; backlog = await relay.backlog()) {
      if (backlog < lowest) {
        lowest = backlog;
        progressed = Date.now();
      }
      if (Date.now() - progressed >= input.publishTimeout * 1000) {
        bars.stop();
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        process.stderr.write(
          `the import is committed, but no event was published for ${input.publishTimeout} s (can a relay reach a broker?): ` +
            `${backlog} unpublished event${backlog === 1 ? ' waits' : 's wait'} in the outbox for the registry's relay\n`,
        );
        return 3;
      }
      publishing.update(Math.max(0, written - backlog));
      await new Promise((r) => setTimeout(r, 200));
    }
    publishing.update(Math.max(written, 1));
    bars.stop();
    process.stdout.write(`${JSON.stringify(summary)}\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (error) {
    bars.stop();
    if (error instanceof ImportRejectedError) {
      process.stderr.write(`${error.message}:\n${error.rejections.map((r) => `  ${describePosition(r)}${r.code ? ` (${r.code})` : ''}: ${r.reason}`).join('\n')}\n`);
      return 1;
    }
    if (error instanceof DomainError) {
      process.stderr.write(`import refused: ${error.message}\nnothing was imported\n`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `import failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
