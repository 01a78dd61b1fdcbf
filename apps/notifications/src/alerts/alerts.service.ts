import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MAX_ALERT_EVENT_RECIPIENTS, type Actor, type AlertSeverity, type CloudEvent } from '@antq/contracts';
import { atBatchEnd, EventFactory, OutboxService } from '@antq/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { quietHoursOf, releaseTime } from '../delivery/quiet-hours';
import { evaluateCondition } from '../rules/condition';
import { RulesService, type AlertRule } from '../rules/rules.service';
import { renderTemplate } from '../rules/template';
import { emailForAlert } from '../delivery/email.content';
import { alertsRaised } from '../delivery/delivery.metrics';
import { isOfAgency } from '../subscriptions/agency-scope';

export const DELIVERY_CHANNEL = 'antq_deliveries';
export const NOTIFICATIONS_ACTOR: Actor = { agency: 'antq-notifications', principal: 'alert-rules', roles: [] };
export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
/** SQL: the row's `min_severity` is met by the severity whose rank is $3. */
const MIN_SEVERITY_MET = `(CASE min_severity WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END) <= $3`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An alert event's recipients: the first ones (agencies sort first) and how many in all. */
const recipientsOf = (recipients: string[]) => ({ recipients: recipients.slice(0, MAX_ALERT_EVENT_RECIPIENTS), recipientCount: recipients.length });

interface ChainUnit {
  unit_id: string;
  name: string;
  code: string;
  kind: string;
}

interface Preference {
  subscriber: string;
  channels: string[];
  email: string | null;
  digest: boolean;
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string | null;
}

/**
 * The natural key of the fact an event reports, so that the same fact gives one alert per
 * rule even if it were published again under a new event id. Events without one use their id.
 */
export function factKey(event: CloudEvent): string {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'antq.assessments.unit-status-changed.v1':
      return `status/${String(d['unitId'])}/${String(d['programme'])}/${String(d['sequence'])}`;
    case 'antq.assessments.assessment-overdue.v1':
      return `overdue/${String(d['unitId'])}/${String(d['programme'])}/${String(d['cycle'])}`;
    case 'antq.campaigns.target-state-changed.v1':
      return `target/${String(d['targetId'])}/${String(d['transition'])}`;
    default:
      return `event/${event.id}`;
  }
}

/**
 * Turns events into alerts. Inside the consumer's batch transaction, for each enabled rule
 * whose condition the event meets: the alert row (unique by rule and fact), the in-app feed
 * items of its recipients, its pending webhook and email deliveries and its `alert-raised`
 * event are written together, so an alert exists with all its deliveries or not at all.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly rules: RulesService,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly config: NotificationsConfig,
  ) {}

  async onEvent(manager: EntityManager, event: CloudEvent): Promise<number> {
    const rules = (await this.rules.forEvent(manager, event.type)).filter((rule) => evaluateCondition(rule.condition, event.data));
    if (!rules.length) return 0;
    const chain = UUID.test(event.subject) ? await this.ancestry(manager, event.subject) : [];
    const raised: { event: CloudEvent; wake: boolean; rule: AlertRule }[] = [];
    for (const rule of rules) {
      const alert = await this.raise(manager, rule, event, chain);
      if (alert) raised.push({ ...alert, rule });
    }
    // Only once every rule is through: a failure above rolls the event's alerts back, and
    // its alert-raised events must not reach the outbox either.
    if (raised.length) await this.publish(manager, raised);
    for (const { rule } of raised) alertsRaised.inc({ rule: rule.name, severity: rule.severity });
    return raised.length;
  }

  private async raise(manager: EntityManager, rule: AlertRule, event: CloudEvent, chain: ChainUnit[]): Promise<{ event: CloudEvent; wake: boolean } | null> {
    const unit = chain[0];
    const unitPath = [...chain].reverse().map((u) => u.name).join(' › ');
    const known = {
      'unit.name': unit?.name ?? event.subject,
      'unit.code': unit?.code ?? '',
      'unit.kind': unit?.kind ?? '',
      'unit.path': unitPath || event.subject,
      'rule.name': rule.name,
      severity: rule.severity,
      'event.type': event.type,
      'event.time': event.time,
      'event.agency': event.agency,
    };
    const message = { vi: renderTemplate(rule.template.vi, { data: event.data, known }), en: renderTemplate(rule.template.en, { data: event.data, known }) };
    const alertId = randomUUID();
    const dedupeKey = `${rule.id}:${factKey(event)}`;
    const chainIds = chain.map((u) => u.unit_id);
    // An agency's own rule tells that agency (and its users, and its endpoints) only: one
    // agency does not write into the others' feeds and channels; platform rules tell everyone routed.
    const owner = rule.ownerAgency;
    const recipients = (await this.recipients(manager, chainIds, event.type, rule.severity)).filter((r) => owner === null || isOfAgency(r, owner));

    const inserted = (await manager.query(
      `INSERT INTO alerts (id, dedupe_key, rule_id, rule_name, severity, unit_id, unit_name, unit_path, event_id, event_type, event_time, message_vi, message_en, data, recipients)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [alertId, dedupeKey, rule.id, rule.name, rule.severity, event.subject, unit?.name ?? null, unitPath || null, event.id, event.type, event.time, message.vi, message.en, JSON.stringify(event.data), recipients],
    )) as { id: string }[];
    // The same fact again (a redelivery, a replay, a restart): its alert exists already.
    if (!inserted.length) return null;

    const now = new Date();
    const { emails, heldForDigest } = await this.emailTargets(manager, recipients, rule.severity, now);
    if (recipients.length) {
      await manager.query(
        `INSERT INTO feed_items (alert_id, recipient, severity, held_for_digest) SELECT $1, r, $3, r = ANY($4::text[]) FROM unnest($2::text[]) AS r ON CONFLICT DO NOTHING`,
        [alertId, recipients, rule.severity, heldForDigest],
      );
    }
    const webhooks = (await manager.query(
      `SELECT id, agency, url FROM webhooks
        WHERE enabled AND (unit_id IS NULL OR unit_id = ANY($1::uuid[])) AND (cardinality(event_types) = 0 OR $2 = ANY(event_types))
          AND ${MIN_SEVERITY_MET} AND ($4::text IS NULL OR agency = $4)
        ORDER BY id`,
      [chainIds, event.type, SEVERITY_RANK[rule.severity], owner],
    )) as { id: string; agency: string; url: string }[];

    const alertEvent = this.events.create({
      type: 'antq.notifications.alert-raised.v1',
      subject: event.subject,
      actor: NOTIFICATIONS_ACTOR,
      data: {
        alertId,
        ruleId: rule.id,
        ruleName: rule.name,
        severity: rule.severity,
        dedupeKey,
        unitId: event.subject,
        unitName: unit?.name ?? null,
        triggerEventType: event.type,
        triggerEventId: event.id,
        message,
        ...recipientsOf(recipients),
        deliveries: emails.length + webhooks.length,
      },
    });
    const deliveries = [
      // An agency's endpoint is told of its own agency's recipients (the agency and its users), never who else was.
      ...webhooks.map((w) => ({
        channel: 'webhook',
        recipient: `agency:${w.agency}`,
        webhookId: w.id,
        target: w.url,
        payload: { ...alertEvent, data: { ...alertEvent.data, ...recipientsOf(recipients.filter((r) => isOfAgency(r, w.agency))) } },
        at: now,
        held: null as string | null,
      })),
      ...emails.map((e) => ({
        channel: 'email',
        recipient: e.subscriber,
        webhookId: null,
        target: e.email,
        payload: emailForAlert(e.email, rule, message, unitPath || event.subject, alertId),
        at: e.at,
        held: e.at > now ? 'quiet-hours' : null,
      })),
    ];
    if (deliveries.length) {
      await manager.query(
        `INSERT INTO deliveries (id, alert_id, channel, recipient, webhook_id, target, payload, next_attempt_at, held_reason)
         SELECT gen_random_uuid(), $1, d.channel, d.recipient, d.webhook_id, d.target, d.payload, d.at, d.held
           FROM jsonb_to_recordset($2::jsonb) AS d(channel text, recipient text, webhook_id uuid, target text, payload jsonb, at timestamptz, held text)
         ON CONFLICT DO NOTHING`,
        [alertId, JSON.stringify(deliveries.map((d) => ({ channel: d.channel, recipient: d.recipient, webhook_id: d.webhookId, target: d.target, payload: d.payload, at: d.at.toISOString(), held: d.held })))],
      );
    }
    return { event: alertEvent, wake: deliveries.length > 0 };
  }

  private readonly pending = new WeakMap<EntityManager, { events: CloudEvent[]; wake: boolean }>();

  /**
   * A batch's alert-raised events go to the outbox together when the batch ends (still in
   * its transaction), and the delivery worker is woken once for the batch.
   */
  private async publish(manager: EntityManager, raised: { event: CloudEvent; wake: boolean }[]): Promise<void> {
    const pending = this.pending.get(manager) ?? { events: [], wake: false };
    pending.events.push(...raised.map((r) => r.event));
    pending.wake ||= raised.some((r) => r.wake);
    this.pending.set(manager, pending);
    await atBatchEnd(manager, 'alerts-raised', async () => {
      const { events, wake: wakeWorker } = this.pending.get(manager) ?? { events: [], wake: false };
      this.pending.delete(manager);
      await this.outbox.append(manager, events);
      if (wakeWorker) await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_CHANNEL]);
    });
  }

  /** The unit and its ancestors, nearest first, from the replica. */
  private async ancestry(manager: EntityManager, unitId: string): Promise<ChainUnit[]> {
    return (await manager.query(
      `WITH RECURSIVE chain AS (
         SELECT unit_id, parent_id, name, code, kind, 0 AS depth FROM replica_units WHERE unit_id = $1
         UNION ALL
         SELECT u.unit_id, u.parent_id, u.name, u.code, u.kind, c.depth + 1 FROM replica_units u JOIN chain c ON u.unit_id = c.parent_id WHERE c.depth < 30
       ) SELECT unit_id, name, code, kind FROM chain ORDER BY depth`,
      [unitId],
    )) as ChainUnit[];
  }

  /**
   * Who is told: the agencies responsible for the unit or any ancestor (the higher levels
   * learn what happens below them), and every agency or user whose subscription covers the
   * unit's subtree, the event type and the severity.
   */
  private async recipients(manager: EntityManager, chainIds: string[], type: string, severity: AlertSeverity): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT 'agency:' || agency AS recipient FROM responsibilities WHERE unit_id = ANY($1::uuid[])
       UNION
       SELECT subscriber FROM subscriptions
        WHERE (unit_id IS NULL OR unit_id = ANY($1::uuid[])) AND (cardinality(event_types) = 0 OR $2 = ANY(event_types))
          AND ${MIN_SEVERITY_MET}
       ORDER BY 1`,
      [chainIds, type, SEVERITY_RANK[severity]],
    )) as { recipient: string }[];
    return rows.map((r) => r.recipient);
  }

  /**
   * Recipients who take email: at once, or at the end of their quiet hours for non-critical
   * alerts. Digest readers get critical alerts at once and the rest in their digest: those
   * are `heldForDigest`, and their feed items are marked so that the digest owes them.
   */
  private async emailTargets(manager: EntityManager, recipients: string[], severity: AlertSeverity, now: Date) {
    if (!recipients.length) return { emails: [], heldForDigest: [] };
    const preferences = (await manager.query(`SELECT * FROM preferences WHERE subscriber = ANY($1) AND 'email' = ANY(channels) AND email IS NOT NULL ORDER BY subscriber`, [
      recipients,
    ])) as Preference[];
    const critical = severity === 'critical';
    const held = (p: Preference) => !critical && p.digest;
    return {
      emails: preferences
        .filter((p) => !held(p))
        .map((p) => ({
          subscriber: p.subscriber,
          email: p.email as string,
          at: critical ? now : releaseTime(now, quietHoursOf(p), p.time_zone ?? this.config.NOTIFICATIONS_TIME_ZONE),
        })),
      heldForDigest: preferences.filter(held).map((p) => p.subscriber),
    };
  }
}
