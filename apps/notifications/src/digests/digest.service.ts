import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cron } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import type { AlertSeverity } from '@antq/contracts';
import { DELIVERY_CHANNEL } from '../alerts/alerts.service';
import { NotificationsConfig } from '../config/notifications.config';
import { digestEmail } from '../delivery/email.content';
import { localDate, localMinutes, quietHoursOf, releaseTime } from '../delivery/quiet-hours';

/** How far before the previous digest's end a digest still looks for items it has not taken. */
const DIGEST_LAG_MS = 6 * 3600_000;

/**
 * The daily digest: once a day, from DIGEST_HOUR local time, each subscriber who chose it
 * gets one email listing the alerts addressed to them that no previous digest listed (held,
 * like any non-critical email, until the subscriber's quiet hours end). A
 * digest is recorded per subscriber and local date (its primary key), in the same
 * transaction as its delivery, so it is sent once however often the job runs.
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
      `SELECT subscriber, email, time_zone, quiet_start, quiet_end, digest_since FROM preferences WHERE digest AND 'email' = ANY(channels) AND email IS NOT NULL ORDER BY subscriber`,
    )) as { subscriber: string; email: string; time_zone: string | null; quiet_start: string | null; quiet_end: string | null; digest_since: Date | null }[];
    let queued = 0;
    for (const preference of subscribers) {
      const { subscriber, email, time_zone } = preference;
      const zone = time_zone ?? this.config.NOTIFICATIONS_TIME_ZONE;
      if (localMinutes(now, zone) < this.config.DIGEST_HOUR * 60) continue;
      const date = localDate(now, zone);
      queued += await this.dataSource.transaction(async (manager) => {
        const [previous] = (await manager.query('SELECT max(covered_until) AS until FROM digest_runs WHERE subscriber = $1', [subscriber])) as { until: Date | null }[];
        const claimed = (await manager.query(
          `INSERT INTO digest_runs (subscriber, digest_date, alerts, covered_until) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING RETURNING subscriber`,
          [subscriber, date, now],
        )) as unknown[];
        if (!claimed.length) return 0;
        // The items no digest took yet. A feed item is stamped when its transaction began, so
        // one committed after the previous digest may carry an earlier time: what was taken is
        // marked, and the window reaches back DIGEST_LAG_MS before the previous digest's end;
        // never before the digest was chosen, when alerts went out one by one.
        const afterPrevious = previous?.until ? new Date(previous.until.getTime() - DIGEST_LAG_MS) : new Date(now.getTime() - 24 * 3600_000);
        const since = preference.digest_since && preference.digest_since > afterPrevious ? preference.digest_since : afterPrevious;
        const alerts = (await manager.query(
          `WITH taken AS (
             UPDATE feed_items f SET digested_at = $3 WHERE f.recipient = $1 AND f.digested_at IS NULL AND f.created_at > $2 RETURNING f.id, f.alert_id
           ) SELECT a.severity, a.raised_at, a.message_vi, a.message_en FROM taken t JOIN alerts a ON a.id = t.alert_id ORDER BY t.id`,
          [subscriber, since, now],
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
        await manager.query('UPDATE digest_runs SET delivery_id = $3, alerts = $4 WHERE subscriber = $1 AND digest_date = $2', [subscriber, date, id, alerts.length]);
        await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_CHANNEL]);
        return 1;
      });
    }
    return queued;
  }
}
