import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cron } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import type { AlertSeverity } from '@antq/contracts';
import { DELIVERY_CHANNEL } from '../alerts/alerts.service';
import { NotificationsConfig } from '../config/notifications.config';
import { digestEmail } from '../delivery/email.content';
import { localDate, localMinutes, quietHoursOf, releaseTime } from '../delivery/quiet-hours';

/**
 * The daily digest. A non-critical alert for a subscriber who reads the digest is not emailed
 * by itself: its feed item is held for the digest (critical alerts go out at once). Once a
 * day, from DIGEST_HOUR local time, each digest reader gets one email listing the items held
 * for it that no digest took yet (held, like any non-critical email, until the subscriber's
 * quiet hours end). A daily digest is recorded per subscriber and local date (its primary
 * key), in the same transaction as its delivery, so it is sent once however often the job
 * runs. A subscriber who gave the digest up while items were still held for it gets them in a
 * last digest at the job's next run, whatever the hour: they are owed by email, and nothing
 * else sends them.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
  ) {}

  @Cron('0 */10 * * * *')
  async scheduled(): Promise<void> {
    const sent = await this.run();
    if (sent) this.logger.log(`${sent} digests queued`);
  }

  /** Queues the digests due at `now`; returns how many were queued. */
  async run(now = new Date()): Promise<number> {
    const subscribers = (await this.dataSource.query(
      `SELECT subscriber, email, digest, time_zone, quiet_start, quiet_end FROM preferences p
        WHERE 'email' = ANY(channels) AND email IS NOT NULL
          AND (digest OR EXISTS (SELECT 1 FROM feed_items f WHERE f.recipient = p.subscriber AND f.held_for_digest AND f.digested_at IS NULL))
        ORDER BY subscriber`,
    )) as { subscriber: string; email: string; digest: boolean; time_zone: string | null; quiet_start: string | null; quiet_end: string | null }[];
    let queued = 0;
    for (const preference of subscribers) {
      const { subscriber, email, time_zone } = preference;
      const zone = time_zone ?? this.config.NOTIFICATIONS_TIME_ZONE;
      if (preference.digest && localMinutes(now, zone) < this.config.DIGEST_HOUR * 60) continue;
      const date = localDate(now, zone);
      queued += await this.dataSource.transaction(async (manager) => {
        if (preference.digest) {
          const claimed = (await manager.query(
            `INSERT INTO digest_runs (subscriber, digest_date, alerts, covered_until) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING RETURNING subscriber`,
            [subscriber, date, now],
          )) as unknown[];
          if (!claimed.length) return 0;
        }
        // Every held item no digest took yet, however late its transaction committed. Taking
        // them locks them: a run elsewhere at the same time waits, then finds them taken.
        const alerts = (await manager.query(
          `WITH taken AS (
             UPDATE feed_items f SET digested_at = $2 WHERE f.recipient = $1 AND f.held_for_digest AND f.digested_at IS NULL RETURNING f.id, f.alert_id
           ) SELECT a.severity, a.raised_at, a.message_vi, a.message_en FROM taken t JOIN alerts a ON a.id = t.alert_id ORDER BY t.id`,
          [subscriber, now],
        )) as { severity: AlertSeverity; raised_at: Date; message_vi: string; message_en: string }[];
        if (!alerts.length) return 0;
        // Sent at once, unless quiet hours hold it until they end.
        const released = releaseTime(now, quietHoursOf(preference), zone);
        const held = released > now ? released : null;
        const [{ id }] = (await manager.query(
          `INSERT INTO deliveries (id, alert_id, channel, kind, recipient, target, payload, next_attempt_at, held_reason)
           VALUES (gen_random_uuid(), NULL, 'email', 'digest', $1, $2, $3, COALESCE($4, now()), $5) RETURNING id`,
          [subscriber, email, JSON.stringify(digestEmail(email, date, alerts)), held, held ? 'quiet-hours' : null],
        )) as { id: string }[];
        if (preference.digest) {
          await manager.query('UPDATE digest_runs SET delivery_id = $3, alerts = $4 WHERE subscriber = $1 AND digest_date = $2', [subscriber, date, id, alerts.length]);
        }
        await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_CHANNEL]);
        return 1;
      });
    }
    return queued;
  }
}
