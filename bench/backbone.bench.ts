import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import type { DynamicModule } from '@nestjs/common';
import { AssessmentsModule, ASSESSMENTS } from '@antq/app-assessments';
import { CampaignsModule, CAMPAIGNS } from '@antq/app-campaigns';
import { NotificationsModule, NOTIFICATIONS } from '@antq/app-notifications';
import type { Environment, ServiceDefinition } from '@antq/platform';
import {
  createRunTopics,
  startTestService,
  testKafka,
  TEST_BROKERS,
  uniqueRunId,
  type RunningService,
} from '@antq/testing';
import { sampleEventBytes } from './backbone/events';
import { platformBackbone, type PlatformFigures } from './backbone/platform';
import { PARTITIONS, RAW_BATCH, rawBaseline, type RawFigures, type Throughput } from './backbone/raw';
import { InThreadRegistry, INSERT_BATCH, INSERTERS, WorkerRegistry, type EventSource } from './backbone/registry';
import { removeRunFromBroker, stopAndDrop } from './lib/cleanup';
import { benchScale, serviceOverrides, type BenchScale } from './lib/config';
import { serverSetting } from './lib/database';
import { profileRows } from './lib/profile';
import { formatMs, formatRate, printReport, progress, type Row, type Section } from './lib/report';
import { runAsScript } from './lib/runner';
import { round, type Distribution } from './lib/stats';

/**
 * The event backbone on this machine: outbox insert -> relay -> Kafka -> consumer -> effect
 * committed, beside a bare kafkajs produce-to-consume loop on the same broker in the same run.
 *
 * The platform runs in two layouts. `shared`: the producing service (units-registry: outbox
 * inserts and relay) and the consuming one (BENCH_CONSUMER) on this one thread, as the
 * end-to-end tests run them. `split`: the registry on a worker thread, so that each service
 * has an event loop of its own, as separate processes have in a deployment.
 */
const NAME = 'backbone';
const LAYOUTS = ['shared', 'split'] as const;
type Layout = (typeof LAYOUTS)[number];

const LAYOUT_TITLES: Record<Layout, string> = {
  shared: 'one thread (registry and consumer share an event loop)',
  split: 'registry on a worker thread (an event loop per service)',
};

export interface BackboneFigures {
  scale: BenchScale;
  serviceEnv: Environment;
  /** The consuming service. */
  consumer: string;
  /** The server's autovacuum setting, and whether the bench analyzed the service databases before each measurement. */
  autovacuum: string;
  analyze: boolean;
  raw: RawFigures;
  platform: Partial<Record<Layout, PlatformFigures>>;
  /** The machine's 1-minute load average when the run started and ended: other work skews the figures. */
  load: { start: number; end: number };
}

/** Settings of the in-process services: production defaults, quiet logs, plus `BENCH_SVC_<NAME>=value` overrides. */
export function serviceEnv(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    LOG_LEVEL: 'warn',
    // The product default (the test harness lowers it); commits wake the relay through NOTIFY anyway.
    OUTBOX_POLL_INTERVAL_MS: '500',
    ...serviceOverrides(env),
  };
}

/** The layouts to measure: BENCH_LAYOUTS=shared,split (the default) or one of them. */
function layouts(env: NodeJS.ProcessEnv = process.env): Layout[] {
  const wanted = (env['BENCH_LAYOUTS'] ?? LAYOUTS.join(',')).split(',').map((l) => l.trim());
  const unknown = wanted.filter((l) => !(LAYOUTS as readonly string[]).includes(l));
  if (unknown.length || !wanted.length) throw new Error(`BENCH_LAYOUTS takes ${LAYOUTS.join(', ')}; got ${unknown.join(', ')}`);
  return LAYOUTS.filter((l) => wanted.includes(l));
}

/**
 * The consuming service (BENCH_CONSUMER). Each keeps a unit replica fed by unit events;
 * notifications does nothing else with them, so it measures the backbone with the least
 * domain work (assessments also queues the re-derivation of the parents of changed units).
 */
const CONSUMERS: Record<string, { definition: ServiceDefinition; module: (env: Environment) => DynamicModule }> = {
  notifications: { definition: NOTIFICATIONS, module: (env) => NotificationsModule.forRoot(env) },
  assessments: { definition: ASSESSMENTS, module: (env) => AssessmentsModule.forRoot(env) },
  campaigns: { definition: CAMPAIGNS, module: (env) => CampaignsModule.forRoot(env) },
};

function consumerService(env: NodeJS.ProcessEnv = process.env): string {
  const name = env['BENCH_CONSUMER'] || 'notifications';
  if (!CONSUMERS[name]) throw new Error(`BENCH_CONSUMER takes ${Object.keys(CONSUMERS).join(', ')}; got ${name}`);
  return name;
}

/** A 0/1 (false/true) setting. */
function flag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (['', '0', 'false', 'no'].includes(raw)) return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  throw new Error(`${name} takes 0 or 1, got "${env[name]}"`);
}

/** Partitions the consumer processes at once (the product default unless overridden). */
function consumerLanes(env: Environment): number {
  return Number(env['CONSUMER_PARTITIONS_CONCURRENTLY'] ?? 3);
}

export async function run(scale: BenchScale = benchScale()): Promise<BackboneFigures> {
  assertLocal();
  const runId = uniqueRunId().replace(/^t/, 'bench');
  const kafka = testKafka();
  const env = serviceEnv();
  const services: RunningService[] = [];
  const load = { start: loadavg()[0], end: Number.NaN };
  const figures: BackboneFigures = {
    scale,
    serviceEnv: env,
    consumer: consumerService(),
    autovacuum: await serverSetting('autovacuum'),
    analyze: flag('BENCH_ANALYZE'),
    raw: undefined as never,
    platform: {},
    load,
  };
  progress(NAME, `run ${runId}: ${scale.events} events, ${scale.rate}/s for ${scale.seconds} s, warm-up ${scale.warmup}`);
  try {
    await createRunTopics(runId, kafka);
    figures.raw = await rawBaseline(kafka, runId, scale, sampleEventBytes(), consumerLanes(env));

    const { definition, module } = CONSUMERS[figures.consumer];
    progress(NAME, `platform: starting the ${figures.consumer} service (consumer) in process`);
    const consumer = await startTestService(definition, module, runId, env);
    services.push(consumer);
    for (const layout of layouts()) {
      progress(NAME, `platform, ${LAYOUT_TITLES[layout]}: starting units-registry`);
      const source: EventSource =
        layout === 'shared' ? await InThreadRegistry.start(runId, env) : await WorkerRegistry.start(runId, env);
      try {
        const profile = process.env['BENCH_CPU_PROFILE'];
        figures.platform[layout] = await platformBackbone(source, consumer, scale, {
          profileFile: profile ? `${profile}.${layout}.cpuprofile` : undefined,
          analyze: figures.analyze,
        });
      } finally {
        // Its database goes with it; the next layout's registry starts afresh.
        await source.close();
      }
    }
    load.end = loadavg()[0];
    return figures;
  } finally {
    await stopAndDrop(services).catch((error: unknown) => progress(NAME, `clean-up of databases failed: ${String(error)}`));
    await removeRunFromBroker(kafka, runId, NAME);
  }
}

/** Benchmarks talk to this machine only. */
function assertLocal(): void {
  const hosts = TEST_BROKERS.split(',').map((b) => b.split(':')[0]);
  if (hosts.some((h) => h !== '127.0.0.1' && h !== 'localhost')) {
    throw new Error(`The backbone benchmark runs against a local broker only, not ${TEST_BROKERS}`);
  }
}

// ---------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------

const THROUGHPUT_TARGET = 5_000;
const P99_TARGET_MS = 100;

/** "(median of 3: 4,100 / 4,600 / 5,200 /s; 4.28 s)" */
function spread(t: Throughput): string {
  const runs = t.runs.map((r) => Math.round(r).toLocaleString('en-US')).join(' / ');
  return `(${t.runs.length > 1 ? `median of ${t.runs.length}: ${runs} /s; ` : ''}${t.seconds.toFixed(2)} s)`;
}

function latencyRows(d: Distribution): Row[] {
  return [
    ['samples', String(d.count)],
    ['p50', formatMs(d.p50)],
    ['p95', formatMs(d.p95)],
    ['p99', formatMs(d.p99)],
    ['max', formatMs(d.max)],
  ];
}

function platformSections(layout: Layout, p: PlatformFigures, figures: BackboneFigures): Section[] {
  const { raw, scale } = figures;
  const t = p.throughput;
  const c = t.consumer;
  const lanes = consumerLanes(figures.serviceEnv);
  const at = (seconds: number) => `${seconds.toFixed(2)} s  (${formatRate(scale.events / seconds)})`;
  return [
    {
      title: `Platform, ${LAYOUT_TITLES[layout]}`,
      rows: [
        ['throughput', `${formatRate(t.perSecond)}  ${spread(t)}`],
        ['  producing', `outbox transactions of ${INSERT_BATCH} events, ${INSERTERS} at a time`],
        ['platform / raw', `${((100 * t.perSecond) / raw.throughput.perSecond).toFixed(1)} %`],
        ['  (median run) inserts committed', at(t.insertedSeconds)],
        ['  relay published all', at(t.publishedSeconds)],
        ['  all effects committed', at(t.seconds)],
        ['  consumer alone', `${formatRate(t.consumerAlonePerSecond)}  (after the relay had published all)`],
        ['  consumer fetches', `${c.fetches}, ${c.batches} partition batches (mean ${(c.messages / Math.max(1, c.batches)).toFixed(0)} events, max ${c.maxBatchSize})`],
        ['  time per batch', `${formatMs(c.batchMs / Math.max(1, c.batches))}  (transaction, handlers, offset commit)`],
        ['  time per event', `${formatMs(c.batchMs / Math.max(1, c.messages))} in a partition lane, ${lanes} lanes ${((100 * c.batchMs) / (lanes * t.seconds * 1000)).toFixed(0)} % busy`],
        [`target >= ${THROUGHPUT_TARGET.toLocaleString('en-US')} /s`, t.perSecond >= THROUGHPUT_TARGET ? 'met' : 'NOT met'],
        [`latency at ${scale.rate}/s, ${scale.seconds} s`, '(outbox COMMIT -> effect committed)'],
        ...latencyRows(p.latency).map(([k, v]): Row => [`  ${k}`, v]),
        [`target p99 < ${P99_TARGET_MS} ms`, p.latency.p99 < P99_TARGET_MS ? 'met' : 'NOT met'],
      ],
    },
    ...(p.profile ? [{ title: `CPU self time of the main thread, ${layout} throughput run`, rows: profileRows(p.profile) }] : []),
  ];
}

function layoutFigures(layout: Layout, p: PlatformFigures, raw: RawFigures): Record<string, number | boolean> {
  const t = p.throughput;
  const c = t.consumer;
  const fields: Record<string, number | boolean> = {
    EventsPerSec: round(t.perSecond, 0),
    EventsPerSecMin: round(Math.min(...t.runs), 0),
    EventsPerSecMax: round(Math.max(...t.runs), 0),
    Ratio: round(t.perSecond / raw.throughput.perSecond, 3),
    InsertSec: round(t.insertedSeconds, 3),
    PublishedSec: round(t.publishedSeconds, 3),
    EffectSec: round(t.seconds, 3),
    ConsumerAloneEventsPerSec: round(t.consumerAlonePerSecond, 0),
    ConsumerBatches: c.batches,
    ConsumerMsPerEvent: round(c.batchMs / Math.max(1, c.messages), 3),
    P50Ms: round(p.latency.p50, 2),
    P95Ms: round(p.latency.p95, 2),
    P99Ms: round(p.latency.p99, 2),
    MaxMs: round(p.latency.max, 2),
    ThroughputTargetMet: t.perSecond >= THROUGHPUT_TARGET,
    LatencyTargetMet: p.latency.p99 < P99_TARGET_MS,
  };
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${layout}${k}`, v]));
}

export function report(figures: BackboneFigures): void {
  const { raw, scale } = figures;
  const measured = LAYOUTS.flatMap((layout) => {
    const p = figures.platform[layout];
    return p ? [[layout, p] as const] : [];
  });
  printReport({
    benchmark: NAME,
    title: `Event backbone: ${scale.events} events, ${PARTITIONS} partitions; ${cpus().length} CPUs, Node ${process.version}, broker ${TEST_BROKERS}`,
    sections: [
      {
        title: 'Raw kafkajs (same broker, same run)',
        rows: [
          ['throughput', `${formatRate(raw.throughput.perSecond)}  ${spread(raw.throughput)}`],
          ['  producing', `sendBatch of ${RAW_BATCH} records, acks=-1, idempotent, 1 request in flight (as the relay)`],
          [`latency at ${scale.rate}/s, ${scale.seconds} s`, '(send -> consumed)'],
          ...latencyRows(raw.latency).map(([k, v]): Row => [`  ${k}`, v]),
        ],
      },
      ...measured.flatMap(([layout, p]) => platformSections(layout, p, figures)),
    ],
    notes: [
      'Throughput: from the first send/insert until the consumer has handled the last record (raw) or committed the last effect (platform: kafkajs END_BATCH_PROCESS, which follows the batch transaction commit; a count of replica_units rows then checks every effect is there). Median of the repetitions.',
      'Platform latency: insert COMMIT acknowledged -> NOTIFY from a bench-only AFTER INSERT trigger on replica_units, which PostgreSQL delivers when the consumer transaction commits; one clock, so it includes notification delivery (< 1 ms) and the trigger cost.',
      `Machine load (1-minute average) at start / end: ${figures.load.start.toFixed(2)} / ${figures.load.end.toFixed(2)} on ${cpus().length} CPUs; the broker, PostgreSQL and the bench share them, and other work on the machine skews the figures.`,
      `Consumer: the ${figures.consumer} service (BENCH_CONSUMER); its unit replica handles each unit-created event in the batch transaction. Producer: the units-registry service's OutboxService and relay.`,
      figures.analyze
        ? 'BENCH_ANALYZE=1: the bench ran ANALYZE on the service databases before each measurement, as auto-analyze would on a server where it runs.'
        : figures.autovacuum === 'off'
          ? 'This PostgreSQL server runs with autovacuum = off, so the services\' tables are never analyzed and the planner works without statistics (as here); BENCH_ANALYZE=1 analyzes them before each measurement, as auto-analyze would on a default server.'
          : `autovacuum = ${figures.autovacuum} on this PostgreSQL server.`,
      `Services: ${Object.entries(figures.serviceEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} (others: product defaults).`,
      'A "DataSourceNameRegistry" warning above is expected: two Nest apps in one process each register the default TypeORM data source; each app keeps its own.',
    ],
    figures: {
      consumer: figures.consumer,
      autovacuum: figures.autovacuum,
      analyze: figures.analyze,
      events: scale.events,
      rate: scale.rate,
      seconds: scale.seconds,
      cpus: cpus().length,
      loadStart: round(figures.load.start, 2),
      loadEnd: round(figures.load.end, 2),
      repeat: scale.repeat,
      rawEventsPerSec: round(raw.throughput.perSecond, 0),
      rawEventsPerSecMin: round(Math.min(...raw.throughput.runs), 0),
      rawEventsPerSecMax: round(Math.max(...raw.throughput.runs), 0),
      rawP50Ms: round(raw.latency.p50, 2),
      rawP95Ms: round(raw.latency.p95, 2),
      rawP99Ms: round(raw.latency.p99, 2),
      rawMaxMs: round(raw.latency.max, 2),
      ...Object.assign({}, ...measured.map(([layout, p]) => layoutFigures(layout, p, raw))),
    },
  });
}

/** Runs the benchmark and prints its report. */
export async function main(): Promise<void> {
  report(await run());
}

if (require.main === module) runAsScript(NAME, main);
