import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssessmentsModule, ASSESSMENTS, DerivationWorker } from '@antq/app-assessments';
import { CampaignsModule, CampaignsService, CAMPAIGNS } from '@antq/app-campaigns';
import { CREATING, readVnAdmin, TreeService, UnitImporter, UnitsRegistryModule, UNITS_REGISTRY, type VnAdminFile } from '@antq/app-units-registry';
import { EVENT_TOPICS, type Actor } from '@antq/contracts';
import type { AntqClsStore } from '@antq/messaging';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  DRUG_FREE_RESULTS,
  eventually,
  runTopic,
  SettableClock,
  startTestService,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';
import { ClsService } from 'nestjs-cls';

/**
 * The Nghệ An 2024 plan on Nghệ An's real units (412 communes in 20 districts before the 2025
 * reorganisation): 105 more communes drug-free, and six named districts drug-free. The year
 * is replayed month by month on the real services (their own databases and topics on the
 * local broker), with the campaigns service's business date set to each month's end: slow
 * spring, a target at risk, the summer push, both achieved. Then the 2025 reorganisation is
 * applied, and the 2024 result stands.
 */
const FIXTURE = resolve(__dirname, '../../apps/units-registry/test/fixtures/vn-admin-nghe-an.json');
const NAMED_DISTRICTS = ['Thị Xã Thái Hòa', 'Huyện Con Cuông', 'Huyện Quế Phong', 'Huyện Tương Dương', 'Huyện Nghi Lộc', 'Huyện Thanh Chương'];
/** Communes recognised for 2023 (the baseline), renewed in January 2024. */
const ALREADY_DRUG_FREE = 12;
/** New communes recognised in each month of 2024, January to December. */
const NEW_PER_MONTH = [2, 3, 4, 5, 6, 7, 12, 14, 16, 18, 15, 5];
const ACTOR: Actor = { agency: 'so-noi-vu-nghe-an', principal: 'importer', roles: ['admin'] };

interface Unit {
  id: string;
  name: string;
  kind: string;
  parent_id: string | null;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
/** Rows in one of a service's tables. */
async function rowCount(service: RunningService, table: string): Promise<number> {
  return ((await service.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0].n;
}
const monthEnd = (month: number) => new Date(Date.UTC(2024, month, 0)).toISOString().slice(0, 10);

async function main(): Promise<void> {
  const runId = `demo${uniqueRunId()}`;
  const kafka = testKafka();
  // The campaigns service's business date, stepped through 2024.
  const clock = new SettableClock('2024-01-01');
  const services: RunningService[] = [];
  await createRunTopics(runId, kafka);
  let recorder: TopicRecorder | undefined;
  try {
    const env = { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' };
    const registry = await startTestService(UNITS_REGISTRY, (e) => UnitsRegistryModule.forRoot(e), runId, env);
    services.push(registry);
    const assessments = await startTestService(ASSESSMENTS, (e) => AssessmentsModule.forRoot(e), runId, env);
    services.push(assessments);
    const campaigns = await startTestService(CAMPAIGNS, (e) => CampaignsModule.forRoot(e, { clock }), runId, env);
    services.push(campaigns);
    recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.campaigns.name)).start();

    // The registry: Nghệ An as it stood in 2024, and the plan of its 1 July 2025 reorganisation.
    const { rows, plan } = readVnAdmin(JSON.parse(readFileSync(FIXTURE, 'utf8')) as VnAdminFile, '2020-01-01', '2025-07-01');
    const cls = registry.app.get<ClsService<AntqClsStore>>(ClsService);
    const asImporter = <T>(work: () => Promise<T>) =>
      cls.run(() => {
        cls.set('actor', ACTOR);
        cls.set('correlationId', `demo-${runId}`);
        return work();
      });
    const tree = registry.app.get(TreeService);
    await asImporter(() => tree.change(ACTOR, (set) => registry.app.get(UnitImporter).createAll(set, rows, '2020-01-01'), CREATING));
    const versions = (service: RunningService) => rowCount(service, 'replica_unit_versions');
    const registered = await rowCount(registry, 'unit_versions');
    await eventually(async () => {
      for (const replica of [assessments, campaigns]) if ((await versions(replica)) < registered) throw new Error('replicas still filling');
    }, 60_000, 200);
    const units = (await campaigns.dataSource.query('SELECT unit_id AS id, name, kind, parent_id FROM replica_units')) as Unit[];
    const find = (kind: string, name?: string) => {
      const found = units.find((u) => u.kind === kind && (!name || u.name === name));
      if (!found) throw new Error(`No ${kind} ${name ?? ''} in the data`);
      return found;
    };
    const province = find('province');
    const districts = NAMED_DISTRICTS.map((name) => find('district', name));
    const communesOf = (district: Unit) => units.filter((u) => u.parent_id === district.id).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    const communes = units.filter((u) => u.kind === 'commune');
    const named = new Set(districts.map((d) => d.id));
    const elsewhere = communes.filter((c) => !named.has(c.parent_id ?? '')).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    say(`Nghệ An in 2024: ${communes.length} communes in ${units.filter((u) => u.kind === 'district').length} districts, from the registry's real data.`);

    // Recognition: the commune assesses itself, the provincial police verify, the district committee recognises.
    const assessor = (unit: Unit) => new ApiClient(assessments.url, testToken('ubnd-xa', ['assessor'], 'can-bo-xa', [unit.id]));
    const police = new ApiClient(assessments.url, testToken('ca-nghe-an', ['verifier'], 'pc04', [province.id]));
    const committee = new ApiClient(assessments.url, testToken('ubnd-huyen', ['recogniser'], 'chu-tich', [province.id]));
    const recognise = async (unit: Unit, decisionDate: string) => {
      const cycle = Number(decisionDate.slice(0, 4));
      const draft = await assessor(unit).post('/assessments', { unitId: unit.id, programme: 'drug-free', cycle, results: DRUG_FREE_RESULTS, evidence: ['doc://bao-cao-tu-danh-gia.pdf'] });
      if (draft.status !== 201) throw new Error(`Drafting for ${unit.name}: ${JSON.stringify(draft.body)}`);
      for (const [client, step, body] of [
        [assessor(unit), 'submit', {}],
        [police, 'verify', { comment: 'Đạt tiêu chí' }],
        [committee, 'recognise', { decisionNumber: `${cycle}/QĐ-UBND-${unit.name}`, decisionDate }],
      ] as const) {
        const response = await client.post(`/assessments/${draft.body.id}/${step}`, body);
        if (response.status !== 200) throw new Error(`${step} for ${unit.name}: ${JSON.stringify(response.body)}`);
      }
    };
    const settled = () =>
      eventually(async () => {
        if ((await assessments.app.get(DerivationWorker).backlog()).pending) throw new Error('districts still being derived');
        if ((await rowCount(campaigns, 'status_history')) < (await rowCount(assessments, 'unit_status_history'))) throw new Error('campaigns still catching up');
      }, 60_000, 100);

    // 2023: the communes already drug-free when the plan starts.
    const baseline = elsewhere.slice(0, ALREADY_DRUG_FREE);
    for (const [i, unit] of baseline.entries()) await recognise(unit, `2023-${String(6 + (i % 6)).padStart(2, '0')}-15`);
    await settled();

    const manager = new ApiClient(campaigns.url, testToken('ubnd-tinh-nghe-an', ['campaign-manager'], 'van-phong', [province.id]));
    const created = await manager.post('/campaigns', {
      name: 'Kế hoạch 2024: xây dựng xã, huyện không ma túy tỉnh Nghệ An',
      scopeUnitId: province.id,
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
      targets: [
        { kind: 'count', label: '105 xã có thêm đạt "không ma túy"', programme: 'drug-free', unitKind: 'commune', mode: 'increase', goal: 105 },
        { kind: 'list', label: '6 huyện đạt "không ma túy"', programme: 'drug-free', unitIds: districts.map((d) => d.id) },
      ],
    });
    if (created.status !== 201) throw new Error(`Creating the campaign: ${JSON.stringify(created.body)}`);
    const campaign = created.body as { id: string; targets: { id: string; label: string; progress: { baseline: number } }[] };
    say(`Campaign "${created.body.name}" planned on 2024-01-01; baseline captured: ${campaign.targets[0].progress.baseline} communes already drug-free.`);
    say();
    say('month end   | 105 more communes                     | 6 named districts');

    // The new communes in the order the province gets to them: a few elsewhere, then district by district.
    const queue = [...elsewhere.slice(ALREADY_DRUG_FREE, ALREADY_DRUG_FREE + 4), ...districts.flatMap(communesOf)];
    const labels = new Map(campaign.targets.map((t) => [t.id, t.label]));
    let seen = 0;
    for (const [m, count] of NEW_PER_MONTH.entries()) {
      const end = monthEnd(m + 1);
      const batch = [...(m === 0 ? baseline : []), ...queue.splice(0, count)];
      for (const [i, unit] of batch.entries()) {
        // The business date follows the decisions through the month.
        clock.date = `2024-${String(m + 1).padStart(2, '0')}-${String(1 + Math.floor((i * 27) / batch.length)).padStart(2, '0')}`;
        await recognise(unit, clock.date);
      }
      await settled();
      clock.date = end;
      await campaigns.app.get(CampaignsService).evaluateDue();
      const now = (await manager.get(`/campaigns/${campaign.id}`)).body as { targets: { progress: { value: number; goal: number; projection: number; state: string } }[] };
      const cell = (p: { value: number; goal: number; projection: number; state: string }) =>
        `${String(p.value).padStart(3)}/${p.goal}, heading for ${String(Math.round(p.projection)).padStart(3)}  ${p.state.padEnd(9)}`;
      say(`${end}  | ${cell(now.targets[0].progress).padEnd(38)}| ${cell(now.targets[1].progress)}`);
      // Print the month's transitions once the last of them has arrived on the campaigns topic.
      const stateEvents = () => recorder?.events('antq.campaigns.target-state-changed.v1') ?? [];
      await eventually(async () => {
        for (const [i, target] of campaign.targets.entries()) {
          const last = stateEvents().filter((e) => e.data.targetId === target.id).pop();
          if (last?.data.state !== now.targets[i].progress.state) throw new Error('waiting for the state events');
        }
      }, 10_000, 50);
      const recorded = stateEvents();
      const transitions = recorded.slice(seen).filter((e) => e.data.previousState);
      seen = recorded.length;
      for (const t of transitions) say(`              event: "${labels.get(t.data.targetId)}" turned ${t.data.previousState} → ${t.data.state}`);
    }

    // 1 July 2025: the district level is abolished and communes merge. The 2024 result keeps its meaning.
    say();
    const result = await asImporter(() => tree.reorganise(plan, ACTOR));
    const afterReorganisation = await rowCount(registry, 'unit_versions');
    await eventually(async () => {
      if ((await versions(campaigns)) < afterReorganisation) throw new Error('campaigns replica still filling');
    }, 120_000, 200);
    await settled();
    const rebuilt = (await new ApiClient(campaigns.url, testToken('ca-nghe-an', ['admin'])).post('/campaigns/rebuild', {})).body as { targetsChanged: number };
    const final = (await manager.get(`/campaigns/${campaign.id}`)).body as { targets: { label: string; progress: { value: number; goal: number; state: string } }[] };
    say(`After the 2025 reorganisation (${result.levelUnitsClosed} districts closed, ${result.merged} merges), recomputed from history: ${rebuilt.targetsChanged} targets changed.`);
    for (const t of final.targets) say(`  ${t.label}: ${t.progress.value}/${t.progress.goal}, ${t.progress.state}`);
  } finally {
    await recorder?.stop();
    await dropTestDatabases(services);
    await deleteRunTopics(runId, kafka);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
