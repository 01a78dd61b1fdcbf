import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ALERT_SEVERITIES, IsUuid, type AlertSeverity } from '@antq/contracts';
import { PageQuery, QueryInteger } from '@antq/platform';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** Which feed items: by severity, recipient (the agency or the caller) and rule. */
export class FeedSelection {
  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ enum: ['agency', 'user'], description: "Only the agency's items or only the caller's own" })
  @IsOptional()
  @IsIn(['agency', 'user'], { message: 'for must be agency or user' })
  for?: 'agency' | 'user';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid({ message: 'ruleId must be a UUID' })
  ruleId?: string;
}

export class FeedQuery extends IntersectionType(PageQuery, FeedSelection) {
  @ApiPropertyOptional({ description: 'Only unread (true) or read (false) items' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export class AlertQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid({ message: 'ruleId must be a UUID' })
  ruleId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The unit the alerts are about' })
  @IsOptional()
  @IsUuid({ message: 'unitId must be a UUID' })
  unitId?: string;
}

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'], { message: 'state must be pending, delivered or failed' })
  state?: 'pending' | 'delivered' | 'failed';

  @ApiPropertyOptional({ enum: ['webhook', 'email'] })
  @IsOptional()
  @IsIn(['webhook', 'email'], { message: 'channel must be webhook or email' })
  channel?: 'webhook' | 'email';

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the deliveries to this webhook' })
  @IsOptional()
  @IsUuid({ message: 'webhookId must be a UUID' })
  webhookId?: string;
}

/** A feed item's number in the path. */
export class FeedItemParam {
  @ApiProperty({ example: 42 })
  @QueryInteger(1, Number.MAX_SAFE_INTEGER, { message: 'itemId must be a feed item number' })
  itemId!: number;
}
