import type { DeliveryChannel } from '@antq/contracts';
import type { NotificationsConfig } from '../config/notifications.config';
import { retryDelayMs } from './backoff';
import { quietHoursOf, releaseTime } from './quiet-hours';

/** What of a claimed delivery decides when it may go. */
export interface DeliveryTiming {
  channel: DeliveryChannel;
  /** Attempts made, the one just claimed or made included. */
  attempts: number;
  /** Attempts made before an operator last sent it again; 0 if none did (a failed delivery has made at least one). */
  attempts_before_resend: number;
  /** Emails only: the alert's severity (none for a digest) and the recipient's quiet hours. */
  severity: string | null;
  quiet: { quiet_start: string | null; quiet_end: string | null; time_zone: string | null } | null;
}

/**
 * When an email due at `at` may go instead, if its recipient's quiet hours hold it then;
 * null if it may go at `at`: a webhook, a critical alert, no quiet hours, or a delivery an
 * operator sent again (all its attempts, retries too: the operator chose to send it now).
 */
export function quietUntil(delivery: DeliveryTiming, at: Date, defaultTimeZone: string): Date | null {
  if (delivery.channel !== 'email' || delivery.severity === 'critical' || delivery.attempts_before_resend > 0) return null;
  const quiet = quietHoursOf(delivery.quiet ?? undefined);
  if (!quiet) return null;
  const released = releaseTime(at, quiet, delivery.quiet?.time_zone ?? defaultTimeZone);
  return released.getTime() > at.getTime() ? released : null;
}

/**
 * The wait after a failed attempt before the next one: the backoff (counted from the last
 * resend), and whatever more quiet hours then add (see quietUntil; a retry keeps them as the
 * first attempt did).
 */
export function nextAttemptDelay(
  delivery: DeliveryTiming,
  now: Date,
  config: Pick<NotificationsConfig, 'DELIVERY_BACKOFF_BASE_MS' | 'DELIVERY_BACKOFF_MAX_MS' | 'NOTIFICATIONS_TIME_ZONE'>,
  random: () => number = Math.random,
): { ms: number; heldReason: 'quiet-hours' | null } {
  const ms = retryDelayMs(delivery.attempts - delivery.attempts_before_resend, config.DELIVERY_BACKOFF_BASE_MS, config.DELIVERY_BACKOFF_MAX_MS, random);
  const released = quietUntil(delivery, new Date(now.getTime() + ms), config.NOTIFICATIONS_TIME_ZONE);
  return released ? { ms: released.getTime() - now.getTime(), heldReason: 'quiet-hours' } : { ms, heldReason: null };
}
