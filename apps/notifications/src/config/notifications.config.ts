import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { loadConfig, toBoolean, type Environment } from '@antq/platform';
import { AddressPolicy, parseCidr, parseCidrList } from '../delivery/address-policy';
import { isTimeZone } from '../delivery/quiet-hours';

/** A comma-separated list of addresses or CIDR blocks; names the bad entry. */
function IsCidrList(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isCidrList',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            parseCidrList(value).forEach(parseCidr);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args) => {
          try {
            parseCidrList(String(args?.value)).forEach(parseCidr);
            return `${args?.property} must be a comma-separated list of addresses or CIDR blocks`;
          } catch (error) {
            return `${args?.property}: ${(error as Error).message}`;
          }
        },
      },
    },
    options,
  );
}

/**
 * The notifications service's own settings, validated at start-up beside the platform's
 * (ServiceConfig). Nothing else reads them from the environment.
 */
export class NotificationsConfig {
  /** `smtp://user:pass@host:587` or `smtps://...:465`; without it email deliveries fail visibly. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  SMTP_FROM: string = 'ANTQ Platform <alerts@antq.local>';

  /** Addresses webhooks may reach even if denied below (e.g. an integrator on the internal network). */
  @IsCidrList()
  WEBHOOK_ALLOW_CIDRS: string = '';

  /**
   * Addresses webhooks may not reach besides the built-in ranges (DEFAULT_DENIED_CIDRS:
   * loopback, private, link-local, metadata, ...), which always apply: setting this adds to
   * them, and only WEBHOOK_ALLOW_CIDRS opens a denied range.
   */
  @IsCidrList()
  WEBHOOK_DENY_CIDRS: string = '';

  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS: number = 5_000;

  @IsInt()
  @Min(1)
  @Max(30)
  DELIVERY_MAX_ATTEMPTS: number = 8;

  @IsInt()
  @Min(1)
  @Max(3_600_000)
  DELIVERY_BACKOFF_BASE_MS: number = 2_000;

  @IsInt()
  @Min(1)
  @Max(86_400_000)
  DELIVERY_BACKOFF_MAX_MS: number = 3_600_000;

  @IsInt()
  @Min(1)
  @Max(200)
  DELIVERY_CONCURRENCY: number = 16;

  @IsInt()
  @Min(10)
  @Max(60_000)
  DELIVERY_POLL_INTERVAL_MS: number = 1_000;

  @Transform(toBoolean)
  @IsBoolean()
  DELIVERY_WORKER_ENABLED: boolean = true;

  /** Default time zone for quiet hours and digests. */
  @ValidateBy({ name: 'isTimeZone', validator: { validate: (v: unknown) => typeof v === 'string' && isTimeZone(v), defaultMessage: () => 'NOTIFICATIONS_TIME_ZONE must be an IANA time zone such as Asia/Ho_Chi_Minh' } })
  NOTIFICATIONS_TIME_ZONE: string = 'Asia/Ho_Chi_Minh';

  /** Local hour from which the daily digest is sent. */
  @IsInt()
  @Min(0)
  @Max(23)
  DIGEST_HOUR: number = 7;
}

export function loadNotificationsConfig(env: Environment): NotificationsConfig {
  return loadConfig(NotificationsConfig, 'notifications', env);
}

/** Where webhooks may be delivered, by these settings: the default denied ranges, plus WEBHOOK_DENY_CIDRS, minus WEBHOOK_ALLOW_CIDRS. */
export function webhookAddressPolicy(config: Pick<NotificationsConfig, 'WEBHOOK_ALLOW_CIDRS' | 'WEBHOOK_DENY_CIDRS'>): AddressPolicy {
  return new AddressPolicy(parseCidrList(config.WEBHOOK_ALLOW_CIDRS), parseCidrList(config.WEBHOOK_DENY_CIDRS));
}
