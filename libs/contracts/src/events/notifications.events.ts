import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const DELIVERY_CHANNELS = ['webhook', 'email'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** The most recipients an alert-raised event names (the alert itself keeps them all). */
export const MAX_ALERT_EVENT_RECIPIENTS = 1_000;

/** A message in the platform's two languages. */
export class LocalisedText {
  @IsString()
  vi!: string;

  @IsString()
  en!: string;
}

/** `antq.notifications.alert-raised.v1`: a rule matched a fact; raised once per rule and fact. */
export class AlertRaisedData {
  @IsUUID()
  alertId!: string;

  @IsUUID()
  ruleId!: string;

  @IsString()
  ruleName!: string;

  @IsIn(ALERT_SEVERITIES)
  severity!: AlertSeverity;

  /** The rule id and the triggering fact's natural key: unique across all alerts. */
  @IsString()
  @MaxLength(500)
  dedupeKey!: string;

  /** The unit the fact is about (the triggering event's subject). */
  @IsString()
  unitId!: string;

  @IsOptional()
  @IsString()
  unitName!: string | null;

  @IsString()
  triggerEventType!: string;

  @IsUUID()
  triggerEventId!: string;

  @ValidateNested()
  @Type(() => LocalisedText)
  message!: LocalisedText;

  /**
   * Who is told: `agency:<code>` and `user:<agency>/<principal>`, agencies first, at most
   * MAX_ALERT_EVENT_RECIPIENTS of them so that the event stays publishable however many
   * subscribed; `GET /alerts/:id` lists every one.
   */
  @IsArray()
  @ArrayMaxSize(MAX_ALERT_EVENT_RECIPIENTS)
  @IsString({ each: true })
  recipients!: string[];

  /** How many were told: more than `recipients` holds when the list was cut. */
  @IsInt()
  @Min(0)
  recipientCount!: number;

  /** Webhook endpoints and email addresses the alert is being delivered to. */
  @IsInt()
  @Min(0)
  deliveries!: number;
}

/** One delivery of an alert (or a digest) over a channel, as it ended. */
export class NotificationOutcomeData {
  @IsUUID()
  notificationId!: string;

  /** Absent for digests, which gather many alerts. */
  @IsOptional()
  @IsUUID()
  alertId!: string | null;

  @IsIn(DELIVERY_CHANNELS)
  channel!: DeliveryChannel;

  /** `agency:<code>` or `user:<agency>/<principal>` for email; the agency owning a webhook. */
  @IsString()
  recipient!: string;

  @IsOptional()
  @IsUUID()
  webhookId!: string | null;

  @IsInt()
  @Min(1)
  attempts!: number;

  @IsOptional()
  @IsInt()
  lastStatusCode!: number | null;

  @IsISO8601({ strict: true })
  at!: string;
}

/** `antq.notifications.notification-delivered.v1`. */
export class NotificationDeliveredData extends NotificationOutcomeData {}

/** `antq.notifications.notification-failed.v1`: every attempt failed; a dead-letter record holds it. */
export class NotificationFailedData extends NotificationOutcomeData {
  @IsString()
  @MaxLength(2000)
  error!: string;
}
