import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import { CLOUD_EVENTS_CONTENT_TYPE, deadLetterTopic, EVENT_TOPICS, REDRIVEN_FROM_HEADER } from '@antq/contracts';
import { readDeadLetters } from '@antq/messaging';
import {
  awaitCommitted,
  awaitReplicated,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  produceRaw,
  runScript,
  runTopic,
  startTestService,
  testRunEnv,
  testKafka,
  uniqueRunId,
  unitCreatedEvent,
  type RunningService,
} from '@antq/testing';

const CLI = resolve(__dirname, '..', 'dist/tools/run/dead-letters.js');
const runId = uniqueRunId();
const kafka = testKafka();
const unitsTopic = runTopic(runId, EVENT_TOPICS.units.name);
const dlqTopic = runTopic(runId, deadLetterTopic(NOTIFICATIONS.service).name);
let notifications: RunningService;

function deadLetters(args: string[]) {
  return runScript(CLI, args, testRunEnv(runId));
}

/** Waits until the notifications consumer has committed everything the units topic holds. */
const consumedAll = () => awaitCommitted(kafka, `${runId}.notifications`, unitsTopic);

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  notifications = await startTestService(NOTIFICATIONS, NotificationsModule.forRoot, runId);
});

afterAll(async () => {
  await dropTestDatabases(notifications ? [notifications] : []);
  await deleteRunTopics(runId, kafka);
});

it('lists what a consumer parked and redrives the chosen dead letters to their source topic once the cause is gone', async () => {
  // A record no release can read, parked by the running consumer.
  await produceRaw(kafka, unitsTopic, [{ key: 'poison-1', value: '{"specversion": "1.0", "id": ' }]);
  // A good event that an earlier release failed on (say, a handler bug since fixed), as its consumer parked it.
  const unitId = randomUUID();
  const event = unitCreatedEvent({ unitId, code: `DLQ-${unitId.slice(0, 8)}` });
  await produceRaw(kafka, dlqTopic, [
    {
      key: unitId,
      value: JSON.stringify(event),
      headers: {
        'content-type': CLOUD_EVENTS_CONTENT_TYPE,
        ce_id: event.id,
        ce_type: event.type,
        'dlq-error': 'relation "replica_units_v0" does not exist',
        'dlq-error-type': 'QueryFailedError',
        'dlq-attempts': '3',
        'dlq-consumer': `${runId}.notifications`,
        'dlq-source-topic': unitsTopic,
        'dlq-source-partition': '0',
        'dlq-source-offset': '41',
        'dlq-failed-at': '2026-11-20T03:00:00.000Z',
      },
    },
  ]);
  await eventually(async () => expect(await readDeadLetters(kafka, dlqTopic)).toHaveLength(2));
  // The consumer counted the unreadable record as dead-lettered.
  const metrics = await (await fetch(`${notifications.url}/metrics`)).text();
  expect(metrics).toMatch(/antq_events_consumed_total\{[^}]*type="invalid",outcome="dead-lettered"[^}]*\} [1-9]/);

  const listed = await deadLetters(['list', 'notifications', '--json']);
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  const letters = JSON.parse(listed.stdout) as { offset: string; eventId: string | null; error: string; sourceTopic: string; attempts: number; value: string }[];
  const poison = letters.find((l) => l.eventId === null);
  expect(poison).toMatchObject({ sourceTopic: unitsTopic, error: expect.stringContaining('not JSON'), value: '{"specversion": "1.0", "id": ' });
  expect(letters.find((l) => l.eventId === event.id)).toMatchObject({ sourceTopic: unitsTopic, attempts: 3, error: 'relation "replica_units_v0" does not exist' });
  const readable = await deadLetters(['list', 'notifications']);
  expect(readable.stdout).toContain(`${dlqTopic}: 2 dead letter(s)`);
  expect(readable.stdout).toContain(`antq.units.unit-created.v1 ${event.id}`);

  // Choosing nothing, or something the topic does not hold, redrives nothing.
  expect(await deadLetters(['redrive', 'notifications'])).toMatchObject({ code: 2, stderr: expect.stringContaining('exactly one of --offset, --event-id or --all') });
  expect(await deadLetters(['redrive', 'notifications', '--event-id', `${event.id},${randomUUID()}`])).toMatchObject({ code: 1, stderr: expect.stringContaining('nothing was redriven') });
  expect(await readDeadLetters(kafka, dlqTopic)).toHaveLength(2);

  const redriven = await deadLetters(['redrive', 'notifications', '--event-id', event.id]);
  expect(redriven).toMatchObject({ code: 0, stdout: expect.stringContaining('redrove 1 dead letter(s)') });
  await awaitReplicated(notifications, [unitId]);

  // Redriving it again changes nothing: the consumer drops the event by its id.
  expect((await deadLetters(['redrive', 'notifications', '--event-id', event.id])).code).toBe(0);
  await consumedAll();
  const [{ n }] = (await notifications.dataSource.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', [event.id])) as { n: number }[];
  expect(n).toBe(1);
  expect(await notifications.dataSource.query('SELECT version FROM replica_units WHERE unit_id = $1', [unitId])).toEqual([{ version: 1 }]);

  const offsetOfPoison = (poison as { offset: string }).offset;
  // The unreadable record goes back, fails again, and is parked again, saying where it came from.
  expect((await deadLetters(['redrive', 'notifications', '--offset', offsetOfPoison])).code).toBe(0);
  const after = await eventually(async () => {
    const all = await readDeadLetters(kafka, dlqTopic);
    expect(all).toHaveLength(3);
    return all;
  });
  expect(after[2]).toMatchObject({ eventId: null, redrivenFrom: `${dlqTopic}[0]@${offsetOfPoison}`, sourceTopic: unitsTopic });
  expect(after[2].headers[REDRIVEN_FROM_HEADER]?.toString()).toBe(`${dlqTopic}[0]@${offsetOfPoison}`);
}, 120_000);

it('asks for partition:offset when an offset alone names dead letters on several partitions', async () => {
  const campaignsDlq = runTopic(runId, deadLetterTopic('campaigns').name);
  const target = runTopic(runId, 'redrive-target');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic: campaignsDlq, count: 2 }] });
    await admin.createTopics({ topics: [{ topic: target, numPartitions: 1 }], waitForLeaders: true });
    const letter = (partition: number) => ({
      key: `letter-${partition}`,
      partition,
      value: `{"letter": ${partition}}`,
      headers: { 'dlq-error': 'not an event', 'dlq-error-type': 'InvalidEventError', 'dlq-attempts': '1', 'dlq-source-topic': target },
    });
    await produceRaw(kafka, campaignsDlq, [letter(0), letter(1)]);

    expect(await deadLetters(['redrive', 'campaigns', '--offset', '0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('write them as partition:offset') });
    expect(await readDeadLetters(kafka, target)).toEqual([]);
    expect(await deadLetters(['redrive', 'campaigns', '--offset', '1:0'])).toMatchObject({ code: 0, stdout: expect.stringContaining('redrove 1 dead letter(s)') });
    const redriven = await readDeadLetters(kafka, target);
    expect(redriven.map((l) => [l.key, l.redrivenFrom])).toEqual([['letter-1', `${campaignsDlq}[1]@0`]]);
  } finally {
    await admin.deleteTopics({ topics: [target] }).catch(() => undefined);
    await admin.disconnect();
  }
}, 60_000);
