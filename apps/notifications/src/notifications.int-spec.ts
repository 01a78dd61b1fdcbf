import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Logger as ServiceLogger } from 'nestjs-pino';
import { EVENT_TOPICS, type CloudEvent, type EventType } from '@antq/contracts';
import {
  ApiClient,
  createRunTopics,
  deleteRunTopics,
  dropTestDatabases,
  eventually,
  produceRaw,
  runTopic,
  startTestService,
  testKafka,
  testEvent,
  testToken,
  TopicRecorder,
  uniqueRunId,
  type RunningService,
  schemaCheck,
} from '@antq/testing';
import { NotificationsModule } from './app.module';
import { DigestService } from './digests/digest.service';
import { localMinutes } from './delivery/quiet-hours';
import { SIGNATURE_HEADER, verifySignature } from './delivery/signature';
import { NOTIFICATIONS } from './service.definition';

const runId = uniqueRunId();
const kafka = testKafka();
const ZONE = 'Asia/Ho_Chi_Minh';
let service: RunningService;
let recorder: TopicRecorder;
let smtp: SMTPServer;
let receiver: Server;
let receiverUrl: string;
const mails: ParsedMail[] = [];
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const ids: Record<string, string> = {};
/** The receiver behind /fail is fixed (answers 204) once this is set. */
let recovered = false;

/** A caller of an agency; its jurisdiction is the province unless given. */
const api = (agency = 'ca-nghe-an', roles: Parameters<typeof testToken>[1] = ['alert-manager'], sub = `${agency}-officer`, jurisdiction = [ids['P']]) =>
  new ApiClient(service.url, testToken(agency, roles, sub, jurisdiction));

/** The service under test, on this run's database: fast retries, the local SMTP server and receiver allowed. */
function startNotifications(): Promise<RunningService> {
  return startTestService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), runId, {
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    DELIVERY_POLL_INTERVAL_MS: '50',
    DELIVERY_BACKOFF_BASE_MS: '30',
    DELIVERY_BACKOFF_MAX_MS: '200',
    DELIVERY_MAX_ATTEMPTS: '3',
    WEBHOOK_TIMEOUT_MS: '2000',
    DIGEST_HOUR: '0',
  });
}

function cloudEvent<T>(type: EventType, subject: string, data: T, id = randomUUID()): CloudEvent<T> {
  return { ...testEvent(type, subject, data as never, { id, correlationId: `c-${runId}` }), data };
}

async function publish(topic: keyof typeof EVENT_TOPICS, ...events: CloudEvent[]) {
  await produceRaw(
    kafka,
    runTopic(runId, EVENT_TOPICS[topic].name),
    events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
  );
}

async function unit(code: string, kind: string, parent?: string) {
  const unitId = randomUUID();
  ids[code] = unitId;
  await publish(
    'units',
    cloudEvent('antq.units.unit-created.v1', unitId, {
      unitId,
      code,
      name: { P: 'Tỉnh Nghệ An', D: 'Huyện Nghi Lộc', D2: 'Huyện Con Cuông', C: 'Xã Nghi Thạch', C2: 'Xã Môn Sơn' }[code] ?? code,
      kind,
      parentId: parent ? ids[parent] : null,
      tags: [],
      status: 'active',
      effectiveFrom: '2020-01-01',
      version: 1,
    }),
  );
}

let sequence = 1;
function statusChanged(code: string, programme: string, before: string, after: string, seq = ++sequence) {
  return cloudEvent('antq.assessments.unit-status-changed.v1', ids[code], {
    unitId: ids[code],
    unitKind: 'commune',
    programme,
    before: { status: before, grade: null, score: null, since: '2024-06-01', validUntil: null },
    after: { status: after, grade: null, score: null, since: '2024-09-01', validUntil: null },
    effectiveFrom: '2024-09-01',
    source: 'assessment',
    assessmentId: null,
    sequence: seq,
  });
}

function targetAtRisk(code: string) {
  return cloudEvent('antq.campaigns.target-state-changed.v1', ids[code], {
    campaignId: randomUUID(),
    targetId: randomUUID(),
    kind: 'count',
    baseline: 0,
    value: 12,
    goal: 105,
    shareDone: 0.11,
    projection: 60,
    state: 'at-risk',
    previousState: 'on-track',
    transition: 2,
    evaluatedOn: '2024-09-30',
  });
}

async function alertsFor(eventId: string) {
  const rows = (await service.dataSource.query('SELECT id, rule_name, recipients FROM alerts WHERE event_id = $1', [eventId])) as { id: string; rule_name: string; recipients: string[] }[];
  return rows;
}

/** An error message as one line: class-validator gives a list, domain errors a text. */
const text = (message: unknown) => (Array.isArray(message) ? message.join('; ') : String(message));

/** A local time window around now, in HH:MM, for quiet hours. */
/**
 * The email to an address: of the alert an event raised, or (no event) the digest. `later`:
 * whether it waits beyond the next 50 minutes.
 */
async function emailDelivery(target: string, eventId?: string) {
  const [row] = (await service.dataSource.query(
    `SELECT d.id, d.state, d.attempts, d.held_reason, d.next_attempt_at > now() + interval '50 minutes' AS later
       FROM deliveries d LEFT JOIN alerts a ON a.id = d.alert_id
      WHERE d.target = $1 AND (a.event_id = $2::uuid OR ($2::uuid IS NULL AND d.kind = 'digest'))`,
    [target, eventId ?? null],
  )) as { id: string; state: string; attempts: number; held_reason: string | null; later: boolean }[];
  return row;
}

function windowAroundNow(): { start: string; end: string } {
  const now = localMinutes(new Date(), ZONE);
  const hhmm = (m: number) => `${String(Math.floor(((m + 1440) % 1440) / 60)).padStart(2, '0')}:${String((m + 1440) % 60).padStart(2, '0')}`;
  return { start: hhmm(now - 60), end: hhmm(now + 60) };
}

beforeAll(async () => {
  await createRunTopics(runId, kafka);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // A mailbox that is busy for now: 451, which senders retry.
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('ban-tam-thoi@')) return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = req.url?.startsWith('/fail') && !recovered ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  service = await startNotifications();
  recorder = await new TopicRecorder(kafka, runTopic(runId, EVENT_TOPICS.notifications.name)).start();

  await unit('P', 'province');
  await unit('D', 'district', 'P');
  await unit('D2', 'district', 'P');
  await unit('C', 'commune', 'D');
  await unit('C2', 'commune', 'D2');
  const admin = api('ca-nghe-an', ['admin']);
  for (const code of Object.keys(ids)) await eventually(async () => expect((await admin.get(`/replica/units/${ids[code]}`)).status).toBe(200));
  // The provincial police answer for the province, each district's police for its district.
  expect((await admin.request('PUT', '/responsibilities/ca-nghe-an', { unitIds: [ids['P']] })).status).toBe(200);
  expect((await admin.request('PUT', '/responsibilities/ca-nghi-loc', { unitIds: [ids['D']] })).status).toBe(200);
  expect((await admin.request('PUT', '/responsibilities/ca-con-cuong', { unitIds: [ids['D2']] })).status).toBe(200);
});

afterAll(async () => {
  await recorder?.stop();
  if (service) await dropTestDatabases([service]);
  await new Promise((resolve) => receiver?.close(resolve));
  await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  await deleteRunTopics(runId, kafka);
});

describe('alerts from rules', () => {
  it('raises an alert and puts it in the feeds of the agencies up the hierarchy, in both languages', async () => {
    const event = statusChanged('C', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', event);
    const [alert] = await eventually(async () => {
      const rows = await alertsFor(event.id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(alert.rule_name).toBe('drug-free-status-lost');
    // The commune's district and province hear of it; the other district does not.
    expect(alert.recipients).toEqual(['agency:ca-nghe-an', 'agency:ca-nghi-loc']);

    const feed = (await api('ca-nghe-an').get('/feed?unread=true')).body;
    expect(feed.items[0]).toMatchObject({
      id: alert.id,
      severity: 'critical',
      ruleName: 'drug-free-status-lost',
      unitId: ids['C'],
      unitPath: 'Tỉnh Nghệ An › Huyện Nghi Lộc › Xã Nghi Thạch',
      message: {
        vi: 'Xã Nghi Thạch (Tỉnh Nghệ An › Huyện Nghi Lộc › Xã Nghi Thạch) mất danh hiệu "không ma túy" từ ngày 2024-09-01 (trạng thái mới: revoked).',
        en: 'Xã Nghi Thạch (Tỉnh Nghệ An › Huyện Nghi Lộc › Xã Nghi Thạch) lost its drug-free status on 2024-09-01 (now revoked).',
      },
      readAt: null,
    });
    expect((await api('ca-nghi-loc').get('/feed')).body.items.map((i: { id: string }) => i.id)).toContain(alert.id);
    expect((await api('ca-con-cuong').get('/feed')).body.items.map((i: { id: string }) => i.id)).not.toContain(alert.id);

    // Mark read, then filter.
    const read = await api('ca-nghe-an', ['viewer'], 'an-officer').post(`/feed/${feed.items[0].itemId}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ readBy: 'an-officer' });
    expect((await api('ca-nghe-an').get('/feed?unread=true')).body.items.map((i: { id: string }) => i.id)).not.toContain(alert.id);
    expect((await api('ca-nghe-an').get('/feed?severity=info')).body.items.map((i: { id: string }) => i.id)).not.toContain(alert.id);
    expect((await api('ca-con-cuong').post(`/feed/${feed.items[0].itemId}/read`)).status).toBe(404);
    // Numbers no feed holds are refused as such, not failed on.
    for (const itemId of ['99999999999999999999', 'abc', '0']) {
      expect(await api('ca-nghe-an').post(`/feed/${itemId}/read`)).toMatchObject({ status: 400, body: { message: ['itemId must be a feed item number'] } });
    }
    expect(await api('ca-nghe-an').get('/feed?offset=100000000000000000000')).toMatchObject({ status: 400, body: { message: ['offset must be a whole number from 0 to 1000000000'] } });

    // Marking all read keeps to the rule asked for.
    const [{ rule_id: ruleId }] = (await service.dataSource.query('SELECT rule_id FROM alerts WHERE id = $1', [alert.id])) as { rule_id: string }[];
    const district = api('ca-nghi-loc');
    const unreadIds = async () => ((await district.get('/feed?unread=true')).body.items as { id: string }[]).map((i) => i.id);
    expect(await unreadIds()).toContain(alert.id);
    expect((await district.post('/feed/read-all?ruleId=00000000-0000-4000-8000-000000000000')).body).toEqual({ marked: 0 });
    expect(await unreadIds()).toContain(alert.id);
    expect((await district.post(`/feed/read-all?ruleId=${ruleId}`)).body).toMatchObject({ marked: expect.any(Number) });
    expect(await unreadIds()).not.toContain(alert.id);
    expect(await district.post('/feed/read-all?unread=false')).toMatchObject({ status: 400, body: { message: ['property unread should not exist'] } });

    // alert-raised travels on the notifications topic.
    await eventually(() => expect(recorder.events('antq.notifications.alert-raised.v1').map((e) => e.data.alertId)).toContain(alert.id));
  });

  it('raises no alert for an event no rule matches', async () => {
    const event = statusChanged('C', 'drug-free', 'unassessed', 'recognised');
    const marker = statusChanged('C2', 'key-complex-area', 'unassessed', 'designated');
    await publish('assessments', event, marker);
    await eventually(async () => expect(await alertsFor(marker.id)).toHaveLength(1));
    expect(await alertsFor(event.id)).toEqual([]);
  });

  it('gives exactly one alert per fact: redelivered, republished under a new id, across a restart', async () => {
    const event = statusChanged('C2', 'drug-free', 'recognised', 'lapsed');
    await publish('assessments', event, event);
    await eventually(async () => expect(await alertsFor(event.id)).toHaveLength(1));

    // The service restarts; the event arrives again, and the same fact under another event id.
    await service.stop();
    const sameFact = { ...event, id: randomUUID() };
    await publish('assessments', event, sameFact);
    const { databaseUrl } = service;
    service = await startNotifications();
    expect(service.databaseUrl).toBe(databaseUrl);
    const marker = statusChanged('C2', 'key-complex-area', 'removed', 'designated');
    await publish('assessments', marker);
    await eventually(async () => expect(await alertsFor(marker.id)).toHaveLength(1), 30_000);

    const [{ n }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE data->>'unitId' = $1 AND data->>'sequence' = $2`, [ids['C2'], String(event.data.sequence)])) as { n: number }[];
    expect(n).toBe(1);
    expect(await alertsFor(sameFact.id)).toEqual([]);
    await eventually(() => expect(recorder.events('antq.notifications.alert-raised.v1').filter((e) => e.data.triggerEventId === marker.id)).toHaveLength(1));
    expect(recorder.events('antq.notifications.alert-raised.v1').filter((e) => e.data.triggerEventId === event.id || e.data.triggerEventId === sameFact.id)).toHaveLength(1);
  });

  it('raises an alert told to more subscribers than its event names: the event names the first 1,000 and counts them all', async () => {
    await unit('C3', 'commune', 'D2');
    const admin = api('ca-nghe-an', ['admin']);
    await eventually(async () => expect((await admin.get(`/replica/units/${ids['C3']}`)).status).toBe(200));
    await service.dataSource.query(
      `INSERT INTO subscriptions (id, subscriber, agency, unit_id, created_by)
       SELECT gen_random_uuid(), 'user:ca-con-cuong/can-bo-' || lpad(n::text, 4, '0'), 'ca-con-cuong', $1, 'test' FROM generate_series(1, 1200) AS n`,
      [ids['C3']],
    );
    const event = statusChanged('C3', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', event);
    const raised = await eventually(() => {
      const found = recorder.events('antq.notifications.alert-raised.v1').find((e) => e.data.triggerEventId === event.id);
      expect(found).toBeDefined();
      return found!;
    });
    // Agencies first: the ones responsible up the tree are never the ones cut.
    expect(raised.data.recipientCount).toBe(1202);
    expect(raised.data.recipients).toHaveLength(1000);
    expect(raised.data.recipients.slice(0, 3)).toEqual(['agency:ca-con-cuong', 'agency:ca-nghe-an', 'user:ca-con-cuong/can-bo-0001']);
    // Every one of them got the alert in the feed, and the alert lists them all.
    const [{ id: alertId }] = await alertsFor(event.id);
    expect(((await admin.get(`/alerts/${alertId}`)).body.recipients as string[]).length).toBe(1202);
    const [{ n }] = (await service.dataSource.query('SELECT count(*)::int AS n FROM feed_items WHERE alert_id = $1', [alertId])) as { n: number }[];
    expect(n).toBe(1202);
    await service.dataSource.query('DELETE FROM subscriptions WHERE unit_id = $1', [ids['C3']]);
  });
});

describe('webhooks', () => {
  /** Every line the service logs from here on (its Nest logger), to check what it says. */
  const logged: string[] = [];
  beforeAll(() => {
    const logger = service.app.get(ServiceLogger) as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const level of ['log', 'error', 'warn', 'debug', 'verbose', 'fatal']) {
      const original = logger[level].bind(logger);
      jest.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
        logged.push(JSON.stringify(args));
        return original(...args);
      });
    }
  });
  const secrets: string[] = [];

  afterAll(() => {
    // The failing deliveries were logged, and no secret ever was.
    expect(logged.join('\n')).toMatch(/failed after 3 attempts: HTTP 500/);
    for (const secret of secrets) expect(logged.join('\n')).not.toContain(secret);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
  });

  it('delivers a signed body the receiver verifies, and never shows the secret again', async () => {
    const created = await api().post('/webhooks', { url: `${receiverUrl}/ok`, unitId: ids['D'], description: 'tích hợp huyện', eventTypes: ['antq.assessments.unit-status-changed.v1'] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    secrets.push(secret);

    const event = statusChanged('C', 'drug-free', 'recognised', 'not-recognised');
    await publish('assessments', event);
    const request = await eventually(() => {
      const found = received.find((r) => r.path === '/ok' && (JSON.parse(r.body) as CloudEvent<{ triggerEventId: string }>).data.triggerEventId === event.id);
      expect(found).toBeDefined();
      return found!;
    });
    const signature = request.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(signature, request.body, secret)).toBe(true);
    expect(verifySignature(signature, request.body, 'whsec_wrong')).toBe(false);
    const body = JSON.parse(request.body) as CloudEvent<Record<string, unknown>>;
    expect(body).toMatchObject({ specversion: '1.0', type: 'antq.notifications.alert-raised.v1', subject: ids['C'], data: { ruleName: 'drug-free-status-lost', severity: 'critical' } });

    // The delivery log: delivered at the first attempt, with the receiver's status code.
    const alertId = body.data['alertId'] as string;
    const alert = await eventually(async () => {
      const response = await api().get(`/alerts/${alertId}`);
      expect(response.body.deliveries[0]).toMatchObject({ state: 'delivered' });
      return response.body;
    });
    expect(alert.deliveries).toEqual([
      expect.objectContaining({ channel: 'webhook', target: `${receiverUrl}/ok`, state: 'delivered', attempts: 1, lastStatusCode: 204, attemptLog: [expect.objectContaining({ attempt: 1, statusCode: 204, outcome: 'delivered', durationMs: expect.any(Number) })] }),
    ]);
    expect(request.headers['antq-delivery']).toBe(alert.deliveries[0].id);
    await eventually(() => expect(recorder.events('antq.notifications.notification-delivered.v1').map((e) => e.data.notificationId)).toContain(alert.deliveries[0].id));

    // The secret is shown once: never in reads, lists, the delivery log or the events.
    for (const path of [`/webhooks/${created.body.id}`, '/webhooks', `/alerts/${alertId}`, '/deliveries', `/deliveries/${alert.deliveries[0].id}`]) {
      const response = await api().get(path);
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(secret);
    }
    expect((await api().get(`/webhooks/${created.body.id}`)).body).not.toHaveProperty('secret');
    expect(recorder.messages.map((m) => m.value!.toString()).join('')).not.toContain(secret);
    // Their URLs may carry the integrator's tokens: a token of the agency without a role reads none.
    const roleless = api('ca-nghe-an', []);
    expect([(await roleless.get('/webhooks')).status, (await roleless.get(`/webhooks/${created.body.id}`)).status]).toEqual([403, 403]);
    expect((await api('ca-nghe-an', ['viewer']).get(`/webhooks/${created.body.id}`)).status).toBe(200);

    const deliveredFor = (trigger: CloudEvent) =>
      eventually(() => {
        const found = received.find((r) => r.path === '/ok' && (JSON.parse(r.body) as CloudEvent<{ triggerEventId: string }>).data.triggerEventId === trigger.id);
        expect(found).toBeDefined();
        return found!;
      });
    const verifiedBy = (delivered: { headers: Record<string, unknown>; body: string }, candidates: string[]) =>
      candidates.map((candidate) => verifySignature(delivered.headers['antq-signature'] as string, delivered.body, candidate));

    // A rotation that keeps nothing: the next deliveries are signed with the new secret alone.
    const rotated = await api().post(`/webhooks/${created.body.id}/secret`, { keepPreviousForHours: 0 });
    expect({ status: rotated.status, previous: rotated.body.previousSecretValidUntil }).toEqual({ status: 200, previous: null });
    expect(rotated.body.secret).not.toBe(secret);
    secrets.push(rotated.body.secret as string);
    const next = statusChanged('C', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', next);
    expect(verifiedBy(await deliveredFor(next), [rotated.body.secret as string, secret])).toEqual([true, false]);

    // By default the replaced secret signs beside the new one for a day, so the receiver can switch over.
    const overlapping = await api().post(`/webhooks/${created.body.id}/secret`);
    expect(overlapping.status).toBe(200);
    secrets.push(overlapping.body.secret as string);
    const until = Date.parse(overlapping.body.previousSecretValidUntil as string) - Date.now();
    expect(until).toBeGreaterThan(23.9 * 3_600_000);
    expect(until).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await api().get(`/webhooks/${created.body.id}`)).body.previousSecretValidUntil).toBe(overlapping.body.previousSecretValidUntil);
    const during = statusChanged('C', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', during);
    expect(verifiedBy(await deliveredFor(during), [overlapping.body.secret as string, rotated.body.secret as string, secret])).toEqual([true, true, false]);
    const refused = await api().post(`/webhooks/${created.body.id}/secret`, { keepPreviousForHours: 500 });
    expect({ status: refused.status, message: refused.body.message }).toEqual({ status: 400, message: ['keepPreviousForHours must not be greater than 168'] });
  });

  it('retries with backoff, then marks the delivery failed, dead-letters it and publishes notification-failed', async () => {
    const created = await api().post('/webhooks', { url: `${receiverUrl}/fail`, unitId: ids['D2'], eventTypes: ['antq.campaigns.target-state-changed.v1'], minSeverity: 'warning' });
    expect(created.status).toBe(201);
    secrets.push(created.body.secret as string);
    const event = targetAtRisk('C2');
    await publish('campaigns', event);
    const [alert] = await eventually(async () => {
      const rows = await alertsFor(event.id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    const delivery = await eventually(async () => {
      const response = await api().get(`/alerts/${alert.id}`);
      expect(response.body.deliveries).toEqual([expect.objectContaining({ state: 'failed' })]);
      return response.body.deliveries[0];
    }, 20_000);
    expect(delivery).toMatchObject({ channel: 'webhook', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(delivery.attemptLog.map((a: { attempt: number; statusCode: number; outcome: string }) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 500, 'failed'],
    ]);
    // Each attempt is the same delivery to the receiver (for its own deduplication).
    const hits = received.filter((r) => r.path === '/fail' && r.headers['antq-delivery'] === delivery.id);
    expect(hits.map((h) => h.headers['antq-attempt'])).toEqual(['1', '2', '3']);

    const deadLetters = (await api().get('/dead-letters')).body;
    expect(deadLetters.items).toEqual(expect.arrayContaining([expect.objectContaining({ deliveryId: delivery.id, attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500' })]));
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/antq_notification_attempts_total\{channel="webhook",outcome="failed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/antq_notification_attempts_total\{channel="webhook",outcome="retry"[^}]*\} [2-9]/);
    expect(metrics).toMatch(/antq_alerts_raised_total\{rule="target-at-risk",severity="warning"[^}]*\} [1-9]/);
    expect((await api().get('/deliveries?state=failed')).body.items.map((d: { id: string }) => d.id)).toContain(delivery.id);
    await eventually(() =>
      expect(recorder.events('antq.notifications.notification-failed.v1').find((e) => e.data.notificationId === delivery.id)?.data).toMatchObject({
        alertId: alert.id,
        channel: 'webhook',
        attempts: 3,
        lastStatusCode: 500,
        error: 'HTTP 500',
      }),
    );

    // Another agency neither sees this agency's delivery (its target is the agency's own) nor sends it again.
    const other = api('ca-con-cuong', ['alert-manager']);
    expect((await other.get(`/deliveries/${delivery.id}`)).status).toBe(404);
    expect((await other.get('/deliveries?state=failed')).body.items.map((d: { id: string }) => d.id)).not.toContain(delivery.id);
    expect((await other.get('/dead-letters')).body.items.map((d: { deliveryId: string }) => d.deliveryId)).not.toContain(delivery.id);
    expect((await other.get(`/alerts/${alert.id}`)).body.deliveries).toEqual([]);
    const foreign = await other.post(`/deliveries/${delivery.id}/resend`);
    expect(foreign).toMatchObject({ status: 404, body: { message: `Delivery ${delivery.id} does not exist` } });
    expect((await api('ca-con-cuong', ['admin']).get(`/deliveries/${delivery.id}`)).status).toBe(200);

    // The receiver is fixed; an operator sends the failed delivery again, with a fresh budget.
    recovered = true;
    expect((await api('ca-nghe-an', ['viewer']).post(`/deliveries/${delivery.id}/resend`)).status).toBe(403);
    expect((await api().post(`/deliveries/${delivery.id}/resend`)).status).toBe(200);
    // Sent again, it is no longer a dead letter.
    expect((await api().get('/dead-letters')).body.items.map((d: { deliveryId: string }) => d.deliveryId)).not.toContain(delivery.id);
    const resent = await eventually(async () => {
      const response = await api().get(`/deliveries/${delivery.id}`);
      expect(response.body).toMatchObject({ state: 'delivered' });
      return response.body;
    });
    expect(resent).toMatchObject({ attempts: 4, lastStatusCode: 204, lastError: null });
    expect(resent.attemptLog.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'failed'],
      [4, 'delivered'],
    ]);
    expect((await api().post(`/deliveries/${delivery.id}/resend`)).body).toMatchObject({ statusCode: 409, message: 'Only a failed delivery can be sent again (this one is delivered)' });
    expect((await api().get(`/deliveries?webhookId=${created.body.id}&state=delivered`)).body.items.map((d: { id: string }) => d.id)).toEqual([delivery.id]);
  });

  it('refuses URLs that are malformed or reach denied addresses, saying why', async () => {
    const cases: [string, RegExp][] = [
      ['http://10.0.0.5/hook', /address 10\.0\.0\.5 is in a denied range/],
      ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is in a denied range/],
      ['http://[64:ff9b::169.254.169.254]/latest/meta-data', /address 64:ff9b::a9fe:a9fe \(169\.254\.169\.254\) is in a denied range/],
      ['ftp://files.example.vn/x', /must be http or https/],
      ['not a url', /"not a url" is not a valid URL/],
      ['https://user:pass@example.vn/hook', /must not carry credentials/],
    ];
    for (const [url, message] of cases) {
      const response = await api().post('/webhooks', { url, unitId: ids['P'] });
      expect({ url, status: response.status, message: response.body.message }).toEqual({ url, status: 400, message: expect.stringMatching(message) });
    }
    expect((await api('ca-nghe-an', ['viewer']).post('/webhooks', { url: `${receiverUrl}/ok` })).status).toBe(403);
    const [{ n }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM webhooks WHERE url NOT LIKE $1`, [`${receiverUrl}%`])) as { n: number }[];
    expect(n).toBe(0);
  });
});

describe('email, quiet hours and digests', () => {
  it('emails a subscriber through the SMTP server', async () => {
    const officer = api('ca-nghe-an', ['viewer'], 'truc-ban');
    expect((await officer.post('/subscriptions', { for: 'user', unitId: ids['D'] })).status).toBe(201);
    const prefs = await officer.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'truc-ban@congan.nghean.gov.vn' });
    expect(prefs.status).toBe(200);
    const event = statusChanged('C', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', event);
    const mail = await eventually(() => {
      const found = mails.find((m) => m.to && JSON.stringify(m.to).includes('truc-ban@') && m.text?.includes('revoked'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.subject).toMatch(/^\[ANTQ\] \[KHẨN \/ CRITICAL\] Xã Nghi Thạch/);
    expect(mail.text).toContain('mất danh hiệu "không ma túy"');
    expect(mail.text).toContain('lost its drug-free status');
    expect(mail.from?.text).toContain('alerts@antq.local');
    const [alert] = await alertsFor(event.id);
    expect(alert.recipients).toContain('user:ca-nghe-an/truc-ban');
    await eventually(async () => {
      const { deliveries } = (await api().get(`/alerts/${alert.id}`)).body;
      // The webhook of the earlier test covers this unit too: one alert, one delivery per channel and target.
      expect(deliveries).toEqual([
        expect.objectContaining({ channel: 'email', target: 'truc-ban@congan.nghean.gov.vn', state: 'delivered', lastStatusCode: 250 }),
        expect.objectContaining({ channel: 'webhook', target: `${receiverUrl}/ok`, state: 'delivered' }),
      ]);
    });
  });

  it('holds non-critical email during quiet hours, but not critical email', async () => {
    const sleeper = api('ca-con-cuong', ['viewer'], 'ngu-dem');
    expect((await sleeper.post('/subscriptions', { for: 'user', unitId: ids['D2'] })).status).toBe(201);
    expect((await sleeper.request('PUT', '/preferences/me', { channels: ['email'], email: 'ngu-dem@example.vn', quietHours: windowAroundNow(), timeZone: ZONE })).status).toBe(200);
    const warning = targetAtRisk('C2');
    const critical = statusChanged('C2', 'drug-free', 'recognised', 'revoked');
    await publish('campaigns', warning);
    await publish('assessments', critical);
    await eventually(() => expect(mails.filter((m) => JSON.stringify(m.to).includes('ngu-dem@')).map((m) => m.text)).toEqual([expect.stringContaining('lost its drug-free status')]));
    expect(await emailDelivery('ngu-dem@example.vn', warning.id)).toEqual({ id: expect.any(String), state: 'pending', held_reason: 'quiet-hours', attempts: 0, later: true });
  });

  it('sends an email an operator resends, and its retries, regardless of quiet hours', async () => {
    const busy = api('ca-con-cuong', ['viewer'], 'ban-tam-thoi');
    expect((await busy.post('/subscriptions', { for: 'user', unitId: ids['D2'] })).status).toBe(201);
    expect((await busy.request('PUT', '/preferences/me', { channels: ['email'], email: 'ban-tam-thoi@example.vn' })).status).toBe(200);
    const warning = targetAtRisk('C2');
    await publish('campaigns', warning);
    const delivery = () => emailDelivery('ban-tam-thoi@example.vn', warning.id);
    // Outside quiet hours it is tried at once, and again, until its attempts run out.
    await eventually(async () => expect(await delivery()).toMatchObject({ state: 'failed', attempts: 3 }));
    // Quiet hours begin; an operator sends it again: the attempt goes now, and when the mailbox
    // answers 451 once more, so do its retries (the operator chose now), until the fresh budget runs out.
    expect((await busy.request('PUT', '/preferences/me', { channels: ['email'], email: 'ban-tam-thoi@example.vn', quietHours: windowAroundNow(), timeZone: ZONE })).status).toBe(200);
    const { id } = (await delivery())!;
    expect((await api('ca-con-cuong', ['alert-manager']).post(`/deliveries/${id}/resend`)).status).toBe(200);
    await eventually(async () => expect(await delivery()).toEqual({ id, state: 'failed', attempts: 6, held_reason: null, later: false }));
    const log = (await service.dataSource.query('SELECT attempt, outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt', [id])) as { attempt: number; outcome: string }[];
    expect(log.map((a) => `${a.attempt} ${a.outcome}`)).toEqual(['1 retry', '2 retry', '3 failed', '4 retry', '5 retry', '6 failed']);
  });

  it('holds an email that falls due inside quiet hours set after it was scheduled', async () => {
    const late = api('ca-con-cuong', ['viewer'], 'doi-gio');
    expect((await late.post('/subscriptions', { for: 'user', unitId: ids['D2'] })).status).toBe(201);
    expect((await late.request('PUT', '/preferences/me', { channels: ['email'], email: 'doi-gio@example.vn', quietHours: windowAroundNow(), timeZone: ZONE })).status).toBe(200);
    const warning = targetAtRisk('C2');
    await publish('campaigns', warning);
    const delivery = () => emailDelivery('doi-gio@example.vn', warning.id);
    const { id } = await eventually(async () => {
      const found = await delivery();
      expect(found).toMatchObject({ state: 'pending', held_reason: 'quiet-hours' });
      return found!;
    });
    // Say it had been scheduled for now before these quiet hours were chosen: it comes due, and waits again.
    await service.dataSource.query(`UPDATE deliveries SET next_attempt_at = now(), held_reason = NULL WHERE id = $1`, [id]);
    await eventually(async () => expect(await delivery()).toEqual({ id, state: 'pending', attempts: 0, held_reason: 'quiet-hours', later: true }));
    const [{ n }] = (await service.dataSource.query('SELECT count(*)::int AS n FROM delivery_attempts WHERE delivery_id = $1', [id])) as { n: number }[];
    expect(n).toBe(0);
    expect(mails.filter((m) => JSON.stringify(m.to).includes('doi-gio@'))).toEqual([]);
  });

  it('sends a daily digest once to subscribers who chose it', async () => {
    const reader = api('ca-nghe-an', ['viewer'], 'doc-tong-hop');
    expect((await reader.post('/subscriptions', { for: 'user', unitId: ids['P'], minSeverity: 'info' })).status).toBe(201);
    expect((await reader.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'tong-hop@example.vn', digest: true })).status).toBe(200);
    const designated = statusChanged('C', 'key-complex-area', 'unassessed', 'designated');
    const atRisk = targetAtRisk('C');
    await publish('assessments', designated);
    await publish('campaigns', atRisk);
    await eventually(async () => expect((await reader.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toEqual(expect.arrayContaining([designated.id, atRisk.id])));
    // Nothing by email until the digest.
    expect(mails.filter((m) => JSON.stringify(m.to).includes('tong-hop@'))).toEqual([]);

    const digests = service.app.get(DigestService);
    expect(await digests.run()).toBe(1);
    expect(await digests.run()).toBe(0);
    const mail = await eventually(() => {
      const found = mails.filter((m) => JSON.stringify(m.to).includes('tong-hop@'));
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(mail.subject).toMatch(/Alert digest for \d{4}-\d{2}-\d{2}: [2-9]/);
    expect(mail.text).toContain('key complex area');
    expect(mail.text).toContain('is at risk');

    // An item held for the digest whose transaction began before that digest but committed
    // after it (stamped earlier than the digest's end) is in the next day's digest, not lost.
    const recipient = 'user:ca-nghe-an/doc-tong-hop';
    const [{ until }] = (await service.dataSource.query('SELECT max(covered_until) AS until FROM digest_runs WHERE subscriber = $1', [recipient])) as { until: Date }[];
    const [late] = (await service.dataSource.query(
      `SELECT id, message_en FROM alerts WHERE id NOT IN (SELECT alert_id FROM feed_items WHERE recipient = $1) ORDER BY raised_at LIMIT 1`,
      [recipient],
    )) as { id: string; message_en: string }[];
    await service.dataSource.query(`INSERT INTO feed_items (alert_id, recipient, severity, created_at, held_for_digest) VALUES ($1, $2, 'info', $3, true)`, [
      late.id,
      recipient,
      new Date(until.getTime() - 10),
    ]);
    expect(await digests.run(new Date(Date.now() + 24 * 3600_000))).toBe(1);
    const next = await eventually(() => {
      const found = mails.filter((m) => JSON.stringify(m.to).includes('tong-hop@'));
      expect(found).toHaveLength(2);
      return found[1];
    });
    expect(next.subject).toMatch(/Alert digest for \d{4}-\d{2}-\d{2}: 1$/);
    expect(next.text).toContain(late.message_en);
  });

  it('lists in a first digest nothing from before it was chosen, which went out one by one', async () => {
    const switching = api('ca-nghe-an', ['viewer'], 'chuyen-tong-hop');
    expect((await switching.post('/subscriptions', { for: 'user', unitId: ids['P'] })).status).toBe(201);
    expect((await switching.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'chuyen-tong-hop@example.vn' })).status).toBe(200);
    const before = targetAtRisk('C');
    await publish('campaigns', before);
    await eventually(() => expect(mails.filter((m) => JSON.stringify(m.to).includes('chuyen-tong-hop@'))).toHaveLength(1));
    expect((await switching.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'chuyen-tong-hop@example.vn', digest: true })).status).toBe(200);
    const digests = service.app.get(DigestService);
    // Nothing has come since the switch: no digest, though the earlier alert is within a day.
    expect(await digests.run()).toBe(0);
    const after = targetAtRisk('C');
    await publish('campaigns', after);
    await eventually(async () => expect((await switching.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toContain(after.id));
    expect(await digests.run(new Date(Date.now() + 24 * 3600_000))).toBe(1);
    const mailed = await eventually(() => {
      const found = mails.filter((m) => JSON.stringify(m.to).includes('chuyen-tong-hop@'));
      expect(found).toHaveLength(2);
      return found;
    });
    // The digest holds the alert that came after the switch, not the one already emailed.
    expect(mailed[1].subject).toMatch(/Alert digest for \d{4}-\d{2}-\d{2}: 1$/);
  });

  it('holds a digest until the quiet hours of its reader end', async () => {
    const sleeper = api('ca-nghe-an', ['viewer'], 'tong-hop-dem');
    expect((await sleeper.post('/subscriptions', { for: 'user', unitId: ids['P'], minSeverity: 'info' })).status).toBe(201);
    expect((await sleeper.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'tong-hop-dem@example.vn', digest: true, quietHours: windowAroundNow(), timeZone: ZONE })).status).toBe(200);
    const designated = statusChanged('C', 'key-complex-area', 'unassessed', 'designated');
    await publish('assessments', designated);
    await eventually(async () => expect((await sleeper.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toContain(designated.id));
    expect(await service.app.get(DigestService).run()).toBeGreaterThanOrEqual(1);
    expect(await emailDelivery('tong-hop-dem@example.vn')).toEqual({ id: expect.any(String), state: 'pending', held_reason: 'quiet-hours', attempts: 0, later: true });
  });

  it('lists in the digest an alert whose batch began before its reader chose the digest', async () => {
    const switching = api('ca-nghe-an', ['viewer'], 'kip-tong-hop');
    expect((await switching.post('/subscriptions', { for: 'user', unitId: ids['P'] })).status).toBe(201);
    expect((await switching.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'kip-tong-hop@example.vn', digest: true })).status).toBe(200);
    const warning = targetAtRisk('C');
    await publish('campaigns', warning);
    await eventually(async () => expect((await switching.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toContain(warning.id));
    expect(await emailDelivery('kip-tong-hop@example.vn', warning.id)).toBeUndefined();
    // Stamped before the switch, as when the batch's transaction began before it and read the preferences after.
    await service.dataSource.query(`UPDATE feed_items SET created_at = now() - interval '1 hour' WHERE recipient = 'user:ca-nghe-an/kip-tong-hop'`);
    expect(await service.app.get(DigestService).run()).toBeGreaterThanOrEqual(1);
    const mail = await eventually(() => {
      const found = mails.filter((m) => JSON.stringify(m.to).includes('kip-tong-hop@'));
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(mail.subject).toMatch(/Alert digest for \d{4}-\d{2}-\d{2}: 1$/);
    expect(mail.text).toContain('is at risk');
  });

  it('emails in a last digest what the digest held when its reader gives it up', async () => {
    const quitting = api('ca-nghe-an', ['viewer'], 'bo-tong-hop');
    const email = { channels: ['feed', 'email'], email: 'bo-tong-hop@example.vn' };
    expect((await quitting.post('/subscriptions', { for: 'user', unitId: ids['P'] })).status).toBe(201);
    expect((await quitting.request('PUT', '/preferences/me', { ...email, digest: true })).status).toBe(200);
    const digests = service.app.get(DigestService);
    // Today's digest has gone: a warning now waits for tomorrow's.
    await digests.run();
    const warning = targetAtRisk('C');
    await publish('campaigns', warning);
    await eventually(async () => expect((await quitting.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toContain(warning.id));
    expect(await emailDelivery('bo-tong-hop@example.vn', warning.id)).toBeUndefined();
    // The reader gives the digest up before then: the next run sends what it held, whatever the hour.
    expect((await quitting.request('PUT', '/preferences/me', { ...email, digest: false })).status).toBe(200);
    expect(await digests.run()).toBeGreaterThanOrEqual(1);
    const mail = await eventually(() => {
      const found = mails.filter((m) => JSON.stringify(m.to).includes('bo-tong-hop@'));
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(mail.subject).toMatch(/Alert digest for \d{4}-\d{2}-\d{2}: 1$/);
    expect(mail.text).toContain('is at risk');
    // Once only.
    await digests.run(new Date(Date.now() + 24 * 3600_000));
    const [{ n }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM deliveries WHERE target = 'bo-tong-hop@example.vn'`)) as { n: number }[];
    expect(n).toBe(1);
  });
});

describe('rules and subscriptions as data, and bad input', () => {
  it('lets an alert manager add a rule that then raises alerts', async () => {
    const created = await api().post('/rules', {
      name: 'safe-order-overdue',
      eventType: 'antq.assessments.assessment-overdue.v1',
      condition: { all: [{ field: 'programme', op: 'eq', value: 'safe-security-order' }, { field: 'cycle', op: 'gte', value: 2024 }] },
      severity: 'warning',
      template: { vi: '{{unit.name}}: quá hạn đánh giá {{programme}} {{cycle}}', en: '{{unit.name}}: {{programme}} assessment overdue for {{cycle}}' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'safe-order-overdue', enabled: true, version: 1, updatedBy: 'ca-nghe-an/ca-nghe-an-officer' });
    const overdue = cloudEvent('antq.assessments.assessment-overdue.v1', ids['C2'], {
      unitId: ids['C2'],
      unitKind: 'commune',
      programme: 'safe-security-order',
      cycle: 2024,
      deadline: '2024-11-15',
      assessmentId: null,
      assessmentState: null,
    });
    // Another agency's endpoint for such events on that commune.
    const hook = await api('ca-quy-hop', ['alert-manager']).post('/webhooks', { url: `${receiverUrl}/quy-hop-overdue`, unitId: ids['C2'], eventTypes: ['antq.assessments.assessment-overdue.v1'] });
    expect(hook.status).toBe(201);
    await publish('assessments', overdue);
    const rows = await eventually(async () => {
      const found = (await service.dataSource.query('SELECT rule_name, message_en, recipients FROM alerts WHERE event_id = $1 ORDER BY rule_name', [overdue.id])) as {
        rule_name: string;
        message_en: string;
        recipients: string[];
      }[];
      expect(found).toHaveLength(2);
      return found;
    });
    expect(rows.map(({ rule_name, message_en }) => ({ rule_name, message_en }))).toEqual([
      { rule_name: 'assessment-overdue', message_en: 'Xã Môn Sơn (Tỉnh Nghệ An › Huyện Con Cuông › Xã Môn Sơn) has no safe-security-order recognition for cycle 2024 (deadline 2024-11-15).' },
      { rule_name: 'safe-order-overdue', message_en: 'Xã Môn Sơn: safe-security-order assessment overdue for 2024' },
    ]);
    // The platform rule tells every agency up the hierarchy; the agency's own rule, that agency alone.
    const [platform, own] = rows.map((r) => r.recipients);
    expect(platform).toEqual(expect.arrayContaining(['agency:ca-nghe-an', 'agency:ca-con-cuong']));
    expect(own).toEqual(platform.filter((r) => r === 'agency:ca-nghe-an' || r.startsWith('user:ca-nghe-an/')));
    const hooked = (await service.dataSource.query(
      "SELECT a.rule_name FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.event_id = $1 AND d.channel = 'webhook' AND d.webhook_id = $2",
      [overdue.id, hook.body.id],
    )) as { rule_name: string }[];
    expect(hooked).toEqual([{ rule_name: 'assessment-overdue' }]);
    expect((await api('ca-quy-hop', ['alert-manager']).request('DELETE', `/webhooks/${hook.body.id}`)).status).toBe(200);
    const duplicate = await api().post('/rules', {
      name: 'safe-order-overdue',
      eventType: 'antq.assessments.assessment-overdue.v1',
      condition: { all: [] },
      severity: 'info',
      template: { vi: 'x', en: 'y' },
    });
    expect(duplicate).toMatchObject({ status: 409, body: { message: 'An alert rule named "safe-order-overdue" already exists' } });
    const disabled = await api().request('DELETE', `/rules/${created.body.id}`);
    expect(disabled.body).toMatchObject({ enabled: false, version: 2 });
  });

  it('refuses bad rules with a 400 that says what is wrong, and saves nothing', async () => {
    const valid = {
      name: 'a-rule',
      eventType: 'antq.assessments.unit-status-changed.v1',
      condition: { all: [{ field: 'after.status', op: 'eq', value: 'revoked' }] },
      severity: 'warning',
      template: { vi: '{{unit.name}}', en: '{{unit.name}}' },
    };
    const [{ n: before }] = (await service.dataSource.query('SELECT count(*)::int AS n FROM alert_rules')) as { n: number }[];
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ eventType: 'antq.assessments.unit-teleported.v1' }, /eventType: "antq\.assessments\.unit-teleported\.v1" is not an event type alerts can be raised on/],
      [{ condition: { all: [{ field: 'after.colour', op: 'eq', value: 'red' }] } }, /condition\.all\[0\]\.field: "after\.colour" is not a field of antq\.assessments\.unit-status-changed\.v1/],
      [{ condition: { all: [{ field: 'after.status', op: 'eq', value: 'recognized' }] } }, /"recognized" is not a possible value of after\.status/],
      [{ condition: { all: [{ field: 'sequence', op: 'eq', value: '2' }] } }, /condition\.all\[0\]\.value: "eq" on sequence needs an integer \(got "2"\)/],
      [{ condition: { any: [{ field: 'sequence', op: 'not-in', value: [1, '2'] }] } }, /condition\.any\[0\]\.value\[1\]: "not-in" on sequence needs an integer \(got "2"\)/],
      [{ condition: { all: [{ field: 'programme', op: 'eq', value: 'drug-fre' }] } }, /condition\.all\[0\]\.value: "drug-fre" is not a possible value of programme \(drug-free, /],
      [{ template: { vi: '{{unit.name}}', en: 'Unit {{unit.mayor}} changed' } }, /template\.en: unknown placeholder \{\{unit\.mayor\}\}/],
      [{ severity: 'apocalyptic' }, /severity must be one of info, warning, critical/],
      [{ name: 'Bad Name' }, /name must be lowercase words joined by hyphens/],
      [{ condition: undefined }, /condition is required/],
      [{ template: { vi: '   ', en: '{{unit.name}}' } }, /^template\.vi must not be blank$/],
      [{ template: { vi: '{{unit.name}}' } }, /^template\.en is required/],
      [{ template: [] }, /^template must be an object with vi and en$/],
      [{ template: [{ vi: '{{unit.name}}', en: '{{unit.name}}' }] }, /^template must be an object with vi and en$/],
      [{ template: 'hello' }, /^template must be an object with vi and en$/],
    ];
    for (const [change, message] of cases) {
      const response = await api().post('/rules', { ...valid, ...change });
      expect({ change, status: response.status, message: text(response.body.message) }).toEqual({ change, status: 400, message: expect.stringMatching(message) });
    }
    // Missing fields are named as missing first, not by a rule about their length.
    const empty = await api().post('/rules', {});
    expect(empty.status).toBe(400);
    for (const required of ['name is required', 'eventType is required', 'condition is required ({"all": []} matches every event)', 'template is required: {"vi": "...", "en": "..."}']) {
      expect(empty.body.message).toContain(required);
    }
    expect(empty.body.message[0]).toBe('name is required');
    expect((await api('ca-nghe-an', ['viewer']).post('/rules', valid)).status).toBe(403);
    expect((await api().request('PUT', '/responsibilities/Công An', { unitIds: [] })).body.message).toEqual(['agency must be an agency code such as ca-nghe-an']);
    const [{ n: after }] = (await service.dataSource.query('SELECT count(*)::int AS n FROM alert_rules')) as { n: number }[];
    expect(after).toBe(before);
  });

  it('keeps apart two users of different agencies that share a principal name', async () => {
    const ours = api('ca-nghe-an', ['viewer'], 'truc-ban-chung');
    const theirs = api('ca-con-cuong', ['viewer'], 'truc-ban-chung');
    expect((await ours.post('/subscriptions', { for: 'user', unitId: ids['D'] })).status).toBe(201);
    expect((await ours.request('PUT', '/preferences/me', { channels: ['feed', 'email'], email: 'chung@congan.nghean.gov.vn' })).status).toBe(200);
    expect((await theirs.get('/preferences/me')).body).toMatchObject({ subscriber: 'user:ca-con-cuong/truc-ban-chung', channels: ['feed'], email: null });
    expect((await theirs.get('/subscriptions')).body.filter((s: { subscriber: string }) => s.subscriber.startsWith('user:'))).toEqual([]);

    const event = statusChanged('C', 'key-complex-area', 'removed', 'designated');
    await publish('assessments', event);
    await eventually(async () => expect((await ours.get('/feed?for=user')).body.items.map((i: { eventId: string }) => i.eventId)).toContain(event.id));
    expect((await theirs.get('/feed?for=user')).body.items).toEqual([]);
    const [alert] = await alertsFor(event.id);
    expect(alert.recipients).toContain('user:ca-nghe-an/truc-ban-chung');
    expect(alert.recipients).not.toContain('user:ca-con-cuong/truc-ban-chung');
  });

  it('refuses bad subscriptions and preferences with clear 400s', async () => {
    const me = api('ca-nghe-an', ['viewer'], 'someone');
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/subscriptions', { for: 'user', eventTypes: ['antq.units.unit-exploded.v1'] }, /Unknown event types: antq\.units\.unit-exploded\.v1/],
      ['POST', '/subscriptions', { for: 'user', unitId: 'not-a-uuid' }, /unitId must be a UUID/],
      ['POST', '/subscriptions', { for: 'agency' }, /alert-manager or admin role/],
      ['PUT', '/preferences/me', { channels: ['email'] }, /the email channel and the digest need an email address/],
      ['PUT', '/preferences/me', { channels: ['sms'] }, /channels may hold feed and email/],
      ['PUT', '/preferences/me', { channels: ['feed'], quietHours: { start: '25:00', end: '06:00' } }, /quietHours\.start must be a local time HH:MM/],
      ['PUT', '/preferences/me', { channels: ['email'], email: 'a@b.vn', timeZone: 'Hanoi' }, /"Hanoi" is not an IANA time zone/],
      // An empty zone is no zone: stored, it would stop every alert its subscriber is due.
      ['PUT', '/preferences/me', { channels: ['email'], email: 'a@b.vn', quietHours: { start: '22:00', end: '06:00' }, timeZone: '' }, /timeZone: "" is not an IANA time zone/],
      ['PUT', '/preferences/me', {}, /^channels is required/],
    ];
    for (const [method, path, body, message] of cases) {
      const response = await me.request(method, path, body);
      expect({ path, status: response.status, message: text(response.body.message) }).toEqual({ path, status: method === 'POST' && path === '/subscriptions' && (body as { for: string }).for === 'agency' ? 403 : 400, message: expect.stringMatching(message) });
    }

    // Quiet hours are one object: a list of them, or anything else, is refused and keeps the saved ones.
    const manager = api('ca-nghe-an', ['alert-manager'], 'quiet-manager');
    const saved = { start: '22:00', end: '06:00' };
    for (const [client, path] of [[me, '/preferences/me'], [manager, '/preferences/agency']] as const) {
      expect((await client.request('PUT', path, { channels: ['feed'], quietHours: saved })).status).toBe(200);
      for (const quietHours of [[saved], [], '22:00-06:00', 22]) {
        const response = await client.request('PUT', path, { channels: ['feed'], quietHours });
        expect({ path, quietHours, status: response.status, message: response.body.message }).toEqual({ path, quietHours, status: 400, message: ['quietHours must be an object with start and end'] });
      }
      expect((await client.get(path)).body.quietHours).toEqual(saved);
      // null, as a read gives it back, and leaving it out both mean none.
      expect((await client.request('PUT', path, { channels: ['feed'], quietHours: null })).body.quietHours).toBeNull();
    }
    expect((await me.request('PUT', '/preferences/me', { channels: ['feed'], quietHours: { start: '25:00', end: '6:00' } })).body.message).toEqual([
      'quietHours.start must be a local time HH:MM',
      'quietHours.end must be a local time HH:MM',
    ]);
    expect((await me.request('PUT', '/preferences/me', { channels: ['feed'], quietHours: { start: '06:00', end: '06:00' } })).body.message).toEqual([
      'quietHours.end must differ from start: quiet hours of no length, or of all day, are not quiet hours',
    ]);
    expect((await api().post('/webhooks', {})).body.message[0]).toBe('url is required');
    expect((await api().request('PUT', '/responsibilities/ca-nghe-an', {})).body.message[0]).toBe('unitIds is required ([] for none)');
  });
});

describe('agencies act for themselves, within their jurisdiction', () => {
  it("refuses to set another agency's responsibilities, or units outside the caller's jurisdiction", async () => {
    const conCuong = api('ca-con-cuong', ['alert-manager']);
    const foreign = await conCuong.request('PUT', '/responsibilities/ca-nghi-loc', { unitIds: [ids['D2']] });
    expect(foreign).toMatchObject({ status: 403, body: { message: 'Agency ca-con-cuong may not set the responsibilities of agency ca-nghi-loc: only its own, unless the caller is admin' } });
    const scoped = new ApiClient(service.url, testToken('ca-con-cuong', ['alert-manager'], 'quan-ly', [ids['D2']]));
    expect((await scoped.request('PUT', '/responsibilities/ca-con-cuong', { unitIds: [ids['P']] })).body).toMatchObject({
      statusCode: 403,
      message: `Unit ${ids['P']} is outside the jurisdiction of agency ca-con-cuong`,
    });
    expect((await scoped.request('PUT', '/responsibilities/ca-con-cuong', { unitIds: [ids['D2']] })).body).toEqual({ agency: 'ca-con-cuong', unitIds: [ids['D2']] });
    const all = (await conCuong.get('/responsibilities')).body as { agency: string; unitIds: string[] }[];
    expect(all.find((r) => r.agency === 'ca-nghi-loc')?.unitIds).toEqual([ids['D']]);
  });

  it('keeps subscriptions and webhooks of a token with a jurisdiction inside it, and every unit to admins', async () => {
    const scoped = new ApiClient(service.url, testToken('ca-con-cuong', ['alert-manager'], 'quan-ly', [ids['D2']]));
    const viewer = new ApiClient(service.url, testToken('ca-con-cuong', ['viewer'], 'can-bo', [ids['D2']]));
    const cases: [ApiClient, string, Record<string, unknown>, string][] = [
      [scoped, '/webhooks', { url: `${receiverUrl}/ok` }, 'To register a webhook for every unit, the admin role is needed: name a unitId within the jurisdiction of agency ca-con-cuong'],
      [scoped, '/webhooks', { url: `${receiverUrl}/ok`, unitId: ids['C'] }, `Unit ${ids['C']} is outside the jurisdiction of agency ca-con-cuong`],
      [scoped, '/subscriptions', { for: 'agency' }, 'To subscribe for every unit, the admin role is needed: name a unitId within the jurisdiction of agency ca-con-cuong'],
      [viewer, '/subscriptions', { for: 'user', unitId: ids['P'] }, `Unit ${ids['P']} is outside the jurisdiction of agency ca-con-cuong`],
    ];
    for (const [client, path, body, message] of cases) {
      const response = await client.post(path, body);
      expect({ path, body, status: response.status, message: response.body.message }).toEqual({ path, body, status: 403, message });
    }
    const [{ n }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM webhooks WHERE agency = 'ca-con-cuong'`)) as { n: number }[];
    expect(n).toBe(0);
    expect((await viewer.post('/subscriptions', { for: 'user', unitId: ids['C2'] })).status).toBe(201);
    const hook = await scoped.post('/webhooks', { url: `${receiverUrl}/ok`, unitId: ids['D2'], minSeverity: 'critical' });
    expect(hook.status).toBe(201);
    expect((await scoped.request('DELETE', `/webhooks/${hook.body.id}`)).status).toBe(200);
    const admin = new ApiClient(service.url, testToken('ca-con-cuong', ['admin'], 'quan-tri', [ids['D2']]));
    const everything = await admin.post('/subscriptions', { for: 'agency', minSeverity: 'critical' });
    expect(everything).toMatchObject({ status: 201, body: { unitId: null } });
    expect((await admin.request('DELETE', `/subscriptions/${everything.body.id}`)).status).toBe(204);
  });

  it("lets an admin manage another agency's webhooks and subscriptions; another agency's manager finds none of them", async () => {
    const owner = new ApiClient(service.url, testToken('ca-con-cuong', ['alert-manager'], 'quan-ly', [ids['D2']]));
    const hook = await owner.post('/webhooks', { url: `${receiverUrl}/ok`, unitId: ids['D2'] });
    const subscription = await owner.post('/subscriptions', { for: 'agency', unitId: ids['D2'] });
    expect([hook.status, subscription.status]).toEqual([201, 201]);
    const stranger = new ApiClient(service.url, testToken('ca-nghi-loc', ['alert-manager'], 'quan-ly', [ids['P']]));
    expect((await stranger.get(`/webhooks/${hook.body.id}`)).status).toBe(404);
    expect((await stranger.request('DELETE', `/webhooks/${hook.body.id}`)).status).toBe(404);
    expect((await stranger.request('DELETE', `/subscriptions/${subscription.body.id}`)).status).toBe(404);
    const admin = new ApiClient(service.url, testToken('ca-nghe-an', ['admin'], 'quan-tri'));
    expect((await admin.get('/webhooks')).body.map((w: { id: string }) => w.id)).toContain(hook.body.id);
    const rotated = await admin.post(`/webhooks/${hook.body.id}/secret`);
    expect({ status: rotated.status, secret: typeof rotated.body.secret }).toEqual({ status: 200, secret: 'string' });
    expect((await admin.request('DELETE', `/webhooks/${hook.body.id}`)).body).toMatchObject({ id: hook.body.id, agency: 'ca-con-cuong', enabled: false });
    expect((await admin.request('DELETE', `/subscriptions/${subscription.body.id}`)).status).toBe(204);
    expect((await owner.get('/subscriptions')).body.map((x: { id: string }) => x.id)).not.toContain(subscription.body.id);
  });

  it('refuses units the unit tree does not hold with 422, for admins too', async () => {
    const nowhere = randomUUID();
    const admin = api('ca-nghe-an', ['admin']);
    const cases: [string, string, Record<string, unknown>][] = [
      ['POST', '/subscriptions', { for: 'user', unitId: nowhere }],
      ['POST', '/webhooks', { url: `${receiverUrl}/ok`, unitId: nowhere }],
      ['PUT', '/responsibilities/ca-nghe-an', { unitIds: [ids['P'], nowhere] }],
    ];
    for (const [method, path, body] of cases) {
      const response = await admin.request(method, path, body);
      expect({ path, status: response.status, message: response.body.message }).toEqual({ path, status: 422, message: `Unit ${nowhere} is unknown: not in the unit tree` });
    }
    expect((await admin.get('/responsibilities')).body.find((r: { agency: string }) => r.agency === 'ca-nghe-an').unitIds).toEqual([ids['P']]);
    const [{ n }] = (await service.dataSource.query('SELECT (SELECT count(*) FROM subscriptions WHERE unit_id = $1) + (SELECT count(*) FROM webhooks WHERE unit_id = $1) AS n', [nowhere])) as { n: string }[];
    expect(Number(n)).toBe(0);
  });

  it('shows an alert only to its recipients, each seeing only its own entries among the recipients; admins see every alert and recipient', async () => {
    // An agency answering for no unit hears of the commune through its webhook only.
    const hook = await api('ca-nghi-thach', ['alert-manager']).post('/webhooks', { url: `${receiverUrl}/thach`, unitId: ids['C'] });
    expect(hook.status).toBe(201);
    const inDistrict = statusChanged('C2', 'drug-free', 'recognised', 'revoked');
    const inCommune = statusChanged('C', 'drug-free', 'recognised', 'revoked');
    await publish('assessments', inDistrict, inCommune);
    const [alert, communeAlert] = await eventually(async () => {
      const rows = [...(await alertsFor(inDistrict.id)), ...(await alertsFor(inCommune.id))];
      expect(rows).toHaveLength(2);
      return rows;
    });
    // Con Cuông's district and the province, and users of both who subscribed.
    expect(alert.recipients).toEqual(expect.arrayContaining(['agency:ca-con-cuong', 'agency:ca-nghe-an', 'user:ca-con-cuong/ngu-dem', 'user:ca-con-cuong/can-bo']));

    // Another district's viewer: not in the list (nor in its total), and 404 by id.
    const nghiLoc = api('ca-nghi-loc', ['viewer'], 'xem');
    expect((await nghiLoc.get(`/alerts?unitId=${ids['C2']}`)).body).toEqual({ total: 0, items: [] });
    expect((await nghiLoc.get('/alerts?limit=100')).body.items.map((a: { id: string }) => a.id)).not.toContain(alert.id);
    expect((await nghiLoc.get(`/alerts/${alert.id}`)).body).toMatchObject({ statusCode: 404, message: `Alert ${alert.id} does not exist` });

    // The district's viewers see it with their agency's entry and their own, not a colleague's nor another agency's.
    const canBo = api('ca-con-cuong', ['viewer'], 'can-bo');
    expect((await canBo.get(`/alerts/${alert.id}`)).body).toMatchObject({ id: alert.id, recipients: ['agency:ca-con-cuong', 'user:ca-con-cuong/can-bo'] });
    const colleague = api('ca-con-cuong', ['viewer'], 'dong-nghiep');
    expect((await colleague.get(`/alerts/${alert.id}`)).body).toMatchObject({ id: alert.id, recipients: ['agency:ca-con-cuong'] });
    const listed = (await colleague.get(`/alerts?unitId=${ids['C2']}&severity=critical`)).body as { total: number; items: { id: string; recipients: string[] }[] };
    expect(listed.items.find((a) => a.id === alert.id)?.recipients).toEqual(['agency:ca-con-cuong']);
    expect(listed.items.every((a) => a.recipients.length === 1 && a.recipients[0] === 'agency:ca-con-cuong')).toBe(true);
    // Pages and totals count only what the caller sees.
    const [{ n: visible }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE unit_id = $1 AND severity = 'critical' AND 'agency:ca-con-cuong' = ANY(recipients)`, [
      ids['C2'],
    ])) as { n: number }[];
    expect(listed.total).toBe(visible);
    const page = (await colleague.get(`/alerts?unitId=${ids['C2']}&severity=critical&limit=1&offset=1`)).body;
    expect(page).toEqual({ total: visible, items: [listed.items[1]] });
    // The unit's id in capitals is the same unit; what is not an id is said so.
    expect((await colleague.get(`/alerts?unitId=${ids['C2'].toUpperCase()}&severity=critical`)).body).toEqual(listed);
    expect(await colleague.get('/alerts?unitId=C2')).toMatchObject({ status: 400, body: { message: ['unitId must be a UUID'] } });

    // The agency told by its webhook only: the alert and its delivery, but none of the recipients.
    const thach = api('ca-nghi-thach', ['viewer']);
    const seen = await eventually(async () => {
      const response = (await thach.get(`/alerts/${communeAlert.id}`)).body;
      expect(response.deliveries).toEqual([expect.objectContaining({ recipient: 'agency:ca-nghi-thach', target: `${receiverUrl}/thach`, state: 'delivered' })]);
      return response;
    });
    expect(seen.recipients).toEqual([]);
    expect((await thach.get('/alerts')).body.items.map((a: { id: string }) => a.id)).toEqual([communeAlert.id]);
    expect((await thach.get(`/alerts/${alert.id}`)).status).toBe(404);
    const sent = received.find((r) => r.path === '/thach' && r.headers['antq-delivery'] === seen.deliveries[0].id)!;
    expect((JSON.parse(sent.body) as CloudEvent<{ alertId: string; recipients: string[] }>).data).toMatchObject({ alertId: communeAlert.id, recipients: [] });
    // The province's webhook on the district learns of its own agency's recipients only.
    const province = (await api().get(`/alerts/${communeAlert.id}`)).body as { deliveries: { id: string; target: string }[] };
    const provinceDelivery = province.deliveries.find((d) => d.target === `${receiverUrl}/ok`)!;
    const toProvince = await eventually(() => {
      const found = received.find((r) => r.headers['antq-delivery'] === provinceDelivery.id);
      expect(found).toBeDefined();
      return found!;
    });
    const told = (JSON.parse(toProvince.body) as CloudEvent<{ recipients: string[] }>).data.recipients;
    expect(told).toContain('agency:ca-nghe-an');
    expect(told.every((r) => r === 'agency:ca-nghe-an' || r.startsWith('user:ca-nghe-an/'))).toBe(true);

    // An admin sees every alert with every recipient.
    const admin = api('ca-con-cuong', ['admin']);
    expect((await admin.get(`/alerts/${alert.id}`)).body.recipients).toEqual(alert.recipients);
    const all = (await admin.get(`/alerts?unitId=${ids['C2']}&severity=critical`)).body as { total: number; items: { id: string; recipients: string[] }[] };
    const [{ n: every }] = (await service.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE unit_id = $1 AND severity = 'critical'`, [ids['C2']])) as { n: number }[];
    expect(all.total).toBe(every);
    expect(all.items.find((a) => a.id === alert.id)?.recipients).toEqual(alert.recipients);
  });

  it("lets an alert-manager change its own agency's rules only; platform rules need an admin", async () => {
    const rules = (await api().get('/rules')).body as { id: string; name: string; ownerAgency: string | null; version: number }[];
    const seeded = rules.find((r) => r.name === 'drug-free-status-lost')!;
    expect(seeded.ownerAgency).toBeNull();
    const manager = api('ca-nghi-loc', ['alert-manager']);
    expect((await manager.request('DELETE', `/rules/${seeded.id}`)).body).toMatchObject({
      statusCode: 403,
      message: 'Rule "drug-free-status-lost" is a platform rule shared by every agency: only an admin may disable it',
    });
    const rule = {
      name: 'nghi-loc-designations',
      eventType: 'antq.assessments.unit-status-changed.v1',
      condition: { all: [{ field: 'programme', op: 'eq', value: 'key-complex-area' }] },
      severity: 'info',
      template: { vi: '{{unit.name}}', en: '{{unit.name}}' },
      enabled: false,
    };
    const created = await manager.post('/rules', rule);
    expect(created).toMatchObject({ status: 201, body: { ownerAgency: 'ca-nghi-loc' } });
    expect((await api('ca-con-cuong', ['alert-manager']).request('PUT', `/rules/${created.body.id}`, { ...rule, severity: 'critical' })).body).toMatchObject({
      statusCode: 403,
      message: 'Rule "nghi-loc-designations" belongs to agency ca-nghi-loc: only its alert-managers or an admin may change it',
    });
    expect((await manager.request('PUT', `/rules/${created.body.id}`, { ...rule, description: 'khu vực trọng điểm' })).body).toMatchObject({ version: 2, description: 'khu vực trọng điểm' });
    expect((await api('ca-con-cuong', ['admin']).request('DELETE', `/rules/${created.body.id}`)).body).toMatchObject({ enabled: false, version: 3 });
    expect((await api().get(`/rules/${seeded.id}`)).body).toMatchObject({ enabled: true, version: seeded.version });
  });
});

it('sends events of every type it publishes, each accepted by its published JSON Schema', () => {
  const { checkedTypes, topicTypes, violations } = schemaCheck(recorder.messages, 'notifications');
  expect(violations).toEqual([]);
  // Every type the service publishes was sent during these tests, and checked.
  expect(checkedTypes).toEqual(topicTypes);
});
