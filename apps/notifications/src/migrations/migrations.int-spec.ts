import { randomUUID } from 'node:crypto';
import { schemaAfter, type EarlierSchema } from '@antq/testing';
import { NOTIFICATIONS } from '../service.definition';
import { DEFAULT_RULES, STATUS_LOST_WITHOUT_CLOSURES } from '../rules/default-rules';
import { Notifications1764100005000 } from './1764100005000-notifications';
import { PreviousWebhookSecret1764100028000 } from './1764100028000-previous-webhook-secret';

let schema: EarlierSchema;

beforeAll(async () => {
  // The schema as it stood before users were keyed by agency.
  schema = await schemaAfter(NOTIFICATIONS, Notifications1764100005000);
});

afterAll(() => schema?.drop());

it('moves user keys to agency and principal where the old key names one agency, marks what digests took and what the next one owes, leaves existing rules to admins, and keeps a rule named like a later seeded one', async () => {
  const alert = randomUUID();
  const [warning, critical] = [randomUUID(), randomUUID()];
  const subscription = (subscriber: string, agency: string) =>
    schema.db.query(`INSERT INTO subscriptions (id, subscriber, agency, created_by) VALUES ($1, $2, $3, 'x')`, [randomUUID(), subscriber, agency]);
  await subscription('user:solo', 'ca-a');
  await subscription('user:shared', 'ca-a');
  await subscription('user:shared', 'ca-b');
  await subscription('agency:ca-a', 'ca-a');
  await schema.db.query(`INSERT INTO preferences (subscriber, channels, email, digest) VALUES ('user:solo', '{feed,email}', 'solo@a.vn', true), ('user:shared', '{feed}', NULL, false)`);
  for (const [id, severity] of [
    [alert, 'info'],
    [warning, 'warning'],
    [critical, 'critical'],
  ]) {
    await schema.db.query(
      `INSERT INTO alerts (id, dedupe_key, rule_id, rule_name, severity, unit_id, event_id, event_type, event_time, message_vi, message_en, data, recipients)
       VALUES ($1, $4, $2, 'r', $4, 'u', $3, 't', now(), 'vi', 'en', '{}', '{agency:ca-a,user:solo,user:shared}')`,
      [id, randomUUID(), randomUUID(), severity],
    );
  }
  await schema.db.query(`INSERT INTO feed_items (alert_id, recipient, severity, created_at) VALUES ($1, 'user:solo', 'info', now() - interval '2 days'), ($1, 'user:shared', 'info', now())`, [alert]);
  // Since the last digest: a warning the next one would list, a critical alert that was emailed at once.
  await schema.db.query(`INSERT INTO feed_items (alert_id, recipient, severity) VALUES ($1, 'user:solo', 'warning'), ($2, 'user:solo', 'critical')`, [warning, critical]);
  await schema.db.query(`INSERT INTO digest_runs (subscriber, digest_date, alerts, covered_until) VALUES ('user:solo', '2026-01-01', 1, now() - interval '1 day')`);
  // A rule an operator named as a later release's seeded one: theirs is kept.
  await schema.db.query(
    `INSERT INTO alert_rules (id, name, event_type, condition, severity, template_vi, template_en, updated_by)
     VALUES ($1, 'campaign-cancelled', 'antq.campaigns.campaign-cancelled.v1', '{"all": []}', 'warning', 'Hủy: {{name}}', 'Cancelled: {{name}}', 'ca-a/ops')`,
    [randomUUID()],
  );

  expect(await schema.migrateRest()).toEqual(['NotificationUserKeys1764100010000', 'AlertRuleOwners1764100011000', 'DigestedFeedItems1764100012000', 'WebhookDeliveriesByAgency1764100014000', 'CampaignCancelledRule1764100016000', 'TargetAmendedRule1764100018000', 'DigestSince1764100020000', 'FeedItemsHeldForDigest1764100022000', 'PreviousWebhookSecret1764100028000', 'StatusLostWithoutClosures1764100029000']);

  expect((await schema.db.query('SELECT subscriber, agency FROM subscriptions ORDER BY subscriber, agency')) as unknown[]).toEqual([
    { subscriber: 'agency:ca-a', agency: 'ca-a' },
    { subscriber: 'user:ca-a/shared', agency: 'ca-a' },
    { subscriber: 'user:ca-a/solo', agency: 'ca-a' },
    { subscriber: 'user:ca-b/shared', agency: 'ca-b' },
  ]);
  // Two agencies' "shared": which one the old preferences and feed were cannot be told, so they stay behind.
  expect((await schema.db.query('SELECT subscriber, email FROM preferences ORDER BY subscriber')) as unknown[]).toEqual([
    { subscriber: 'user:ca-a/solo', email: 'solo@a.vn' },
    { subscriber: 'user:shared', email: null },
  ]);
  expect((await schema.db.query('SELECT recipient, severity, digested_at IS NOT NULL AS digested, held_for_digest AS held FROM feed_items ORDER BY recipient, id')) as unknown[]).toEqual([
    { recipient: 'user:ca-a/solo', severity: 'info', digested: true, held: false },
    { recipient: 'user:ca-a/solo', severity: 'warning', digested: false, held: true },
    { recipient: 'user:ca-a/solo', severity: 'critical', digested: false, held: false },
    { recipient: 'user:shared', severity: 'info', digested: false, held: false },
  ]);
  expect((await schema.db.query('SELECT recipients FROM alerts WHERE id = $1', [alert])) as unknown[]).toEqual([{ recipients: ['agency:ca-a', 'user:ca-a/solo', 'user:shared'] }]);
  expect((await schema.db.query('SELECT subscriber FROM digest_runs')) as unknown[]).toEqual([{ subscriber: 'user:ca-a/solo' }]);
  expect((await schema.db.query(`SELECT count(*)::int AS n FROM alert_rules WHERE owner_agency IS NULL`)) as unknown[]).toEqual([{ n: 6 }]);
  expect((await schema.db.query(`SELECT updated_by FROM alert_rules WHERE name = 'target-amended'`)) as unknown[]).toEqual([{ updated_by: 'seed' }]);
  expect((await schema.db.query(`SELECT severity, updated_by FROM alert_rules WHERE name = 'campaign-cancelled'`)) as unknown[]).toEqual([{ severity: 'warning', updated_by: 'ca-a/ops' }]);
});

it('leaves closures out of drug-free-status-lost where the rule is as seeded, and a rule an alert manager changed as it is', async () => {
  for (const changed of [false, true]) {
    const earlier = await schemaAfter(NOTIFICATIONS, PreviousWebhookSecret1764100028000);
    try {
      if (changed) await earlier.db.query("UPDATE alert_rules SET severity = 'warning', updated_by = 'ca-a/ops' WHERE name = 'drug-free-status-lost'");
      expect(await earlier.migrateRest()).toEqual(['StatusLostWithoutClosures1764100029000']);
      const [rule] = (await earlier.db.query("SELECT condition, severity FROM alert_rules WHERE name = 'drug-free-status-lost'")) as { condition: unknown; severity: string }[];
      expect({ changed, rule }).toEqual({
        changed,
        rule: changed ? { condition: DEFAULT_RULES[0].condition, severity: 'warning' } : { condition: STATUS_LOST_WITHOUT_CLOSURES.condition, severity: 'critical' },
      });
    } finally {
      await earlier.drop();
    }
  }
});
