import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { DeliveryChannel } from '@antq/contracts';
import { EventFactory, OutboxService, type AntqClsStore } from '@antq/messaging';
import { QueueWorker } from '@antq/persistence';
import { DELIVERY_CHANNEL, NOTIFICATIONS_ACTOR } from '../alerts/alerts.service';
import { NotificationsConfig } from '../config/notifications.config';
import { AddressPolicy } from './address-policy';
import { deliveryAttempts, deliveryDuration } from './delivery.metrics';
import type { EmailPayload } from './email.content';
import { EMAIL_ATTEMPT_MAX_MS, EmailSender } from './email.sender';
import { nextAttemptDelay, quietUntil, type DeliveryTiming } from './next-attempt';
import { sendWebhook, type SendResult } from './webhook.sender';

/** Severity and quiet hours (DeliveryTiming) as they are at the claim. */
interface ClaimedDelivery extends DeliveryTiming {
  id: string;
  alert_id: string | null;
  recipient: string;
  webhook_id: string | null;
  target: string;
  payload: unknown;
  subject: string;
}

/** Time beyond a channel's own limit for the claim to outlast: database round trips, a slow DNS lookup. */
const LEASE_MARGIN_SECONDS = 30;

/**
 * How long a claim lasts on each channel, in seconds: longer than the longest attempt on it
 * (a webhook's WEBHOOK_TIMEOUT_MS, an email's SMTP limits), so no other worker claims a
 * delivery, and sends it again, while its attempt may still succeed.
 */
export function leaseSeconds(config: Pick<NotificationsConfig, 'WEBHOOK_TIMEOUT_MS'>): Record<DeliveryChannel, number> {
  return {
    webhook: Math.ceil(config.WEBHOOK_TIMEOUT_MS / 1000) + LEASE_MARGIN_SECONDS,
    email: Math.ceil(EMAIL_ATTEMPT_MAX_MS / 1000) + LEASE_MARGIN_SECONDS,
  };
}

/** TypeORM answers UPDATE ... RETURNING with [rows, count]. */
function updatedRows<T>(result: unknown): T[] {
  const [rows] = result as [T[], number];
  return Array.isArray(rows) ? rows : [];
}

/**
 * Performs pending deliveries. A delivery is claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease (its attempt number goes up in the same statement), performed outside any
 * transaction, and its outcome is recorded only if the attempt number is still the one
 * claimed. So two instances never perform the same attempt, a crash loses nothing (the
 * lease expires and the delivery is claimed again), and a stale worker cannot overwrite a
 * newer outcome. Receivers see the same `ANTQ-Delivery` id on every attempt of a delivery.
 */
@Injectable()
export class DeliveryWorker extends QueueWorker {
  private readonly inflight = new Set<Promise<void>>();
  private finished = 0;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: NotificationsConfig,
    @Inject(AddressPolicy) private readonly policy: AddressPolicy,
    private readonly email: EmailSender,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {
    super(dataSource, {
      channel: DELIVERY_CHANNEL,
      name: 'antq-delivery-worker',
      pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
      backlogMetric: { name: 'antq_deliveries_backlog', help: 'Notification deliveries waiting for their next attempt' },
    });
  }

  /** Deliveries this instance brought to an end (delivered or failed) since start. */
  get finishedCount(): number {
    return this.finished;
  }

  override async onApplicationBootstrap(): Promise<void> {
    if (this.config.DELIVERY_WORKER_ENABLED) await super.onApplicationBootstrap();
  }

  /** Claims no more, then lets the deliveries in flight finish. */
  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    await Promise.allSettled([...this.inflight]);
  }

  async backlog(): Promise<{ pending: number }> {
    const [{ n }] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM deliveries WHERE state = 'pending'`)) as { n: number }[];
    return { pending: n };
  }

  /** Claims as many deliveries as there are free slots and starts them; each one ending frees a slot and pokes. */
  protected async pass(): Promise<boolean> {
    const free = this.config.DELIVERY_CONCURRENCY - this.inflight.size;
    if (free <= 0) return false;
    const claimed = await this.claim(free);
    for (const delivery of claimed) {
      const work: Promise<void> = this.perform(delivery)
        .catch((error: unknown) => this.logger.error(`Delivery ${delivery.id} could not be recorded: ${(error as Error).message}`))
        .finally(() => {
          this.inflight.delete(work);
          this.poke();
        });
      this.inflight.add(work);
    }
    return claimed.length > 0 && claimed.length === free;
  }

  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    const lease = leaseSeconds(this.config);
    return updatedRows<ClaimedDelivery>(await this.dataSource.query(
      `UPDATE deliveries d SET attempts = d.attempts + 1,
              lease_until = now() + make_interval(secs => CASE d.channel WHEN 'email' THEN $3::float8 ELSE $2::float8 END)
         FROM (SELECT id FROM deliveries
                WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id
        RETURNING d.id, d.alert_id, d.channel, d.recipient, d.webhook_id, d.target, d.payload, d.attempts, d.attempts_before_resend,
                  COALESCE((SELECT unit_id FROM alerts a WHERE a.id = d.alert_id), d.recipient) AS subject,
                  CASE WHEN d.channel = 'email' THEN (SELECT a.severity FROM alerts a WHERE a.id = d.alert_id) END AS severity,
                  CASE WHEN d.channel = 'email' THEN (SELECT json_build_object('quiet_start', p.quiet_start, 'quiet_end', p.quiet_end, 'time_zone', p.time_zone)
                                                        FROM preferences p WHERE p.subscriber = d.recipient) END AS quiet`,
      [limit, lease.webhook, lease.email],
    ));
  }

  private async perform(delivery: ClaimedDelivery): Promise<void> {
    // Quiet hours as they are now (set, say, after a retry was scheduled); a resent delivery goes regardless.
    const until = quietUntil(delivery, new Date(), this.config.NOTIFICATIONS_TIME_ZONE);
    if (until) return this.hold(delivery, until);
    const startedAt = new Date();
    const started = performance.now();
    let result: SendResult;
    try {
      result = delivery.channel === 'webhook' ? await this.sendWebhook(delivery) : await this.email.send(delivery.payload as EmailPayload, { 'X-ANTQ-Delivery': delivery.id });
    } catch (error) {
      result = { ok: false, statusCode: null, error: (error as Error).message, retryable: true };
    }
    const durationMs = Math.round(performance.now() - started);
    const outcome = await this.record(delivery, result, startedAt, durationMs);
    if (outcome) {
      deliveryAttempts.inc({ channel: delivery.channel, outcome });
      deliveryDuration.observe({ channel: delivery.channel }, durationMs / 1000);
    }
  }

  private async sendWebhook(delivery: ClaimedDelivery): Promise<SendResult> {
    // A rotated-out secret signs too until the time its rotation gave it, so receivers can switch over.
    const [webhook] = (await this.dataSource.query(
      `SELECT url, secret, CASE WHEN previous_secret_until > now() THEN previous_secret END AS previous_secret, enabled FROM webhooks WHERE id = $1`,
      [delivery.webhook_id],
    )) as { url: string; secret: string; previous_secret: string | null; enabled: boolean }[];
    if (!webhook?.enabled) return { ok: false, statusCode: null, error: 'the webhook was disabled', retryable: false };
    const body = JSON.stringify(delivery.payload);
    return sendWebhook(
      this.policy,
      { url: webhook.url, secrets: webhook.previous_secret ? [webhook.secret, webhook.previous_secret] : [webhook.secret] },
      body,
      { 'ANTQ-Delivery': delivery.id, 'ANTQ-Event-Type': 'antq.notifications.alert-raised.v1', 'ANTQ-Attempt': String(delivery.attempts) },
      this.config.WEBHOOK_TIMEOUT_MS,
    );
  }

  /** Puts a claimed email back unsent until `until`, its claim undone: no attempt was made. */
  private async hold(delivery: ClaimedDelivery, until: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET attempts = attempts - 1, lease_until = NULL, next_attempt_at = $3, held_reason = 'quiet-hours'
        WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
      [delivery.id, delivery.attempts, until],
    );
  }

  /** Records the attempt and moves the delivery on: delivered, due again later, or failed and dead-lettered. */
  private async record(delivery: ClaimedDelivery, result: SendResult, startedAt: Date, durationMs: number): Promise<'delivered' | 'retry' | 'failed' | undefined> {
    const attempt = delivery.attempts;
    const final = result.ok || !result.retryable || attempt - delivery.attempts_before_resend >= this.config.DELIVERY_MAX_ATTEMPTS;
    const outcome = result.ok ? 'delivered' : final ? 'failed' : 'retry';
    const error = result.error?.slice(0, 2000) ?? null;
    const next = outcome === 'retry' ? nextAttemptDelay(delivery, new Date(), this.config) : { ms: 0, heldReason: null };
    return this.cls.run(() =>
      this.dataSource.transaction(async (manager) => {
        this.cls.set('correlationId', `delivery-${delivery.id}`);
        const moved = updatedRows(await manager.query(
          `UPDATE deliveries SET state = $3, next_attempt_at = now() + make_interval(secs => $4::float8 / 1000), lease_until = NULL, held_reason = $7,
                  last_status_code = $5, last_error = $6, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
            WHERE id = $1 AND attempts = $2 AND state = 'pending' RETURNING id`,
          [delivery.id, attempt, outcome === 'retry' ? 'pending' : outcome, next.ms, result.statusCode, error, next.heldReason],
        ));
        // Another worker claimed a later attempt after this one's lease ran out: its outcome wins.
        if (!moved.length) return undefined;
        await manager.query(
          `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [delivery.id, attempt, startedAt, durationMs, result.statusCode, outcome, error],
        );
        if (outcome === 'retry') return outcome;
        const common = {
          notificationId: delivery.id,
          alertId: delivery.alert_id,
          channel: delivery.channel,
          recipient: delivery.recipient,
          webhookId: delivery.webhook_id,
          attempts: attempt,
          lastStatusCode: result.statusCode,
          at: new Date().toISOString(),
        };
        if (outcome === 'failed') {
          await manager.query(
            `INSERT INTO dead_letters (delivery_id, alert_id, channel, target, attempts, last_status_code, last_error, payload)
             SELECT id, alert_id, channel, target, attempts, last_status_code, last_error, payload FROM deliveries WHERE id = $1
             ON CONFLICT (delivery_id) DO UPDATE SET attempts = EXCLUDED.attempts, last_status_code = EXCLUDED.last_status_code,
               last_error = EXCLUDED.last_error, created_at = now()`,
            [delivery.id],
          );
          this.logger.warn(`Delivery ${delivery.id} (${delivery.channel}) failed after ${attempt} attempts: ${result.logError ?? error ?? 'unknown error'}`);
        }
        await this.outbox.append(manager, [
          outcome === 'delivered'
            ? this.events.create({ type: 'antq.notifications.notification-delivered.v1', subject: delivery.subject, actor: NOTIFICATIONS_ACTOR, data: common })
            : this.events.create({ type: 'antq.notifications.notification-failed.v1', subject: delivery.subject, actor: NOTIFICATIONS_ACTOR, data: { ...common, error: error ?? 'unknown error' } }),
        ]);
        this.finished++;
        return outcome;
      }),
    );
  }
}
