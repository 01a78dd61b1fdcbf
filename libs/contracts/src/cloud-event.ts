import {
  Equals,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Who performed a change: the agency acting, the principal (user or service) and its roles. */
export interface Actor {
  agency: string;
  principal: string;
  roles: string[];
}

/**
 * A CloudEvents 1.0 event in structured mode. Extension attributes carry the acting agency,
 * the principal, the correlation id of the originating request and the id of the event
 * that caused this one.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  agency: string;
  principal: string;
  correlationid: string;
  causationid?: string;
  data: T;
}

/** The largest value of the PostgreSQL `integer` columns that versions and sequences land in. */
export const INT32_MAX = 2_147_483_647;

export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** On a record an operator redrove from a dead-letter topic: `<dlq topic>[partition]@offset`. The event inside is the original. */
export const REDRIVEN_FROM_HEADER = 'antq-redriven-from';

/** Event type names: `antq.<service>.<entity>-<verb>.v<version>`. */
const RFC3339_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const EVENT_TYPE_PATTERN = /^antq\.[a-z-]+\.[a-z-]+\.v[0-9]+$/;

/** The envelope as class-validator sees it; `data` is validated separately by event type. */
export class CloudEventEnvelope {
  @Equals('1.0')
  specversion!: '1.0';

  @IsUUID()
  id!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  source!: string;

  @Matches(EVENT_TYPE_PATTERN)
  type!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  subject!: string;

  // RFC 3339, as CloudEvents requires: a date and time with its offset, never a bare date.
  @IsISO8601({ strict: true })
  @Matches(RFC3339_TIMESTAMP, { message: 'time must be an RFC 3339 timestamp with its offset' })
  @JSONSchema(() => ({ type: 'string', format: 'date-time' }))
  time!: string;

  @Equals('application/json')
  datacontenttype!: 'application/json';

  @IsOptional()
  @IsString()
  dataschema?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  agency!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  principal!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  correlationid!: string;

  @IsOptional()
  @IsUUID()
  causationid?: string;

  @IsObject()
  data!: Record<string, unknown>;
}
