import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '@antq/contracts';
import { ConflictError, NotFoundError } from '@antq/platform';
import { DELIVERY_OF_AGENCY, agencyScope, isAdmin, type Caller } from '../subscriptions/agency-scope';
import { agencyKey, userKey } from '../subscriptions/subscriptions.service';
import { DELIVERY_CHANNEL } from './alerts.service';
import type { AlertQuery, DeliveryQuery, FeedQuery, FeedSelection } from './feed.requests';

const ALERT_COLUMNS = `a.id, a.rule_id AS "ruleId", a.rule_name AS "ruleName", a.severity, a.unit_id AS "unitId", a.unit_name AS "unitName",
  a.unit_path AS "unitPath", a.event_type AS "eventType", a.event_id AS "eventId", a.event_time AS "eventTime",
  json_build_object('vi', a.message_vi, 'en', a.message_en) AS message, a.raised_at AS "raisedAt"`;
const DELIVERY_COLUMNS = `d.id, d.alert_id AS "alertId", d.channel, d.kind, d.recipient, d.webhook_id AS "webhookId", d.target, d.state,
  d.attempts, d.next_attempt_at AS "nextAttemptAt", d.held_reason AS "heldReason", d.last_status_code AS "lastStatusCode",
  d.last_error AS "lastError", d.created_at AS "createdAt", d.finished_at AS "finishedAt"`;

/**
 * Which alerts the caller sees, as SQL on the alert aliased `a` with its parameters from `$first`.
 * An admin sees every alert with all its recipients. Anyone else sees an alert only if it was
 * addressed to its agency or to itself (each recipient has a feed item, indexed by recipient and
 * alert) or sent to one of its agency's webhooks, and of its recipients only those two: who else
 * was told is not the caller's business.
 */
function alertVisibility(actor: Caller, first: number): { where: string; recipients: string; params: unknown[] } {
  if (isAdmin(actor)) return { where: 'true', recipients: 'a.recipients', params: [] };
  const keys = `$${first}::text[]`;
  return {
    where: `a.id IN (SELECT f.alert_id FROM feed_items f WHERE f.recipient = ANY(${keys})
                     UNION ALL SELECT d.alert_id FROM deliveries d WHERE d.channel = 'webhook' AND d.recipient = $${first + 1}::text)`,
    recipients: `ARRAY(SELECT r FROM unnest(a.recipients) AS r WHERE r = ANY(${keys}))`,
    params: [[agencyKey(actor.agency), userKey(actor)], agencyKey(actor.agency)],
  };
}

/** Reads for the feed, the alerts and the delivery log. */
@Injectable()
export class AlertQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private recipientsOf(actor: Actor, only?: 'agency' | 'user'): string[] {
    const all = { agency: agencyKey(actor.agency), user: userKey(actor) };
    return only ? [all[only]] : [all.agency, all.user];
  }

  async feed(actor: Actor, query: FeedQuery) {
    const params = [this.recipientsOf(actor, query.for), query.unread ?? null, query.severity ?? null, query.ruleId ?? null];
    const where = `f.recipient = ANY($1) AND ($2::boolean IS NULL OR (f.read_at IS NULL) = $2) AND ($3::text IS NULL OR f.severity = $3)
                   AND ($4::uuid IS NULL OR a.rule_id = $4)`;
    const [{ total, unread }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE f.read_at IS NULL)::int AS unread FROM feed_items f JOIN alerts a ON a.id = f.alert_id WHERE ${where}`,
      params,
    )) as { total: number; unread: number }[];
    const items = (await this.dataSource.query(
      `SELECT f.id AS "itemId", f.recipient, f.read_at AS "readAt", f.read_by AS "readBy", ${ALERT_COLUMNS}
         FROM feed_items f JOIN alerts a ON a.id = f.alert_id WHERE ${where} ORDER BY f.id DESC OFFSET $5 LIMIT $6`,
      [...params, query.offset, query.limit],
    )) as unknown[];
    return { total, unread, items };
  }

  async markRead(actor: Actor, itemId: number) {
    const [updated] = (await this.dataSource.query(
      `UPDATE feed_items SET read_at = COALESCE(read_at, now()), read_by = COALESCE(read_by, $3) WHERE id = $1 AND recipient = ANY($2)
       RETURNING id AS "itemId", read_at AS "readAt", read_by AS "readBy"`,
      [itemId, this.recipientsOf(actor), actor.principal],
    )) as [unknown[], number];
    if (!updated.length) throw new NotFoundError(`Feed item ${itemId} is not in your feed`);
    return updated[0];
  }

  async markAllRead(actor: Actor, query: FeedSelection) {
    const [, marked] = (await this.dataSource.query(
      `UPDATE feed_items f SET read_at = now(), read_by = $2 WHERE f.recipient = ANY($1) AND f.read_at IS NULL AND ($3::text IS NULL OR f.severity = $3)
          AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM alerts a WHERE a.id = f.alert_id AND a.rule_id = $4))`,
      [this.recipientsOf(actor, query.for), actor.principal, query.severity ?? null, query.ruleId ?? null],
    )) as [unknown[], number];
    return { marked };
  }

  /** The alerts the caller sees (every alert, for an admin), newest first. */
  async alerts(query: AlertQuery, actor: Caller) {
    const visible = alertVisibility(actor, 4);
    const params = [query.severity ?? null, query.ruleId ?? null, query.unitId ?? null, ...visible.params];
    const where = `($1::text IS NULL OR a.severity = $1) AND ($2::uuid IS NULL OR a.rule_id = $2) AND ($3::text IS NULL OR a.unit_id = $3) AND ${visible.where}`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM alerts a WHERE ${where}`, params)) as { total: number }[];
    const page = params.length + 1;
    const items = (await this.dataSource.query(
      `SELECT ${ALERT_COLUMNS}, ${visible.recipients} AS recipients FROM alerts a WHERE ${where} ORDER BY a.raised_at DESC, a.id OFFSET $${page} LIMIT $${page + 1}`,
      [...params, query.offset, query.limit],
    )) as unknown[];
    return { total, items };
  }

  /**
   * An alert the caller sees, with the deliveries of the caller's agency (an admin sees them all):
   * their targets are the agency's own. One the caller does not see does not exist for it.
   */
  async alert(id: string, actor: Caller) {
    const visible = alertVisibility(actor, 2);
    const [alert] = (await this.dataSource.query(
      `SELECT ${ALERT_COLUMNS}, ${visible.recipients} AS recipients, a.dedupe_key AS "dedupeKey", a.data FROM alerts a WHERE a.id = $1 AND ${visible.where}`,
      [id, ...visible.params],
    )) as Record<string, unknown>[];
    if (!alert) throw new NotFoundError(`Alert ${id} does not exist`);
    const deliveries = (await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.alert_id = $1 AND ${DELIVERY_OF_AGENCY(2)} ORDER BY d.channel, d.target`,
      [id, agencyScope(actor)],
    )) as { id: string }[];
    const attempts = await this.attempts(deliveries.map((d) => d.id));
    return { ...alert, deliveries: deliveries.map((d) => ({ ...d, attemptLog: attempts.get(d.id) ?? [] })) };
  }

  /** The caller's agency's deliveries (an admin's: every agency's). */
  async deliveries(query: DeliveryQuery, actor: Caller) {
    const params = [query.state ?? null, query.channel ?? null, query.webhookId ?? null, agencyScope(actor)];
    const where = `($1::text IS NULL OR d.state = $1) AND ($2::text IS NULL OR d.channel = $2) AND ($3::uuid IS NULL OR d.webhook_id = $3) AND ${DELIVERY_OF_AGENCY(4)}`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM deliveries d WHERE ${where}`, params)) as { total: number }[];
    const items = (await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE ${where} ORDER BY d.created_at DESC, d.id OFFSET $5 LIMIT $6`, [
      ...params,
      query.offset,
      query.limit,
    ])) as unknown[];
    return { total, items };
  }

  /** A delivery of the caller's agency (any, for an admin); another agency's does not exist for the caller. */
  async delivery(id: string, actor: Caller) {
    const [delivery] = (await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.id = $1 AND ${DELIVERY_OF_AGENCY(2)}`, [id, agencyScope(actor)])) as Record<
      string,
      unknown
    >[];
    if (!delivery) throw new NotFoundError(`Delivery ${id} does not exist`);
    return { ...delivery, attemptLog: (await this.attempts([id])).get(id) ?? [] };
  }

  /**
   * Sends a failed delivery again, with a fresh budget of attempts; its history stays. It
   * leaves the dead letters (it is no longer given up on); failing again puts it back.
   */
  async resend(id: string, actor: Caller) {
    await this.dataSource.transaction(async (manager) => {
      // Another agency's delivery does not exist for the caller, as when it is read.
      const [row] = (await manager.query(`SELECT state FROM deliveries d WHERE d.id = $1 AND ${DELIVERY_OF_AGENCY(2)} FOR UPDATE`, [id, agencyScope(actor)])) as {
        state: string;
      }[];
      if (!row) throw new NotFoundError(`Delivery ${id} does not exist`);
      if (row.state !== 'failed') throw new ConflictError(`Only a failed delivery can be sent again (this one is ${row.state})`);
      await manager.query(
        `UPDATE deliveries SET state = 'pending', attempts_before_resend = attempts, next_attempt_at = now(), lease_until = NULL, held_reason = NULL, finished_at = NULL WHERE id = $1`,
        [id],
      );
      await manager.query('DELETE FROM dead_letters WHERE delivery_id = $1', [id]);
      await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_CHANNEL]);
    });
    return this.delivery(id, actor);
  }

  /** The caller's agency's dead letters (every agency's, for an admin). */
  async deadLetters(query: DeliveryQuery, actor: Caller) {
    const params = [query.channel ?? null, agencyScope(actor)];
    const where = `($1::text IS NULL OR x.channel = $1) AND EXISTS (SELECT 1 FROM deliveries d WHERE d.id = x.delivery_id AND ${DELIVERY_OF_AGENCY(2)})`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM dead_letters x WHERE ${where}`, params)) as { total: number }[];
    const items = (await this.dataSource.query(
      `SELECT x.id, x.delivery_id AS "deliveryId", x.alert_id AS "alertId", x.channel, x.target, x.attempts, x.last_status_code AS "lastStatusCode",
              x.last_error AS "lastError", x.created_at AS "createdAt"
         FROM dead_letters x WHERE ${where} ORDER BY x.id DESC OFFSET $3 LIMIT $4`,
      [...params, query.offset, query.limit],
    )) as unknown[];
    return { total, items };
  }

  private async attempts(ids: string[]) {
    const rows = (await this.dataSource.query(
      `SELECT delivery_id, attempt, started_at AS "startedAt", duration_ms AS "durationMs", status_code AS "statusCode", outcome, error
         FROM delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt`,
      [ids],
    )) as ({ delivery_id: string } & Record<string, unknown>)[];
    const byDelivery = new Map<string, unknown[]>();
    for (const { delivery_id, ...attempt } of rows) byDelivery.set(delivery_id, [...(byDelivery.get(delivery_id) ?? []), attempt]);
    return byDelivery;
  }
}
