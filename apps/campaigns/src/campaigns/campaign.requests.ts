import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  COUNT_MODES,
  IsCalendarDate,
  IsUuid,
  PROGRAMME_CODES,
  TARGET_KINDS,
  UNIT_KINDS,
  UNIT_PROGRAMME_STATUSES,
  type CountMode,
  type ProgrammeCode,
  type TargetKind,
  type UnitKind,
} from '@antq/contracts';
import { PageQuery } from '@antq/platform';

const REACHABLE_STATUSES = UNIT_PROGRAMME_STATUSES.filter((s) => s !== 'unassessed');
const measuresUnits = (t: TargetInput) => t.kind !== 'activity';

export function notWholeGoal(kind: TargetKind): string {
  return `goal must be a whole number for ${kind === 'activity' ? 'an' : 'a'} ${kind} target: it counts ${kind === 'activity' ? 'activities' : 'units'}`;
}

/** Count and activity goals are numbers of units or activities: whole. A share's goal is a percentage and may be fractional. */
const WholeUnlessShare = () =>
  ValidateBy({
    name: 'wholeUnlessShare',
    validator: {
      validate: (goal: unknown, args) => (args?.object as TargetInput).kind === 'share' || Number.isInteger(goal),
      defaultMessage: (args) => notWholeGoal((args?.object as TargetInput).kind),
    },
  });

export class TargetInput {
  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS, { message: `kind must be one of ${TARGET_KINDS.join(', ')}` })
  kind!: TargetKind;

  @ApiPropertyOptional({ example: '105 more communes drug-free' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  label?: string;

  @ApiPropertyOptional({ enum: PROGRAMME_CODES, description: 'For count, list and share targets.' })
  @ValidateIf(measuresUnits)
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of ${PROGRAMME_CODES.join(', ')}` })
  programme?: ProgrammeCode;

  @ApiPropertyOptional({ enum: REACHABLE_STATUSES, default: 'recognised', description: 'The status units must reach.' })
  @IsOptional()
  @IsIn(REACHABLE_STATUSES, { message: `status must be one of ${REACHABLE_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ enum: UNIT_KINDS, description: 'For count and share targets: the kind of unit counted.' })
  @ValidateIf((t: TargetInput) => t.kind === 'count' || t.kind === 'share')
  @IsIn(UNIT_KINDS, { message: `unitKind must be one of ${UNIT_KINDS.join(', ')}` })
  unitKind?: UnitKind;

  @ApiPropertyOptional({ enum: COUNT_MODES, description: 'For count targets: absolute, or an increase over the baseline.' })
  @ValidateIf((t: TargetInput) => t.kind === 'count')
  @IsIn(COUNT_MODES, { message: `mode must be one of ${COUNT_MODES.join(', ')}` })
  mode?: CountMode;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'For list targets: the units that must all reach the status.' })
  @ValidateIf((t: TargetInput) => t.kind === 'list')
  @IsArray()
  @ArrayNotEmpty({ message: 'unitIds must name at least one unit' })
  @ArrayMaxSize(10_000)
  @ArrayUnique({ message: 'unitIds must not repeat a unit' })
  @IsUuid({ each: true, message: 'unitIds must be UUIDs' })
  unitIds?: string[];

  @ApiPropertyOptional({ example: 'festival-days', description: 'For activity targets: what is tallied.' })
  @ValidateIf((t: TargetInput) => t.kind === 'activity')
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  activity?: string;

  @ApiPropertyOptional({ example: 105, description: 'Units (count, whole), per cent (share, may be fractional) or activities (whole); a list’s goal is its length.' })
  @ValidateIf((t: TargetInput) => t.kind !== 'list')
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'goal must be a number' })
  @Min(0.01, { message: 'goal must be positive' })
  @Max(1_000_000)
  @WholeUnlessShare()
  goal?: number;
}

export class CreateCampaignRequest {
  @ApiProperty({ example: 'Nghệ An 2024: xây dựng xã, huyện không ma túy' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The root unit of the scope.' })
  @IsUuid({ message: 'scopeUnitId must be a UUID' })
  scopeUnitId!: string;

  @ApiProperty({ example: '2024-01-01' })
  @IsCalendarDate()
  periodStart!: string;

  @ApiProperty({ example: '2024-12-31' })
  @IsCalendarDate()
  periodEnd!: string;

  @ApiProperty({ type: [TargetInput] })
  @IsArray()
  @ArrayNotEmpty({ message: 'a campaign needs at least one target' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TargetInput)
  targets!: TargetInput[];
}

export class ActivityRequest {
  @ApiProperty({ example: '2024-08-18' })
  @IsCalendarDate()
  occurredOn!: string;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  count?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class CancelCampaignRequest {
  @ApiProperty({ example: 'Replaced by the 2024 plan adopted by the provincial People\'s Committee' })
  @IsString()
  @IsNotEmpty({ message: 'reason must say why the campaign is called off' })
  @MaxLength(2000)
  reason!: string;
}

export class AmendTargetRequest {
  @ApiProperty({ example: 120, description: 'The new goal: whole for count and activity targets, a percentage (at most 100) for a share.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'goal must be a number' })
  @Min(0.01, { message: 'goal must be positive' })
  @Max(1_000_000)
  goal!: number;

  @ApiProperty({ example: 'Raised by decision 123/QĐ-UBND after the mid-year review' })
  @IsString()
  @IsNotEmpty({ message: 'reason must say why the goal is revised' })
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({ description: 'A new label; by default a label made from the old goal is remade from the new one, and any other is kept.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  label?: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2024-06-30', description: 'Defaults to today.' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class CampaignSearchQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Campaigns scoped at this unit.' })
  @IsOptional()
  @IsUuid({ message: 'scopeUnitId must be a UUID' })
  scopeUnitId?: string;
}
