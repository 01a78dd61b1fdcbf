import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { IsCalendarDate } from '../dates';
import { INT32_MAX } from '../cloud-event';
import { PROGRAMME_CODES, type ProgrammeCode } from '../programmes';
import { UNIT_KINDS, type UnitKind } from '../units';

export const ASSESSMENT_STATES = ['draft', 'submitted', 'verified', 'recognised', 'not-recognised', 'rejected', 'withdrawn', 'revoked', 'lapsed'] as const;
export type AssessmentState = (typeof ASSESSMENT_STATES)[number];

/** A unit's standing under a programme. */
export const UNIT_PROGRAMME_STATUSES = [
  'unassessed',
  'recognised',
  'not-recognised',
  'revoked',
  'lapsed',
  'unit-closed',
  // key complex areas
  'designated',
  'transformed',
  'followed-up',
  'removed',
] as const;
export type UnitProgrammeStatus = (typeof UNIT_PROGRAMME_STATUSES)[number];

/** The statuses of key complex areas alone: units of the other programmes are never designated. */
export const KEY_AREA_STATUSES = ['designated', 'transformed', 'followed-up', 'removed'] as const satisfies readonly UnitProgrammeStatus[];

export const STATUS_SOURCES = ['assessment', 'derived', 'lapse', 'tree'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export class Decision {
  @IsString()
  @MaxLength(100)
  number!: string;

  @IsCalendarDate()
  date!: string;
}

/** An assessment as it stands after a step of its workflow. */
export class AssessmentStepData {
  @IsUUID()
  assessmentId!: string;

  @IsUUID()
  unitId!: string;

  @IsString()
  programme!: string;

  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  programmeVersion!: number;

  /** The cycle's year, e.g. 2024 for 16 Nov 2023 - 15 Nov 2024. */
  @IsInt()
  cycle!: number;

  @IsIn(ASSESSMENT_STATES)
  state!: AssessmentState;

  @IsOptional()
  @IsIn(ASSESSMENT_STATES)
  previousState!: AssessmentState | null;

  @IsOptional()
  @IsNumber()
  score!: number | null;

  @IsOptional()
  @IsString()
  grade!: string | null;

  /** Whether every criterion is met (for all-criteria programmes). */
  @IsOptional()
  met!: boolean | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => Decision)
  decision!: Decision | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment!: string | null;

  @IsArray()
  @IsString({ each: true })
  evidence!: string[];
}

export class StatusSnapshot {
  @IsIn(UNIT_PROGRAMME_STATUSES)
  status!: UnitProgrammeStatus;

  @IsOptional()
  @IsString()
  grade!: string | null;

  @IsOptional()
  @IsNumber()
  score!: number | null;

  /** Date from which this status holds. */
  @IsOptional()
  @IsCalendarDate()
  since!: string | null;

  /** Date until which a recognition holds (its cycle's end; for a kind decided after its cycle, the next cycle's deadline), if any. */
  @IsOptional()
  @IsCalendarDate()
  validUntil!: string | null;
}

/** `antq.assessments.unit-status-changed.v1`: a unit's status under a programme changed. */
export class UnitStatusChangedData {
  @IsUUID()
  unitId!: string;

  @IsIn(UNIT_KINDS)
  unitKind!: UnitKind;

  @IsString()
  programme!: string;

  @ValidateNested()
  @Type(() => StatusSnapshot)
  before!: StatusSnapshot;

  @ValidateNested()
  @Type(() => StatusSnapshot)
  after!: StatusSnapshot;

  @IsCalendarDate()
  effectiveFrom!: string;

  @IsIn(STATUS_SOURCES)
  source!: StatusSource;

  @IsOptional()
  @IsUUID()
  assessmentId!: string | null;

  /** Per unit and programme, incremented on every change; consumers apply only newer ones. */
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  sequence!: number;
}

/**
 * `antq.assessments.assessment-overdue.v1`: a cycle's deadline passed and the unit has no
 * recognition for it (no assessment, or one still open or rejected). Once per unit,
 * programme and cycle.
 */
export class AssessmentOverdueData {
  @IsUUID()
  unitId!: string;

  @IsIn(UNIT_KINDS)
  unitKind!: UnitKind;

  @IsString()
  programme!: string;

  @IsInt()
  cycle!: number;

  /** The last day of the cycle. */
  @IsCalendarDate()
  deadline!: string;

  /** The latest assessment of the cycle, if any was opened. */
  @IsOptional()
  @IsUUID()
  assessmentId!: string | null;

  @IsOptional()
  @IsIn(ASSESSMENT_STATES)
  assessmentState!: AssessmentState | null;
}

export const KEY_AREA_STEPS = ['designated', 'followed-up', 'removed', 'carried-over'] as const;
export type KeyAreaStep = (typeof KEY_AREA_STEPS)[number];

/**
 * `antq.assessments.key-area-decided.v1`: a decision on a key complex area's place on the
 * list (designated for a cycle, followed up, removed), or the system carrying an area not
 * transformed into the next cycle. Its transformation is an assessment's recognition, told
 * by `assessment-recognised`.
 */
export class KeyAreaDecidedData {
  @IsUUID()
  unitId!: string;

  @IsIn(UNIT_KINDS)
  unitKind!: UnitKind;

  @IsIn(KEY_AREA_STEPS)
  step!: KeyAreaStep;

  /** The cycle an area is designated or carried over for. */
  @IsOptional()
  @IsInt()
  cycle!: number | null;

  /** None for a carry-over, which the system does at a cycle's end. */
  @IsOptional()
  @IsString()
  decisionNumber!: string | null;

  @IsCalendarDate()
  decisionDate!: string;

  @IsOptional()
  @IsString()
  comment!: string | null;
}

/**
 * `antq.assessments.programme-version-published.v1`: a version of a programme took its place
 * (the shipped ones once, each new one as it is added), from its date until the next
 * version's. Keyed by the programme code: the one event not about a unit.
 */
export class ProgrammeVersionPublishedData {
  @IsIn(PROGRAMME_CODES)
  programme!: ProgrammeCode;

  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version!: number;

  /** In force from this day; a cycle is assessed under the version in force on 30 June of its year. */
  @IsCalendarDate()
  validFrom!: string;

  /** The kinds that hold a status under the programme, assessed or derived. */
  @IsArray()
  @IsIn(UNIT_KINDS, { each: true })
  appliesTo!: UnitKind[];

  /** Those of them whose status is derived from their children's (a district from its communes). */
  @IsArray()
  @IsIn(UNIT_KINDS, { each: true })
  derivedKinds!: UnitKind[];

  /** The whole definition as the assessments service reads it: criteria, scoring, cycle, authority. */
  @IsObject()
  @JSONSchema({ type: 'object', description: 'The programme definition (GET /programmes/{code}/versions shows the same).' })
  definition!: Record<string, unknown>;
}
