import { randomUUID } from 'node:crypto';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deadLetterTopic, EVENT_TOPICS, type CloudEvent, type UnitCreatedData } from '@antq/contracts';
import { atBatchEnd, EventConsumer, EventContext, InboxRetention1764100008000, MessagingTables1764100000000 } from '@antq/messaging';
import { PlatformModule, type Environment, type ServiceDefinition } from '@antq/platform';
import {
  awaitCommitted,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  headerText,
  produceRaw,
  type RunningService,
  runTopic,
  startTestService,
  testKafka,
  TopicRecorder,
  uniqueRunId,
  unitCreatedEvent,
  whileHolding,
} from '@antq/testing';

/**
 * A consumer whose handlers fail on purpose, on the real broker and database: a failure in
 * the handler, or in work it deferred to the end of the batch, is retried a bounded number
 * of times, then that message alone is dead-lettered and the partition moves on.
 */
class ProbeEffects1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE probe_effects (event_id uuid NOT NULL, name text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE probe_effects');
  }
}

const PROBE: ServiceDefinition = {
  service: 'campaigns',
  entities: [],
  migrations: [MessagingTables1764100000000, InboxRetention1764100008000, ProbeEffects1700000000000],
};

/** How many times each event's work was attempted, by event name. */
const attempts = new Map<string, number>();

@Controller()
class ProbeHandler {
  @EventPattern('antq.units.unit-created.v1')
  async onUnitCreated(@Payload() event: CloudEvent<UnitCreatedData>, @Ctx() context: EventContext): Promise<void> {
    const { name } = event.data;
    if (name === 'refused-by-handler') throw new Error('the handler refuses this event');
    // Holds its batch until the test lets go of the lock, so that the records behind it pile up.
    if (name === 'waits-for-test') await context.manager.query('SELECT pg_advisory_xact_lock($1)', [HOLD_LOCK]);
    // Collected per batch, as the real handlers do: a failed attempt's entries must not leak.
    const names = collected.get(context.manager) ?? [];
    names.push(name);
    collected.set(context.manager, names);
    await atBatchEnd(context.manager, 'probe', async () => {
      const batch = collected.get(context.manager) ?? [];
      collected.delete(context.manager);
      for (const each of batch) attempts.set(each, (attempts.get(each) ?? 0) + 1);
      if (batch.includes('refused-at-batch-end')) throw new Error('the deferred work refuses this event');
      // A rejection that is no Error at all, as a library's bare `reject()` gives.
      if (batch.includes('rejected-with-nothing')) return Promise.reject(undefined);
      if (batch.includes('fails-once') && attempts.get('fails-once') === 1) throw new Error('a passing failure');
      for (const each of batch) await context.manager.query('INSERT INTO probe_effects (event_id, name) VALUES ($1, $2)', [event.id, each]);
    });
  }
}

const collected = new WeakMap<object, string[]>();
const HOLD_LOCK = 0x686f6c64;

@Module({ controllers: [ProbeHandler] })
class ProbeModule {
  static forRoot(env: Environment): DynamicModule {
    return { module: ProbeModule, imports: [PlatformModule.forRoot(PROBE, env)] };
  }
}

const runId = uniqueRunId();
const kafka = testKafka();
let probe: RunningService;

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  probe = await startTestService(PROBE, (env) => ProbeModule.forRoot(env), runId, { CONSUMER_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  await dropTestDatabases([probe].filter(Boolean));
  await deleteRunTopics(runId, kafka);
});

it('dead-letters only the failing messages of a batch, after bounded retries, and applies the others once', async () => {
  const unitId = (unitCreatedEvent().data as UnitCreatedData).unitId;
  // One key: one partition, one batch, in this order.
  const events = ['first', 'refused-by-handler', 'second', 'refused-at-batch-end', 'fails-once', 'last'].map((name) =>
    unitCreatedEvent({ unitId, name }),
  );
  const dlq = await new TopicRecorder(kafka, runTopic(runId, deadLetterTopic(PROBE.service).name)).start();
  try {
    await produceRaw(
      kafka,
      runTopic(runId, EVENT_TOPICS.units.name),
      events.map((event) => ({ key: unitId, value: JSON.stringify(event) })),
    );
    const applied = await eventually(async () => {
      const rows = (await probe.dataSource.query('SELECT name FROM probe_effects ORDER BY name')) as { name: string }[];
      expect(rows.map((r) => r.name)).toContain('last');
      return rows.map((r) => r.name);
    });
    expect(applied).toEqual(['fails-once', 'first', 'last', 'second']);

    const letters = await eventually(() => {
      expect(dlq.messages).toHaveLength(2);
      return dlq.messages;
    });
    const byName = new Map(letters.map((m) => [(JSON.parse(m.value!.toString()) as CloudEvent<UnitCreatedData>).data.name, m]));
    for (const [name, error] of [
      ['refused-by-handler', 'the handler refuses this event'],
      ['refused-at-batch-end', 'the deferred work refuses this event'],
    ]) {
      const letter = byName.get(name);
      expect(letter).toBeDefined();
      expect(headerText(letter!.headers, 'dlq-error')).toBe(error);
      expect(headerText(letter!.headers, 'dlq-attempts')).toBe('3');
    }
    // Redelivery of the same ids later changes nothing: the applied ones are recorded, the
    // dead-lettered ones are not (they can be redriven).
    const [processed] = (await probe.dataSource.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1::uuid[])', [
      events.map((e) => e.id),
    ])) as { n: number }[];
    expect(processed.n).toBe(4);
  } finally {
    await dlq.stop();
  }
});

it('dead-letters a message whose deferred work rejects with no error at all, and goes on', async () => {
  const unitId = (unitCreatedEvent().data as UnitCreatedData).unitId;
  // Alone in their batch, so that nothing else sends the batch down the careful path first.
  const events = ['rejected-with-nothing', 'after-nothing'].map((name) => unitCreatedEvent({ unitId, name }));
  const dlq = await new TopicRecorder(kafka, runTopic(runId, deadLetterTopic(PROBE.service).name)).start();
  try {
    await produceRaw(kafka, runTopic(runId, EVENT_TOPICS.units.name), events.map((event) => ({ key: unitId, value: JSON.stringify(event) })));
    await eventually(async () => {
      const rows = (await probe.dataSource.query('SELECT name FROM probe_effects WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.id)])) as { name: string }[];
      expect(rows.map((r) => r.name)).toEqual(['after-nothing']);
    });
    const letter = await eventually(() => {
      const found = dlq.messages.find((m) => (JSON.parse(m.value!.toString()) as CloudEvent<UnitCreatedData>).data.name === 'rejected-with-nothing');
      expect(found).toBeDefined();
      return found!;
    });
    expect(headerText(letter.headers, 'dlq-error')).toBe('undefined');
  } finally {
    await dlq.stop();
  }
});

it('applies an event whose id is written in capitals once, and its redelivery never', async () => {
  const event = unitCreatedEvent({ name: 'in-capitals' });
  const shouted = { ...event, id: event.id.toUpperCase() };
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  await produceRaw(kafka, topic, [{ key: event.subject, value: JSON.stringify(shouted) }]);
  const effects = () => probe.dataSource.query('SELECT name FROM probe_effects WHERE event_id = $1', [event.id]) as Promise<{ name: string }[]>;
  await eventually(async () => expect(await effects()).toEqual([{ name: 'in-capitals' }]));
  await produceRaw(kafka, topic, [{ key: event.subject, value: JSON.stringify(event) }]);
  await awaitCommitted(kafka, `${runId}.${PROBE.service}`, topic);
  expect(await effects()).toEqual([{ name: 'in-capitals' }]);
});

it('settles batches of event types it does not handle without effect, counts them, and moves on', async () => {
  const unitId = (unitCreatedEvent().data as UnitCreatedData).unitId;
  // Types of a newer release or another consumer's share of the topic.
  const foreign = [1, 2, 3].map(() => ({ ...unitCreatedEvent({ unitId }), id: randomUUID(), type: 'antq.units.unit-audited.v1' }));
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  await produceRaw(kafka, topic, foreign.map((event) => ({ key: unitId, value: JSON.stringify(event) })));

  await awaitCommitted(kafka, `${runId}.${PROBE.service}`, topic);
  const metrics = await (await fetch(`${probe.url}/metrics`)).text();
  expect(metrics).toMatch(/antq_events_consumed_total\{[^}]*type="antq\.units\.unit-audited\.v1",outcome="ignored"[^}]*\} 3\n/);
  const [processed] = (await probe.dataSource.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1::uuid[])', [
    foreign.map((e) => e.id),
  ])) as { n: number }[];
  expect(processed.n).toBe(0);
});

it('dead-letters a batch whose dead letters are more than the broker takes in one request, in several, and goes on', async () => {
  const unitId = (unitCreatedEvent().data as UnitCreatedData).unitId;
  const topic = runTopic(runId, EVENT_TOPICS.units.name);
  const dlq = await new TopicRecorder(kafka, runTopic(runId, deadLetterTopic(PROBE.service).name)).start();
  await whileHolding(probe.dataSource, (held) => held.query('SELECT pg_advisory_xact_lock($1)', [HOLD_LOCK]), async () => {
    await produceRaw(kafka, topic, [{ key: unitId, value: JSON.stringify(unitCreatedEvent({ unitId, name: 'waits-for-test' })) }]);
    // A megabyte of unreadable records behind it (250 of 4 kB, in requests the broker takes), then a good event:
    // the next batch holds them all, and their dead letters with their headers come to more than 1 MB.
    const unreadable = Array.from({ length: 250 }, (_, i) => ({ key: unitId, value: `{"unreadable": ${i}, "padding": "${'x'.repeat(3_960)}"` }));
    for (let i = 0; i < unreadable.length; i += 50) await produceRaw(kafka, topic, unreadable.slice(i, i + 50));
    const after = unitCreatedEvent({ unitId, name: 'after-large-letters' });
    await produceRaw(kafka, topic, [{ key: unitId, value: JSON.stringify(after) }]);
  });
  try {
    await eventually(async () => expect(await probe.dataSource.query('SELECT name FROM probe_effects WHERE name = $1', ['after-large-letters'])).toEqual([{ name: 'after-large-letters' }]), 30_000);
    await eventually(() => expect(dlq.messages.filter((m) => m.value?.toString().startsWith('{"unreadable"'))).toHaveLength(250));
    expect(probe.app.get(EventConsumer).failure).toBeUndefined();
  } finally {
    await dlq.stop();
  }
});

describe('a message retried for longer than the group session', () => {
  const slowRunId = uniqueRunId();
  let slow: RunningService;

  beforeAll(async () => {
    await createRunTopics(slowRunId, kafka);
    // Attempts 4 s and 8 s apart: 12 s of waiting, twice the 6 s session that only heartbeats keep.
    slow = await startTestService(PROBE, (env) => ProbeModule.forRoot(env), slowRunId, {
      CONSUMER_MAX_ATTEMPTS: '3',
      CONSUMER_RETRY_BACKOFF_MS: '4000',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
    });
  });

  afterAll(async () => {
    await dropTestDatabases([slow].filter(Boolean));
    await deleteRunTopics(slowRunId, kafka);
  });

  it('keeps its member in the group meanwhile, then dead-letters it and applies the next', async () => {
    const unitId = (unitCreatedEvent().data as UnitCreatedData).unitId;
    const dlq = await new TopicRecorder(kafka, runTopic(slowRunId, deadLetterTopic(PROBE.service).name)).start();
    try {
      const events = ['refused-by-handler', 'after-slow-retries'].map((name) => unitCreatedEvent({ unitId, name }));
      await produceRaw(kafka, runTopic(slowRunId, EVENT_TOPICS.units.name), events.map((event) => ({ key: unitId, value: JSON.stringify(event) })));
      const letter = await eventually(() => {
        expect(dlq.messages).toHaveLength(1);
        return dlq.messages[0];
      }, 40_000);
      expect({ error: headerText(letter.headers, 'dlq-error'), attempts: headerText(letter.headers, 'dlq-attempts') }).toEqual({ error: 'the handler refuses this event', attempts: '3' });
      await eventually(async () => expect(await slow.dataSource.query('SELECT name FROM probe_effects')).toEqual([{ name: 'after-slow-retries' }]));
    } finally {
      await dlq.stop();
    }
  }, 60_000);
});
