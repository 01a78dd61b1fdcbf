import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { ALERT_SEVERITIES, IsUuid, type AlertSeverity } from '@antq/contracts';
import { NestedObject } from '../nested-object';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** What a subscription or a webhook listens to: a subtree, event types, a minimum severity. */
export class FilterRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'Root of the subtree; absent means every unit.' })
  @IsOptional()
  @IsUuid({ message: 'unitId must be a UUID' })
  unitId?: string;

  @ApiPropertyOptional({ type: [String], example: ['antq.assessments.unit-status-changed.v1'], description: 'Triggering event types; empty or absent means all.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES, default: 'info' })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `minSeverity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  minSeverity?: AlertSeverity;
}

export class SubscriptionRequest extends FilterRequest {
  @ApiProperty({ enum: ['agency', 'user'], description: "Who subscribes: the caller's agency (alert-manager or admin) or the caller." })
  @IsIn(['agency', 'user'], { message: 'for must be agency or user' })
  for!: 'agency' | 'user';
}

export class WebhookRequest extends FilterRequest {
  @ApiProperty({ example: 'https://integrator.example.vn/antq/alerts' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

/** The longest a rotated-out secret keeps signing: a week. */
export const LONGEST_SECRET_OVERLAP_HOURS = 168;

export class RotateSecretRequest {
  @ApiPropertyOptional({
    default: 24,
    maximum: LONGEST_SECRET_OVERLAP_HOURS,
    description: 'For how many hours deliveries are signed with the replaced secret too (0: from now on with the new one only)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(LONGEST_SECRET_OVERLAP_HOURS)
  keepPreviousForHours?: number;
}

// The validation pipe puts the parent's name (quietHours.) before these messages.
export class QuietHoursInput {
  @ApiProperty({ example: '22:00' })
  @Matches(TIME, { message: '$property must be a local time HH:MM' })
  start!: string;

  @ApiProperty({ example: '06:00' })
  @Matches(TIME, { message: '$property must be a local time HH:MM' })
  // Equal ends would leave it unsaid whether no time or all day is quiet.
  @ValidateBy({ name: 'differsFromStart', validator: { validate: (end: unknown, args) => end !== (args?.object as QuietHoursInput).start } }, { message: 'end must differ from start: quiet hours of no length, or of all day, are not quiet hours' })
  end!: string;
}

export class PreferencesRequest {
  @ApiProperty({ type: [String], enum: ['feed', 'email'], example: ['feed', 'email'], description: 'The in-app feed always receives alerts; email is optional.' })
  @IsDefined({ message: 'channels is required (["feed"] for the in-app feed only)' })
  @IsArray()
  @IsIn(['feed', 'email'], { each: true, message: 'channels may hold feed and email (webhooks are registered under /webhooks)' })
  channels!: ('feed' | 'email')[];

  @ApiPropertyOptional({ example: 'truc-ban@congan.nghean.gov.vn' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ description: 'One email a day listing the alerts, instead of one per alert (critical alerts are still sent at once).' })
  @IsOptional()
  @IsBoolean()
  digest?: boolean;

  @ApiPropertyOptional({ type: QuietHoursInput, nullable: true, description: 'Non-critical emails wait until the end of quiet hours; absent or null: none.' })
  @IsOptional()
  @NestedObject(() => QuietHoursInput, 'quietHours must be an object with start and end')
  quietHours?: QuietHoursInput | null;

  @ApiPropertyOptional({ example: 'Asia/Ho_Chi_Minh' })
  @IsOptional()
  @IsString()
  timeZone?: string;
}

export class ResponsibilitiesRequest {
  @ApiProperty({ type: [String], description: 'Units the agency is responsible for (with their subtrees).' })
  @IsDefined({ message: 'unitIds is required ([] for none)' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUuid({ each: true, message: 'unitIds must hold unit UUIDs' })
  unitIds!: string[];
}

export class AgencyParam {
  @ApiProperty({ example: 'ca-nghe-an' })
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'agency must be an agency code such as ca-nghe-an' })
  @MaxLength(100)
  agency!: string;
}
