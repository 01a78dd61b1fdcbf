import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor, AlertSeverity } from '@antq/contracts';
import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '@antq/platform';
import { REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';
import { NotificationsConfig } from '../config/notifications.config';
import { AddressDeniedError, AddressPolicy, AddressResolutionError } from '../delivery/address-policy';
import { isTimeZone, quietHoursOf } from '../delivery/quiet-hours';
import { ALERTABLE_EVENT_TYPES, isAlertableEventType } from '../rules/event-fields';
import type { FilterRequest, PreferencesRequest, RotateSecretRequest, SubscriptionRequest, WebhookRequest } from './subscription.requests';
import { newWebhookSecret } from '../delivery/signature';
import { agencyScope, isAdmin, requireOwnAgency, type Caller } from './agency-scope';

export const agencyKey = (agency: string) => `agency:${agency}`;
/**
 * A user is its agency and its principal: agencies issue principals independently, so the
 * same `sub` from two agencies is two people, with two feeds and two sets of preferences.
 */
export const userKey = (actor: Pick<Actor, 'agency' | 'principal'>) => `user:${actor.agency}/${actor.principal}`;
const MANAGERS = ['alert-manager', 'admin'];
/** How long a replaced webhook secret keeps signing unless the rotation says otherwise. */
const DEFAULT_SECRET_OVERLAP_HOURS = 24;

interface FilterRow {
  unit_id: string | null;
  event_types: string[];
  min_severity: AlertSeverity;
}

const filterOf = (row: FilterRow) => ({ unitId: row.unit_id, eventTypes: row.event_types, minSeverity: row.min_severity });

/** Who hears of what: subscriptions, preferences, webhooks, and which agency answers for which units. */
@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger(SubscriptionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AddressPolicy) private readonly addresses: AddressPolicy,
    private readonly config: NotificationsConfig,
  ) {}

  // --- subscriptions -------------------------------------------------------------------

  async subscribe(request: SubscriptionRequest, actor: Caller) {
    this.checkFilter(request);
    if (request.for === 'agency') this.requireManager(actor, 'subscribe an agency');
    await this.checkUnits(actor, request.unitId === undefined ? [] : [request.unitId], { everyUnit: request.unitId === undefined, what: 'subscribe' });
    const subscriber = request.for === 'agency' ? agencyKey(actor.agency) : userKey(actor);
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO subscriptions (id, subscriber, agency, unit_id, event_types, min_severity, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, subscriber, actor.agency, request.unitId ?? null, request.eventTypes ?? [], request.minSeverity ?? 'info', `${actor.agency}/${actor.principal}`],
    );
    return { id, subscriber, unitId: request.unitId ?? null, eventTypes: request.eventTypes ?? [], minSeverity: request.minSeverity ?? 'info' };
  }

  /** The caller's own subscriptions and its agency's. */
  async subscriptions(actor: Actor) {
    const rows = (await this.dataSource.query(
      'SELECT id, subscriber, unit_id, event_types, min_severity, created_at FROM subscriptions WHERE subscriber = ANY($1) ORDER BY created_at',
      [[agencyKey(actor.agency), userKey(actor)]],
    )) as (FilterRow & { id: string; subscriber: string; created_at: Date })[];
    return rows.map((r) => ({ id: r.id, subscriber: r.subscriber, ...filterOf(r), createdAt: r.created_at.toISOString() }));
  }

  /** Removes the caller's own subscription or its agency's; an admin removes anyone's. */
  async unsubscribe(id: string, actor: Actor): Promise<void> {
    const [row] = (await this.dataSource.query('SELECT subscriber FROM subscriptions WHERE id = $1', [id])) as { subscriber: string }[];
    if (!row || (!isAdmin(actor) && ![agencyKey(actor.agency), userKey(actor)].includes(row.subscriber))) throw new NotFoundError(`Subscription ${id} does not exist`);
    if (row.subscriber.startsWith('agency:')) this.requireManager(actor, "remove an agency's subscription");
    await this.dataSource.query('DELETE FROM subscriptions WHERE id = $1', [id]);
  }

  // --- preferences ---------------------------------------------------------------------

  async preferences(subscriber: string) {
    const [row] = (await this.dataSource.query('SELECT * FROM preferences WHERE subscriber = $1', [subscriber])) as {
      channels: string[];
      email: string | null;
      digest: boolean;
      quiet_start: string | null;
      quiet_end: string | null;
      time_zone: string | null;
    }[];
    return {
      subscriber,
      channels: row?.channels ?? ['feed'],
      email: row?.email ?? null,
      digest: row?.digest ?? false,
      quietHours: quietHoursOf(row),
      timeZone: row?.time_zone ?? this.config.NOTIFICATIONS_TIME_ZONE,
    };
  }

  async setPreferences(subscriber: string, request: PreferencesRequest) {
    const problems: string[] = [];
    const channels = [...new Set(['feed', ...request.channels])];
    if ((channels.includes('email') || request.digest) && !request.email) problems.push('email: the email channel and the digest need an email address');
    if (request.digest && !channels.includes('email')) problems.push('digest: the digest is sent by email; add "email" to channels');
    if (request.timeZone !== undefined && !isTimeZone(request.timeZone)) problems.push(`timeZone: "${request.timeZone}" is not an IANA time zone such as Asia/Ho_Chi_Minh`);
    if (problems.length) throw new InvalidInputError(`Invalid preferences: ${problems.join('; ')}`, { problems });
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO preferences (subscriber, channels, email, digest, quiet_start, quiet_end, time_zone, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (subscriber) DO UPDATE SET channels = EXCLUDED.channels, email = EXCLUDED.email, digest = EXCLUDED.digest,
           quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, time_zone = EXCLUDED.time_zone, updated_at = now()`,
        [subscriber, channels, request.email ?? null, request.digest ?? false, request.quietHours?.start ?? null, request.quietHours?.end ?? null, request.timeZone ?? null],
      );
      // Items held for the digest are owed by email (a last digest sends them once it is given
      // up), but not to a subscriber who no longer takes email: they would come at its return, stale.
      if (!channels.includes('email')) {
        await manager.query('UPDATE feed_items SET held_for_digest = false WHERE recipient = $1 AND held_for_digest AND digested_at IS NULL', [subscriber]);
      }
    });
    return this.preferences(subscriber);
  }

  // --- webhooks ------------------------------------------------------------------------

  /** Registers an integrator's endpoint; the response carries the signing secret, the only time it is shown. */
  async addWebhook(request: WebhookRequest, actor: Caller) {
    this.checkFilter(request);
    await this.checkUnits(actor, request.unitId === undefined ? [] : [request.unitId], { everyUnit: request.unitId === undefined, what: 'register a webhook' });
    const problem = AddressPolicy.urlProblem(request.url);
    if (problem) throw new InvalidInputError(`Invalid webhook URL: ${problem}`, { problems: [`url: ${problem}`] });
    try {
      await this.addresses.check(request.url);
    } catch (error) {
      if (error instanceof AddressDeniedError) {
        // Where an internal host name leads is for the operators, not the caller.
        if (error.publicMessage !== error.message) this.logger.warn(`Webhook registration by ${actor.agency}/${actor.principal} refused: ${error.message}`);
        throw new InvalidInputError(`Webhook URL refused: ${error.publicMessage}`, { problems: [`url: ${error.publicMessage}`] });
      }
      if (error instanceof AddressResolutionError) throw new InvalidInputError(`Webhook URL refused: ${error.message}`, { problems: [`url: ${error.message}`] });
      throw error;
    }
    const id = randomUUID();
    const secret = newWebhookSecret();
    await this.dataSource.query(
      `INSERT INTO webhooks (id, agency, url, secret, description, unit_id, event_types, min_severity, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, actor.agency, request.url, secret, request.description ?? '', request.unitId ?? null, request.eventTypes ?? [], request.minSeverity ?? 'info', `${actor.agency}/${actor.principal}`],
    );
    return { ...(await this.webhook(id, actor)), secret };
  }

  /** The agency's webhooks; every agency's, for an admin. */
  async webhooks(actor: Actor) {
    const rows = (await this.dataSource.query('SELECT id FROM webhooks WHERE $1::text IS NULL OR agency = $1 ORDER BY created_at', [agencyScope(actor)])) as { id: string }[];
    return Promise.all(rows.map((r) => this.webhook(r.id, actor)));
  }

  /** A webhook as the API shows it, never its secret: one of the agency's (any, for an admin), else 404. */
  async webhook(id: string, actor: Actor) {
    const [row] = (await this.dataSource.query(
      `SELECT id, agency, url, description, unit_id, event_types, min_severity, enabled, created_by, created_at,
              CASE WHEN previous_secret_until > now() THEN previous_secret_until END AS previous_secret_until
         FROM webhooks WHERE id = $1 AND ($2::text IS NULL OR agency = $2)`,
      [id, agencyScope(actor)],
    )) as (FilterRow & { id: string; agency: string; url: string; description: string; enabled: boolean; created_by: string; created_at: Date; previous_secret_until: Date | null })[];
    if (!row) throw new NotFoundError(`Webhook ${id} does not exist`);
    return {
      id: row.id,
      agency: row.agency,
      url: row.url,
      description: row.description,
      ...filterOf(row),
      enabled: row.enabled,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      /** Until when deliveries are signed with the secret a rotation replaced as well, if they still are. */
      previousSecretValidUntil: row.previous_secret_until?.toISOString() ?? null,
    };
  }

  /**
   * A new signing secret, shown once. Deliveries are signed with it from now on and, for the
   * hours asked (24 by default), with the one it replaces too, so that the integrator can
   * switch its receiver over without refusing any; a second rotation within them ends the first's.
   */
  async rotateSecret(id: string, request: RotateSecretRequest, actor: Actor) {
    await this.webhook(id, actor);
    const secret = newWebhookSecret();
    const hours = request.keepPreviousForHours ?? DEFAULT_SECRET_OVERLAP_HOURS;
    const [[row]] = (await this.dataSource.query(
      `UPDATE webhooks SET previous_secret = CASE WHEN $3 > 0 THEN secret END, secret = $2,
              previous_secret_until = CASE WHEN $3 > 0 THEN now() + make_interval(hours => $3) END
        WHERE id = $1 RETURNING previous_secret_until`,
      [id, secret, hours],
    )) as [[{ previous_secret_until: Date | null }], number];
    return { id, secret, previousSecretValidUntil: row.previous_secret_until?.toISOString() ?? null };
  }

  /** Disables a webhook: pending deliveries to it fail, its history stays. */
  async disableWebhook(id: string, actor: Actor) {
    await this.webhook(id, actor);
    await this.dataSource.query('UPDATE webhooks SET enabled = false WHERE id = $1', [id]);
    return this.webhook(id, actor);
  }

  // --- responsibilities ----------------------------------------------------------------

  /** An agency's units; a non-admin sets only its own agency's, and within its jurisdiction if the token names one. */
  async setResponsibilities(actor: Caller, agency: string, unitIds: string[]) {
    requireOwnAgency(actor, agency, 'set the responsibilities');
    await this.checkUnits(actor, unitIds, { everyUnit: false, what: 'take responsibility for units' });
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM responsibilities WHERE agency = $1', [agency]);
      if (unitIds.length) {
        await manager.query('INSERT INTO responsibilities (agency, unit_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [agency, [...new Set(unitIds)]]);
      }
    });
    return this.responsibilities(agency);
  }

  async responsibilities(agency?: string) {
    const rows = (await this.dataSource.query(
      `SELECT agency, array_agg(unit_id::text ORDER BY unit_id) AS unit_ids FROM responsibilities WHERE $1::text IS NULL OR agency = $1 GROUP BY agency ORDER BY agency`,
      [agency ?? null],
    )) as { agency: string; unit_ids: string[] }[];
    if (agency) return { agency, unitIds: rows[0]?.unit_ids ?? [] };
    return rows.map((r) => ({ agency: r.agency, unitIds: r.unit_ids }));
  }

  private checkFilter(request: FilterRequest): void {
    const unknown = (request.eventTypes ?? []).filter((type) => !isAlertableEventType(type));
    if (unknown.length) {
      throw new InvalidInputError(`Unknown event types: ${unknown.join(', ')} (known: ${ALERTABLE_EVENT_TYPES.join(', ')})`, {
        problems: unknown.map((type) => `eventTypes: "${type}" is not an event type alerts are raised on`),
      });
    }
  }

  /**
   * The units must be known to the replica of the unit tree (422 otherwise). A non-admin's
   * must lie within its token's jurisdiction (a root or below; a token naming none has no
   * unit-scoped rights, as everywhere), and it may not choose every unit (no unitId): only
   * an admin may.
   */
  private async checkUnits(actor: Caller, unitIds: string[], { everyUnit, what }: { everyUnit: boolean; what: string }): Promise<void> {
    const ids = [...new Set(unitIds)];
    // Each unit once, with its path up the replica (itself included): known or not, and where.
    const rows = !ids.length ? [] : ((await this.dataSource.query(
      `SELECT u.id, r.unit_id IS NOT NULL AS known, ARRAY[u.id::text] || ${REPLICA_ANCESTORS_SQL('u.id')}::text[] AS path
         FROM unnest($1::uuid[]) AS u(id) LEFT JOIN replica_units r ON r.unit_id = u.id ORDER BY u.id`,
      [ids],
    )) as { id: string; known: boolean; path: string[] }[]);
    const unknown = rows.filter((row) => !row.known).map((row) => row.id);
    if (unknown.length) {
      throw new RuleViolationError(`${unknown.length > 1 ? 'Units' : 'Unit'} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} unknown: not in the unit tree`, {
        problems: unknown.map((id) => `unitId: unit ${id} is unknown`),
      });
    }
    if (isAdmin(actor)) return;
    if (everyUnit) {
      throw new ForbiddenError(`To ${what} for every unit, the admin role is needed: name a unitId within the jurisdiction of agency ${actor.agency}`);
    }
    const jurisdiction = actor.jurisdiction ?? [];
    const outside = rows.filter((row) => !row.path.some((unit) => jurisdiction.includes(unit))).map((row) => row.id);
    if (outside.length) {
      throw new ForbiddenError(
        `Unit${outside.length > 1 ? 's' : ''} ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} outside the jurisdiction of agency ${actor.agency}${jurisdiction.length ? '' : ' (its token names none)'}`,
      );
    }
  }

  private requireManager(actor: Actor, what: string): void {
    if (!actor.roles.some((role) => MANAGERS.includes(role))) throw new ForbiddenError(`To ${what}, the alert-manager or admin role is needed`);
  }
}
