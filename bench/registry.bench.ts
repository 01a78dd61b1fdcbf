import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { CREATING, readVnAdmin, TreeService, UnitImporter, UnitsRegistryModule, UNITS_REGISTRY, type VnAdminFile } from '@antq/app-units-registry';
import type { Actor } from '@antq/contracts';
import type { AntqClsStore } from '@antq/messaging';
import { createRunTopics, dropTestDatabases, startTestService, testKafka, uniqueRunId, type RunningService } from '@antq/testing';
import { ClsService } from 'nestjs-cls';
import { removeRunFromBroker } from './lib/cleanup';
import { serviceOverrides, UNTHROTTLED } from './lib/config';
import { formatRate, printReport, progress } from './lib/report';
import { runAsScript } from './lib/runner';
import { round } from './lib/stats';
import { now, waitUntil } from './lib/timing';

/**
 * The national tree: import Vietnam's pre-2025 units (63 provinces, 691 districts, 10,038
 * communes), apply the 1 July 2025 reorganisation, and wait until the replicas of the three
 * other services hold every version the registry holds.
 */
const NAME = 'registry';
const DATA = process.env['BENCH_VN_ADMIN'] ?? resolve(__dirname, '../../../shared/data/vn-admin-2025/new_to_old.json');
const ACTOR: Actor = { agency: 'antq-bench', principal: 'bench', roles: ['admin'] };

async function count(service: RunningService, sql: string): Promise<number> {
  const [row] = (await service.dataSource.query(sql)) as { n: number }[];
  return row.n;
}

export async function main(): Promise<void> {
  if (!existsSync(DATA)) throw new Error(`The national data file is missing: ${DATA} (set BENCH_VN_ADMIN)`);
  const { rows, plan } = readVnAdmin(JSON.parse(readFileSync(DATA, 'utf8')) as VnAdminFile, '2024-01-01', '2025-07-01');
  const runId = uniqueRunId();
  const kafka = testKafka();
  const env = { ...UNTHROTTLED, LOG_LEVEL: 'warn', ...serviceOverrides() };
  await createRunTopics(runId, kafka);
  const services: RunningService[] = [];
  try {
    const registry = await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env);
    services.push(registry);
    const replicas = [
      await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, env),
      await startTestService(CAMPAIGNS, (e) => CampaignsModule.forRoot(e), runId, env),
      await startTestService(NOTIFICATIONS, (e) => NotificationsModule.forRoot(e), runId, env),
    ];
    services.push(...replicas);
    const cls = registry.app.get<ClsService<AntqClsStore>>(ClsService);
    const tree = registry.app.get(TreeService);
    const importer = registry.app.get(UnitImporter);
    const asActor = <T>(work: () => Promise<T>) =>
      cls.run(() => {
        cls.set('actor', ACTOR);
        cls.set('correlationId', `bench-${runId}`);
        return work();
      });

    progress(NAME, `importing ${rows.length} units`);
    let started = now();
    await asActor(() => tree.change(ACTOR, (set) => importer.createAll(set, rows, '2024-01-01'), CREATING));
    const importSeconds = (now() - started) / 1000;

    // The reorganisation is timed on its own, not while the replicas still apply the import.
    const imported = await count(registry, 'SELECT count(*)::int AS n FROM unit_versions');
    for (const replica of replicas) {
      await waitUntil(`${replica.definition.service} to hold the import`, async () => (await count(replica, 'SELECT count(*)::int AS n FROM replica_unit_versions')) >= imported, 300_000, 100);
    }

    progress(NAME, `reorganising: ${plan.provinces.length} provinces, ${plan.communes.length} communes`);
    started = now();
    const result = await asActor(() => tree.reorganise(plan, ACTOR));
    const reorganiseSeconds = (now() - started) / 1000;

    progress(NAME, 'waiting for the replicas');
    const lastChange = now();
    const versions = await count(registry, 'SELECT count(*)::int AS n FROM unit_versions');
    const converged = new Map<string, number>();
    await Promise.all(
      replicas.map(async (replica) => {
        await waitUntil(`${replica.definition.service} to converge`, async () => (await count(replica, 'SELECT count(*)::int AS n FROM replica_unit_versions')) >= versions, 300_000, 100);
        converged.set(replica.definition.service, (now() - lastChange) / 1000);
      }),
    );
    const convergedSeconds = Math.max(...converged.values());
    const events = await count(replicas[0], 'SELECT count(*)::int AS n FROM processed_events');

    printReport({
      benchmark: NAME,
      title: 'The national unit tree: import, 2025 reorganisation, replica convergence',
      sections: [
        {
          title: 'registry (one transaction each)',
          rows: [
            ['units imported', `${rows.length.toLocaleString('en-US')}`],
            ['import', `${round(importSeconds, 2)} s (${formatRate(rows.length / importSeconds)})`],
            ['reorganisation', `${round(reorganiseSeconds, 2)} s`],
            ['  communes created / continued', `${result.communesCreated} / ${result.communesContinued}`],
            ['  merges / splits / districts closed', `${result.merged} / ${result.split} / ${result.levelUnitsClosed}`],
            ['unit versions written', versions.toLocaleString('en-US')],
          ],
        },
        {
          title: 'replicas (assessments, campaigns, notifications)',
          rows: [
            ['events each replica applied', events.toLocaleString('en-US')],
            ['converged after the last change', `${round(convergedSeconds, 2)} s`],
            ...[...converged].map(([service, seconds]) => [`  ${service}`, `${round(seconds, 2)} s`] as [string, string]),
            ['replica throughput', formatRate(events / convergedSeconds)],
          ],
        },
      ],
      notes: ['Aims: import under 10 s, reorganisation under 15 s, replicas converged under 30 s after the last change.'],
      figures: {
        units: rows.length,
        importSeconds: round(importSeconds, 2),
        reorganiseSeconds: round(reorganiseSeconds, 2),
        unitVersions: versions,
        eventsPerReplica: events,
        replicasConvergedSeconds: round(convergedSeconds, 2),
        ...Object.fromEntries([...converged].map(([service, seconds]) => [`${service}ConvergedSeconds`, round(seconds, 2)])),
      },
    });
  } finally {
    await dropTestDatabases(services);
    await removeRunFromBroker(kafka, runId, NAME);
  }
}

if (require.main === module) runAsScript(NAME, main);
