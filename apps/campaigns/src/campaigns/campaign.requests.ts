import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  COUNT_MODES,
  IsCalendarDate,
  IsUuid,
  KEY_AREA_STATUSES,
  PROGRAMME_CODES,
  TARGET_KINDS,
  UNIT_KINDS,
  UNIT_PROGRAMME_STATUSES,
  type CountMode,
  type ProgrammeCode,
  type TargetKind,
  type UnitKind,
} from '@antq/contracts';
import { NotBlank, PageQuery } from '@antq/platform';

const REACHABLE_STATUSES = UNIT_PROGRAMME_STATUSES.filter((s) => s !== 'unassessed');
const KEY_AREA: ProgrammeCode = 'key-complex-area';
const KEY_AREA_ONLY: readonly string[] = KEY_AREA_STATUSES;
/** The statuses a unit can reach under each programme: a key complex area is never recognised (nor lapses), other units are never designated. */
const statusesOf = (programme: ProgrammeCode): string[] =>
  programme === KEY_AREA ? [...KEY_AREA_ONLY, 'revoked', 'unit-closed'] : REACHABLE_STATUSES.filter((s) => !KEY_AREA_ONLY.includes(s));

const UNIT_TARGETS: TargetKind[] = ['count', 'list', 'share'];
const given = (value: unknown) => value !== undefined && value !== null;
const isTargetKind = (kind: unknown): kind is TargetKind => (TARGET_KINDS as readonly unknown[]).includes(kind);
const either = (words: readonly string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words[0]);

export function notWholeGoal(kind: TargetKind): string {
  return `goal must be a whole number for ${kind === 'activity' ? 'an' : 'a'} ${kind} target: it counts ${kind === 'activity' ? 'activities' : 'units'}`;
}

/** Count and activity goals are numbers of units or activities: whole. A share's goal is a percentage and may be fractional. */
const WholeUnlessShare = () =>
  ValidateBy({
    name: 'wholeUnlessShare',
    validator: {
      validate: (goal: unknown, args) => {
        const kind = (args?.object as TargetInput).kind;
        return !(kind === 'count' || kind === 'activity') || Number.isInteger(goal);
      },
      defaultMessage: (args) => notWholeGoal((args?.object as TargetInput).kind),
    },
  });

/**
 * A field of the targets of `kinds`: checked when its target's kind uses it, and whenever it
 * is given (for its type too), and refused for any other kind, where dropped silently it would
 * read as planned. Null reads as not given, as the views show it. Written below the field's
 * other checks, so that its message comes first.
 */
const UsedBy = (kinds: TargetKind[], why?: string): PropertyDecorator => (target, property) => {
  ValidateIf((t: TargetInput, value: unknown) => kinds.includes(t.kind) || given(value))(target, property);
  ValidateBy({
    name: 'usedBy',
    validator: {
      // A target of no known kind is refused for its kind alone.
      validate: (value: unknown, args) => !given(value) || !isTargetKind((args?.object as TargetInput).kind) || kinds.includes((args?.object as TargetInput).kind),
      defaultMessage: (args) => `${args?.property} applies only to ${either(kinds)} targets${why ? `: ${why}` : ''}`,
    },
  })(target, property);
};

/** A status the target's programme gives (the default, recognised, is none of a key complex area's). */
const StatusOfProgramme = () =>
  ValidateBy({
    name: 'statusOfProgramme',
    validator: {
      validate: (programme: unknown, args) => {
        const { kind, status } = args?.object as TargetInput;
        if (!UNIT_TARGETS.includes(kind) || !(PROGRAMME_CODES as readonly unknown[]).includes(programme)) return true;
        if (!given(status)) return programme !== KEY_AREA;
        if (kind === 'share' && programme === KEY_AREA && status === 'designated') return false;
        return !REACHABLE_STATUSES.includes(status as never) || statusesOf(programme as ProgrammeCode).includes(status as string);
      },
      defaultMessage: (args) => {
        const programme = args?.value as ProgrammeCode;
        const { kind, status } = args?.object as TargetInput;
        if (kind === 'share' && programme === KEY_AREA && status === 'designated') {
          return `a share of key complex areas is of those designated, so its status is a later stage: ${either(KEY_AREA_ONLY.slice(1))}`;
        }
        const reached = `its units are ${either(statusesOf(programme))}`;
        if (!given(status)) return `status is required for a ${programme} target (the default, recognised, is not one of its statuses): ${reached}`;
        return `status ${status} is never reached under ${programme}: ${reached}`;
      },
    },
  });

/** Text a request must carry, not blank, its length measured on text alone (a value of another type is told so once). */
const RequiredText = (max: number, blank?: string): PropertyDecorator => (target, property) => {
  IsString()(target, property);
  NotBlank(blank ? { message: blank } : undefined)(target, property);
  ValidateBy({
    name: 'maxLength',
    constraints: [max],
    validator: {
      // Measured on text only: a non-text value has its message above.
      validate: (value: unknown) => typeof value !== 'string' || value.length <= max,
      defaultMessage: (args) => `${args?.property} must be shorter than or equal to ${max} characters`,
    },
  })(target, property);
};

export class TargetInput {
  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS, { message: `kind must be one of ${TARGET_KINDS.join(', ')}` })
  kind!: TargetKind;

  @ApiPropertyOptional({ example: '105 more communes drug-free' })
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(300)
  label?: string;

  @ApiPropertyOptional({ enum: PROGRAMME_CODES, description: 'For count, list and share targets.' })
  @StatusOfProgramme()
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of ${PROGRAMME_CODES.join(', ')}` })
  @UsedBy(UNIT_TARGETS)
  programme?: ProgrammeCode;

  @ApiPropertyOptional({
    enum: REACHABLE_STATUSES,
    default: 'recognised',
    description: 'The status units must reach, one their programme gives: designated, transformed, followed-up or removed for key complex areas (required there), never for others.',
  })
  @IsOptional()
  @IsIn(REACHABLE_STATUSES, { message: `status must be one of ${REACHABLE_STATUSES.join(', ')}` })
  @UsedBy(UNIT_TARGETS)
  status?: string;

  @ApiPropertyOptional({ enum: UNIT_KINDS, description: 'For count and share targets: the kind of unit counted, below the scope.' })
  @IsIn(UNIT_KINDS, { message: `unitKind must be one of ${UNIT_KINDS.join(', ')}` })
  @UsedBy(['count', 'share'])
  unitKind?: UnitKind;

  @ApiPropertyOptional({ enum: COUNT_MODES, description: 'For count targets: absolute, or an increase over the baseline.' })
  @IsIn(COUNT_MODES, { message: `mode must be one of ${COUNT_MODES.join(', ')}` })
  @UsedBy(['count'])
  mode?: CountMode;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'For list targets: the units that must all reach the status.' })
  @IsUuid({ each: true, message: 'unitIds must be UUIDs' })
  @ArrayUnique({ message: 'unitIds must not repeat a unit' })
  @ArrayMaxSize(10_000)
  @ArrayNotEmpty({ message: 'unitIds must name at least one unit' })
  @IsArray()
  @UsedBy(['list'])
  unitIds?: string[];

  @ApiPropertyOptional({ example: 'festival-days', description: 'For activity targets: what is tallied.' })
  @RequiredText(100)
  @UsedBy(['activity'])
  activity?: string;

  @ApiPropertyOptional({ example: 105, description: 'Units (count, whole), per cent (share, may be fractional) or activities (whole); a list’s goal is its length.' })
  @WholeUnlessShare()
  @Max(1_000_000)
  @Min(0.01, { message: 'goal must be positive' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'goal must be a number' })
  @UsedBy(['count', 'share', 'activity'], 'a list’s goal is the number of units it names')
  goal?: number;
}

export class CreateCampaignRequest {
  @ApiProperty({ example: 'Nghệ An 2024: xây dựng xã, huyện không ma túy' })
  @RequiredText(300)
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The root unit of the scope.' })
  @IsUuid({ message: 'scopeUnitId must be a UUID' })
  scopeUnitId!: string;

  @ApiProperty({ format: 'date', example: '2024-01-01' })
  @IsCalendarDate()
  periodStart!: string;

  @ApiProperty({ format: 'date', example: '2024-12-31' })
  @IsCalendarDate()
  periodEnd!: string;

  @ApiProperty({ type: [TargetInput] })
  @IsArray()
  @ArrayNotEmpty({ message: 'a campaign needs at least one target' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true, message: 'targets must hold objects, each with its kind and fields' })
  @Type(() => TargetInput)
  targets!: TargetInput[];
}

export class ActivityRequest {
  @ApiProperty({ format: 'date', example: '2024-08-18' })
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
  @RequiredText(2000, 'reason must say why the campaign is called off')
  reason!: string;
}

export class AmendTargetRequest {
  @ApiProperty({ example: 120, description: 'The new goal: whole for count and activity targets, a percentage (at most 100) for a share.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'goal must be a number' })
  @Min(0.01, { message: 'goal must be positive' })
  @Max(1_000_000)
  goal!: number;

  @ApiProperty({ example: 'Raised by decision 123/QĐ-UBND after the mid-year review' })
  @RequiredText(2000, 'reason must say why the goal is revised')
  reason!: string;

  @ApiPropertyOptional({ description: 'A new label; by default a label made from the old goal is remade from the new one, and any other is kept.' })
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(300)
  label?: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ format: 'date', example: '2024-06-30', description: 'Defaults to today.' })
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
