import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../dates';
import { INT32_MAX } from '../cloud-event';
import { Type } from 'class-transformer';
import {
  TAG_PATTERN,
  UNIT_CLOSE_REASONS,
  UNIT_CODE_PATTERN,
  UNIT_KINDS,
  UNIT_STATUSES,
  UNIT_SUBTYPES,
  type UnitCloseReason,
  type UnitKind,
  type UnitStatus,
  type UnitSubtype,
} from '../units';

/**
 * A unit as it stands from `effectiveFrom` on, after a change: every unit event carries
 * one, so that a replica applies any of them the same way (newer versions win).
 */
export class UnitSnapshot {
  @IsUUID()
  unitId!: string;

  @Matches(UNIT_CODE_PATTERN)
  @MaxLength(64)
  code!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  @IsOptional()
  @IsIn(UNIT_SUBTYPES)
  subtype?: UnitSubtype | null;

  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true })
  tags!: string[];

  @IsIn(UNIT_STATUSES)
  status!: UnitStatus;

  /** Calendar date (YYYY-MM-DD) from which this state holds. */
  @IsCalendarDate()
  effectiveFrom!: string;

  /** Per-unit version, incremented on every change; replicas apply only newer versions. */
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version!: number;
}

/** One field a change altered. */
export class FieldChange {
  @IsIn(['name', 'subtype', 'tags'])
  field!: 'name' | 'subtype' | 'tags';

  @IsOptional()
  from?: string | string[] | null;

  @IsOptional()
  to?: string | string[] | null;
}

/** `antq.units.unit-created.v1`: a unit was added to the registry. */
export class UnitCreatedData extends UnitSnapshot {}

/** `antq.units.unit-updated.v1`: a unit was renamed or its subtype or tags changed. */
export class UnitUpdatedData extends UnitSnapshot {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FieldChange)
  changes!: FieldChange[];
}

/** `antq.units.unit-moved.v1`: a unit was placed under another parent. */
export class UnitMovedData extends UnitSnapshot {
  @IsOptional()
  @IsUUID()
  fromParentId!: string | null;

  @IsOptional()
  @IsUUID()
  toParentId!: string | null;
}

/** `antq.units.unit-closed.v1`: a unit ceased to exist, on its own or through a merge, split or abolished level. */
export class UnitClosedData extends UnitSnapshot {
  @IsIn(UNIT_CLOSE_REASONS)
  reason!: UnitCloseReason;

  /** Units that took over (for merges and splits). */
  @IsArray()
  @IsUUID('all', { each: true })
  successorIds!: string[];
}

/** `antq.units.unit-merged.v1`: keyed by the target, the units merged into it. */
export class UnitMergedData extends UnitSnapshot {
  @IsArray()
  @IsUUID('all', { each: true })
  predecessorIds!: string[];

  @IsUUID()
  operationId!: string;
}

/** `antq.units.unit-split.v1`: keyed by the source, the units it was split into. */
export class UnitSplitData extends UnitSnapshot {
  @IsArray()
  @IsUUID('all', { each: true })
  successorIds!: string[];

  @IsUUID()
  operationId!: string;
}
