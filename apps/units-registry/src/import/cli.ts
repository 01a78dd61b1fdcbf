import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { MultiBar, Presets } from 'cli-progress';
import { ClsService } from 'nestjs-cls';
import { today, type Actor } from '@antq/contracts';
import { OutboxRelay, type AntqClsStore } from '@antq/messaging';
import { ConfigError, DomainError, ServiceConfig } from '@antq/platform';
import { UnitsRegistryModule } from '../app.module';
import { TreeService } from '../tree/tree.service';
import { ImportRejectedError, parseCsv, parseJson, validateRows } from './unit-import-row';
import { UnitImporter } from './unit-importer';
import { readVnAdmin, type VnAdminFile } from './vn-admin';

const USAGE = `Usage:
  npm run import -- units <file.csv|file.json> [--effective-from YYYY-MM-DD] [--agency CODE]
  npm run import -- vn-admin <new_to_old.json> [--province OLD_ID[,OLD_ID]] [--tree-from 2024-01-01]
                   [--reorganise-on 2025-07-01] [--no-reorganise] [--agency CODE]

units     imports units from CSV (header: code,name,kind,subtype,parent_code,tags,effective_from;
          tags separated by ;) or JSON (an array of objects with those fields).
vn-admin  builds the pre-2025 tree (provinces > districts > communes) from Vietnam's 2025
          mapping file, then applies the 1 July 2025 reorganisation.
Everything is imported in one transaction: if any row is rejected, nothing is imported and
every rejected row is listed with its line and reason. The command then waits until the
events are published (the registry service's relay, or this command's own).`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'effective-from': { type: 'string' },
      agency: { type: 'string', default: 'antq-registry-import' },
      province: { type: 'string' },
      'tree-from': { type: 'string', default: '2024-01-01' },
      'reorganise-on': { type: 'string', default: '2025-07-01' },
      'no-reorganise': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command || !file || !['units', 'vn-admin'].includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const actor: Actor = { agency: values.agency, principal: `cli:${userInfo().username}`, roles: ['admin'] };
  const text = readFileSync(file, 'utf8');

  const app = await NestFactory.createApplicationContext(UnitsRegistryModule.forRoot(process.env), { logger: ['error', 'warn'] });
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
      if (command === 'units') {
        const records = extname(file).toLowerCase() === '.csv' ? parseCsv(text) : parseJson(text);
        const { rows, rejections } = validateRows(records);
        if (rejections.length) throw new ImportRejectedError(rejections);
        const bar = bars.create(rows.length, 0, { phase: 'importing ', unit: 'units' });
        const result = await app.get(UnitImporter).import(rows, actor, values['effective-from'] ?? today(), (done) => bar.update(done));
        bar.update(rows.length);
        summary = { created: result.created };
      } else {
        const selection = values.province ? { oldProvinceIds: values.province.split(',') } : {};
        const { rows, plan } = readVnAdmin(JSON.parse(text) as VnAdminFile, values['tree-from'], values['reorganise-on'], selection);
        const bar = bars.create(rows.length, 0, { phase: 'old tree  ', unit: 'units' });
        const tree = app.get(TreeService);
        const importer = app.get(UnitImporter);
        summary = await tree.change(actor, async (set) => {
          const created = await importer.createAll(set, rows, values['tree-from'], (done) => bar.update(done));
          bar.update(rows.length);
          await set.flush();
          const treeSeconds = (Date.now() - started) / 1000;
          if (values['no-reorganise']) return { ...created, treeSeconds };
          const reorganisation = await tree.applyReorganisation(set, plan);
          return { ...created, treeSeconds, reorganisation };
        }, { structural: !values['no-reorganise'] });
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
    for (let backlog = await relay.backlog(); backlog > 0; backlog = await relay.backlog()) {
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
      process.stderr.write(`${error.message}:\n${error.rejections.map((r) => `  line ${r.line}${r.code ? ` (${r.code})` : ''}: ${r.reason}`).join('\n')}\n`);
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
