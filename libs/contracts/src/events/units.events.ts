import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { TAG_PATTERN, UNIT_CODE_PATTERN, UNIT_KINDS, UNIT_SUBTYPES, type UnitKind, type UnitSubtype } from '../units';

/** A unit as it stands after a change: the state replicas keep. */
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

  /** Calendar date (YYYY-MM-DD) from which this state holds. */
  @IsDateString({ strict: true })
  effectiveFrom!: string;

  /** Per-unit version, incremented on every change; replicas apply only newer versions. */
  @IsInt()
  @Min(1)
  version!: number;
}

/** `antq.units.unit-created.v1`: a unit was added to the registry. */
export class UnitCreatedData extends UnitSnapshot {}
