import { Type } from 'class-transformer';
import { IsArray, IsDateString, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { UNIT_KINDS, type UnitKind } from '../units';

export const TARGET_STATES = ['on-track', 'at-risk', 'achieved', 'missed'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export class KindCount {
  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  /** Active descendants of this kind. */
  @IsInt()
  @Min(0)
  total!: number;

  /** Of them, by status (unassessed = total minus the others). */
  @Type(() => Object)
  byStatus!: Record<string, number>;

  @Type(() => Object)
  byGrade!: Record<string, number>;

  /** Share recognised, 0..1. */
  @IsNumber()
  share!: number;

  @IsOptional()
  @IsNumber()
  averageScore!: number | null;
}

/** `antq.campaigns.scoreboard-updated.v1`: a unit's aggregate of its descendants under a programme. */
export class ScoreboardUpdatedData {
  @IsUUID()
  unitId!: string;

  @IsString()
  programme!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => KindCount)
  kinds!: KindCount[];
}

/** `antq.campaigns.target-progress-changed.v1`: a target's value moved. */
export class TargetProgressData {
  @IsUUID()
  campaignId!: string;

  @IsUUID()
  targetId!: string;

  @IsNumber()
  value!: number;

  @IsNumber()
  goal!: number;

  @IsNumber()
  shareDone!: number;

  @IsOptional()
  @IsNumber()
  projection!: number | null;

  @IsIn(TARGET_STATES)
  state!: TargetState;

  @IsDateString({ strict: true })
  evaluatedOn!: string;
}

/** `antq.campaigns.target-state-changed.v1`: once per transition (on track, at risk, achieved, missed). */
export class TargetStateChangedData extends TargetProgressData {
  @IsOptional()
  @IsIn(TARGET_STATES)
  previousState!: TargetState | null;
}
