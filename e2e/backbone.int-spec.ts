import { randomUUID } from 'node:crypto';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { UnitsRegistryModule, UNITS_REGISTRY } from '@antq/app-units-registry';
import { deadLetterTopic, EVENT_TOPICS, type CloudEvent, type UnitCreatedData } from '@antq/contracts';
import { InboxPruner } from '@antq/messaging';
import {
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  headerText,
  produceRaw,
  runTopic,
  startTestService,
  testKafka,
  testToken,
  TopicRecorder,
  uniqueRunId,
  unitCreatedEvent as testUnitCreatedEvent,
  type RunningService,
} from '@antq/testing';

const runId = uniqueRunId();
const kafka = testKafka();
const token = testToken('ca-nghe-an', ['admin'], 'backbone-test');
let registry: RunningService;
let replicas: RunningService[];

async function createUnit(body: Record<string, unknown>) {
  const response = await fetch(`${registry.url}/units`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-correlation-id': `corr-${runId}` },
    body: JSON.stringify(body),
  });
  expect({ status: response.status, correlationId: response.headers.get('x-correlation-id') }).toEqual({ status: 201, correlationId: `corr-${runId}` });
  return (await response.json()) as { id: string; version: number };
}

async function replicaRow(service: RunningService, unitId: string) {
  const rows = (await service.dataSource.query('SELECT * FROM replica_units WHERE unit_id = $1', [unitId])) as Record<string, unknown>[];
  return rows[0];
}

async function processedCount(service: RunningService, eventId: string): Promise<number> {
  const [row] = (await service.dataSource.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', [eventId])) as { n: number }[];
  return row.n;
}

function unitCreatedEvent(data: Partial<UnitCreatedData> = {}): CloudEvent<UnitCreatedData> {
  return testUnitCreatedEvent(data, { principal: 'backbone-test', correlationId: `corr-${runId}` });
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  registry = await startTestService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), runId);
  replicas = await Promise.all([
    startTestService(ASSESSMENTS, (env) => AssessmentsModule.forRoot(env), runId),
    startTestService(CAMPAIGNS, (env) => CampaignsModule.forRoot(env), runId),
    startTestService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), runId),
  ]);
});

afterAll(async () => {
  await dropTestDatabases([registry, ...replicas].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

describe('the event backbone', () => {
  it('carries a unit created over HTTP into the replica of every other service', async () => {
    const province = await createUnit({ code: `NA-${runId}`, name: 'Tỉnh Nghệ An', kind: 'province', subtype: 'tinh', effectiveFrom: '2024-01-01' });
    const district = await createUnit({ code: `NA-${runId}-NL`, name: 'Huyện Nghi Lộc', kind: 'district', subtype: 'huyen', parentId: province.id, effectiveFrom: '2024-01-01' });
    const commune = await createUnit({
      code: `NA-${runId}-XA1`,
      name: 'Xã Nghi Long',
      kind: 'commune',
      subtype: 'xa',
      parentId: district.id,
      tags: ['coastal'],
      effectiveFrom: '2024-01-01',
    });

    for (const service of replicas) {
      const row = await eventually(async () => {
        const found = await replicaRow(service, commune.id);
        expect(found).toBeDefined();
        return found;
      });
      expect(row).toMatchObject({
        unit_id: commune.id,
        code: `NA-${runId}-XA1`,
        name: 'Xã Nghi Long',
        kind: 'commune',
        subtype: 'xa',
        parent_id: district.id,
        tags: ['coastal'],
        version: 1,
      });
    }
  });

  it('publishes a CloudEvent keyed by the unit id, with the acting agency and correlation id', async () => {
    const recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.units.name)).start();
    try {
      const unit = await createUnit({ code: `NA-${runId}-ENV`, name: 'Tỉnh Hà Tĩnh', kind: 'province' });
      const message = await eventually(() => {
        const found = recorder.messages.find((m) => m.key?.toString() === unit.id);
        expect(found).toBeDefined();
        return found!;
      });
      const event = JSON.parse(message.value!.toString()) as CloudEvent<UnitCreatedData>;
      expect(event).toMatchObject({
        specversion: '1.0',
        type: 'antq.units.unit-created.v1',
        source: '/antq/units-registry',
        subject: unit.id,
        agency: 'ca-nghe-an',
        principal: 'backbone-test',
        correlationid: `corr-${runId}`,
        data: { unitId: unit.id, name: 'Tỉnh Hà Tĩnh', version: 1 },
      });
      expect(headerText(message.headers, 'ce_type')).toBe('antq.units.unit-created.v1');
      expect(headerText(message.headers, 'content-type')).toContain('application/cloudevents+json');
    } finally {
      await recorder.stop();
    }
  });

  it('applies an event delivered twice only once', async () => {
    const event = unitCreatedEvent();
    const topic = runTopic(runId, EVENT_TOPICS.units.name);
    const record = { key: event.subject, value: JSON.stringify(event) };
    await produceRaw(kafka, topic, [record]);
    for (const service of replicas) await eventually(async () => expect(await replicaRow(service, event.subject)).toBeDefined());
    const before = await Promise.all(replicas.map((s) => replicaRow(s, event.subject)));

    // The same event again, and a copy with the same id that would change the unit if applied.
    const tampered = { ...event, data: { ...event.data, name: 'Đã sửa', version: 2 } };
    await produceRaw(kafka, topic, [record, { key: event.subject, value: JSON.stringify(tampered) }]);
    const marker = unitCreatedEvent();
    await produceRaw(kafka, topic, [{ key: marker.subject, value: JSON.stringify(marker) }]);
    for (const service of replicas) await eventually(async () => expect(await replicaRow(service, marker.subject)).toBeDefined());

    const after = await Promise.all(replicas.map((s) => replicaRow(s, event.subject)));
    expect(after).toEqual(before);
    for (const service of replicas) expect(await processedCount(service, event.id)).toBe(1);
  });

  it('forgets processed event ids older than the retention, and only those', async () => {
    const [service] = replicas;
    const [old, recent] = [randomUUID(), randomUUID()];
    await service.dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, event_type, processed_at)
       VALUES ('retention-test', $1, 'antq.units.unit-created.v1', now() - interval '31 days'),
              ('retention-test', $2, 'antq.units.unit-created.v1', now() - interval '29 days')`,
      [old, recent],
    );
    expect(await service.app.get(InboxPruner).prune(30)).toBe(1);
    expect(await processedCount(service, old)).toBe(0);
    expect(await processedCount(service, recent)).toBe(1);
  });

  it('dead-letters a malformed event with its error and goes on with the next one', async () => {
    const topic = runTopic(runId, EVENT_TOPICS.units.name);
    const poisonKey = randomUUID();
    const invalid = unitCreatedEvent({ kind: 'planet' as never });
    const good = unitCreatedEvent();
    await produceRaw(kafka, topic, [
      { key: poisonKey, value: '{ not json' },
      { key: invalid.subject, value: JSON.stringify(invalid) },
      { key: good.subject, value: JSON.stringify(good) },
    ]);

    for (const service of replicas) await eventually(async () => expect(await replicaRow(service, good.subject)).toBeDefined());
    for (const service of replicas) {
      expect(await replicaRow(service, invalid.subject)).toBeUndefined();
      const dlq = await new TopicRecorder(kafka, runTopic(runId, deadLetterTopic(service.definition.service).name)).start();
      try {
        const [notJson, badPayload] = await eventually(() => {
          const a = dlq.messages.find((m) => m.key?.toString() === poisonKey);
          const b = dlq.messages.find((m) => m.key?.toString() === invalid.subject);
          expect(a && b).toBeTruthy();
          return [a!, b!];
        });
        expect(headerText(notJson.headers, 'dlq-error')).toContain('not JSON');
        expect(headerText(badPayload.headers, 'dlq-error')).toContain('data.kind');
        expect(headerText(badPayload.headers, 'dlq-source-topic')).toBe(topic);
        expect(badPayload.value?.toString()).toBe(JSON.stringify(invalid));
      } finally {
        await dlq.stop();
      }
    }
  });

  it('never lets an older version overwrite a newer one', async () => {
    const topic = runTopic(runId, EVENT_TOPICS.units.name);
    const newer = unitCreatedEvent({ name: 'Phiên bản 2', version: 2 });
    const older = unitCreatedEvent({ unitId: newer.data.unitId, code: newer.data.code, name: 'Phiên bản 1', version: 1 });
    await produceRaw(kafka, topic, [
      { key: newer.subject, value: JSON.stringify(newer) },
      { key: older.subject, value: JSON.stringify(older) },
    ]);
    for (const service of replicas) {
      await eventually(async () => expect(await processedCount(service, older.id)).toBe(1));
      expect(await replicaRow(service, newer.subject)).toMatchObject({ name: 'Phiên bản 2', version: 2 });
    }
  });

  it('shuts down gracefully: the consumer commits and leaves its group', async () => {
    const notifications = replicas[2];
    const marker = unitCreatedEvent();
    await produceRaw(kafka, runTopic(runId, EVENT_TOPICS.units.name), [{ key: marker.subject, value: JSON.stringify(marker) }]);
    await eventually(async () => expect(await replicaRow(notifications, marker.subject)).toBeDefined());
    await notifications.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([`${runId}.notifications`]);
      expect(groups[0]).toMatchObject({ state: 'Empty', members: [] });
      const offsets = await admin.fetchOffsets({ groupId: `${runId}.notifications`, topics: [runTopic(runId, EVENT_TOPICS.units.name)] });
      const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      const latest = await admin.fetchTopicOffsets(runTopic(runId, EVENT_TOPICS.units.name));
      expect(committed).toBe(latest.reduce((sum, p) => sum + Number(p.offset), 0));
    } finally {
      await admin.disconnect();
    }
  });
});
