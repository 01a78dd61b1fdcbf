import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NotBlank, PageQuery, QueryInteger } from '@antq/platform';
import { IsCalendarDate, IsDateWithin, IsUuid, TAG_PATTERN, UNIT_CODE_PATTERN, UNIT_KINDS, UNIT_STATUSES, UNIT_SUBTYPES, UNIT_TAGS, type UnitKind, type UnitSubtype } from '@antq/contracts';


/** The dates a change of the tree may take effect on: the units' history back to 1900, plans to 2100. */
export const EARLIEST_CHANGE = '1900-01-01';
export const LATEST_CHANGE = '2100-12-31';

export class EffectiveDated {
  @ApiPropertyOptional({ format: 'date', example: '2025-07-01', description: `Date the change takes effect (past or future, ${EARLIEST_CHANGE} to ${LATEST_CHANGE}); defaults to today.` })
  @IsOptional()
  @IsCalendarDate()
  @IsDateWithin(EARLIEST_CHANGE, LATEST_CHANGE)
  effectiveFrom?: string;
}

export class NewUnitFields {
  @ApiProperty({ example: 'NA-XA-NGHI-LONG', description: 'Unique, stable code of the unit.' })
  @Matches(UNIT_CODE_PATTERN, { message: 'code may hold letters, digits, dot, dash and underscore only' })
  @MaxLength(64)
  code!: string;

  @ApiProperty({ example: 'Xã Nghi Long' })
  @IsString()
  @NotBlank()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ enum: UNIT_SUBTYPES })
  @IsOptional()
  @IsIn(UNIT_SUBTYPES, { message: `subtype must be one of: ${UNIT_SUBTYPES.join(', ')}` })
  subtype?: UnitSubtype;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid({ message: 'parentId must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({ type: [String], example: ['border'], description: `Predefined: ${UNIT_TAGS.join(', ')}; free tags allowed.` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tags?: string[];
}

export class CreateUnitRequest extends NewUnitFields {
  @ApiProperty({ enum: UNIT_KINDS })
  @IsIn(UNIT_KINDS, { message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind!: UnitKind;

  @ApiPropertyOptional({ format: 'date', example: '2024-01-01' })
  @IsOptional()
  @IsCalendarDate()
  @IsDateWithin(EARLIEST_CHANGE, LATEST_CHANGE)
  effectiveFrom?: string;
}

export class UpdateUnitRequest extends EffectiveDated {
  @ApiPropertyOptional()
  // Left out, the name stays; it cannot be cleared (null is refused).
  @ValidateIf((_, value: unknown) => value !== undefined)
  @IsString()
  @NotBlank()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: UNIT_SUBTYPES })
  @IsOptional()
  @IsIn(UNIT_SUBTYPES, { message: `subtype must be one of: ${UNIT_SUBTYPES.join(', ')}` })
  subtype?: UnitSubtype;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tags?: string[];
}

export class MoveUnitRequest extends EffectiveDated {
  @ApiProperty({ format: 'uuid' })
  @IsUuid({ message: 'parentId must be a UUID' })
  parentId!: string;
}

export class CloseUnitRequest extends EffectiveDated {}

/** A merge target or split successor: an existing unit (`unitId`) or a new one (code, name, ...). */
export class ExistingOrNewUnit {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing unit; leave out to describe a new one.' })
  @IsOptional()
  @IsUuid({ message: 'unitId must be a UUID' })
  unitId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(UNIT_CODE_PATTERN, { message: 'code may hold letters, digits, dot, dash and underscore only' })
  @MaxLength(64)
  code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: UNIT_SUBTYPES })
  @IsOptional()
  @IsIn(UNIT_SUBTYPES, { message: `subtype must be one of: ${UNIT_SUBTYPES.join(', ')}` })
  subtype?: UnitSubtype;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid({ message: 'parentId must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tags?: string[];
}

export class MergeUnitsRequest extends EffectiveDated {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUuid({ each: true, message: 'each source id must be a UUID' })
  sourceIds!: string[];

  @ApiProperty({ type: ExistingOrNewUnit })
  @IsDefined({ message: 'target must name an existing unit (unitId) or describe a new one (code, name)' })
  @ValidateNested()
  @Type(() => ExistingOrNewUnit)
  target!: ExistingOrNewUnit;
}

/** A split successor, existing or new, with the children of the source it takes. */
export class SplitSuccessorUnit extends ExistingOrNewUnit {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Active children of the source on the date that move to this successor. Each child goes to exactly one successor; leave out when the source has none.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUuid({ each: true, message: 'each child id must be a UUID' })
  @ArrayUnique({ message: 'childIds must name each child once' })
  childIds?: string[];
}

export class SplitUnitRequest extends EffectiveDated {
  @ApiProperty({ type: [SplitSuccessorUnit] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true, message: 'successors must hold objects: an existing unit { unitId } or a new one { code, name, ... }' })
  @Type(() => SplitSuccessorUnit)
  successors!: SplitSuccessorUnit[];
}

export class AbolishLevelRequest extends EffectiveDated {
  @ApiProperty({ enum: UNIT_KINDS, example: 'district' })
  @IsIn(UNIT_KINDS, { message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind!: UnitKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only within this unit (e.g. one province).' })
  @IsOptional()
  @IsUuid({ message: 'withinId must be a UUID' })
  withinId?: string;
}

const AS_OF_DESCRIPTION = 'Read the tree as it stood on this date (YYYY-MM-DD); defaults to today.';

/** `?asOf=` on every read of the registry. */
export class AsOfQuery {
  @ApiPropertyOptional({ format: 'date', example: '2024-12-31', description: AS_OF_DESCRIPTION })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

/** `?asOf=&offset=&limit=` on every list of units: the limits of {@link PageQuery}. */
export class UnitPageQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'date', example: '2024-12-31', description: AS_OF_DESCRIPTION })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class SubtreeQuery extends UnitPageQuery {
  @ApiPropertyOptional({ default: 1, maximum: 10, description: 'Levels below the unit: 1 is its children.' })
  @IsOptional()
  @QueryInteger(1, 10)
  depth = 1;
}

export class UnitSearchQuery extends UnitPageQuery {
  @ApiPropertyOptional({ description: 'Name search ignoring diacritics and case: "nghe an" finds "Tỉnh Nghệ An".' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Direct children of this unit.' })
  @IsOptional()
  @IsUuid({ message: 'parentId must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Anywhere under this unit.' })
  @IsOptional()
  @IsUuid({ message: 'within must be a UUID' })
  within?: string;

  @ApiPropertyOptional({ enum: UNIT_KINDS, isArray: true })
  @IsOptional()
  @Type(() => String)
  @IsIn(UNIT_KINDS, { each: true, message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind?: UnitKind | UnitKind[];

  @ApiPropertyOptional({ type: [String], description: 'Units carrying all these tags.' })
  @IsOptional()
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tag?: string | string[];

  @ApiPropertyOptional({ enum: UNIT_STATUSES, default: 'active', description: 'Units that existed on the date (active) or had ceased to (closed).' })
  @IsOptional()
  @IsIn(UNIT_STATUSES, { message: `status must be one of: ${UNIT_STATUSES.join(', ')}` })
  status?: 'active' | 'closed';

}
