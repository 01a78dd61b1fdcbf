import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../dates';
import { UNIT_KINDS, type UnitKind } from '../units';

export const TARGET_STATES = ['on-track', 'at-risk', 'achieved', 'missed'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/**
 * count: units of a kind in scope reaching a status (absolute, or an increase over the
 * baseline); list: named units that must all reach it; share: per cent of the units of a kind
 * in scope; activity: a tally of recorded activities (festival days held, models built).
 */
export const TARGET_KINDS = ['count', 'list', 'share', 'activity'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const COUNT_MODES = ['absolute', 'increase'] as const;
export type CountMode = (typeof COUNT_MODES)[number];

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

  /** Share that reached the goal, 0..1: recognised; for key complex areas, transformed among the designated. */
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

export class TargetDefinition {
  @IsUUID()
  targetId!: string;

  @IsIn(TARGET_KINDS)
  kind!: TargetKind;

  @IsString()
  label!: string;

  @IsOptional()
  @IsString()
  programme!: string | null;

  /** The status units must reach (count, list, share). */
  @IsOptional()
  @IsString()
  status!: string | null;

  @IsOptional()
  @IsIn(UNIT_KINDS)
  unitKind!: UnitKind | null;

  @IsOptional()
  @IsIn(COUNT_MODES)
  mode!: CountMode | null;

  @IsOptional()
  @IsArray()
  @IsUUID('all', { each: true })
  unitIds!: string[] | null;

  @IsOptional()
  @IsString()
  activity!: string | null;

  @IsNumber()
  goal!: number;
}

/** What every campaign event names: the campaign and its scope's root unit (the record key). */
export class CampaignReference {
  @IsUUID()
  campaignId!: string;

  @IsString()
  name!: string;

  @IsUUID()
  scopeUnitId!: string;
}

/** `antq.campaigns.campaign-created.v1`: keyed by the scope's root unit. */
export class CampaignCreatedData extends CampaignReference {
  @IsCalendarDate()
  periodStart!: string;

  @IsCalendarDate()
  periodEnd!: string;

  @IsString()
  agency!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TargetDefinition)
  targets!: TargetDefinition[];
}

/** A target's last state when its campaign was called off. */
export class CancelledTargetState {
  @IsUUID()
  targetId!: string;

  @IsOptional()
  @IsIn(TARGET_STATES)
  state!: TargetState | null;
}

/** `antq.campaigns.campaign-cancelled.v1`: keyed by the scope's root unit. */
export class CampaignCancelledData extends CampaignReference {
  /** Why it was called off, as its manager said. */
  @IsString()
  reason!: string;

  /** Each target's last state, which stays as it stood (null: never evaluated). */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CancelledTargetState)
  targets!: CancelledTargetState[];
}

/** `antq.campaigns.target-amended.v1`: a target's goal changed mid-campaign; keyed by the scope's root unit. */
export class TargetAmendedData extends CampaignReference {
  @IsUUID()
  targetId!: string;

  @IsString()
  label!: string;

  @IsNumber()
  previousGoal!: number;

  @IsNumber()
  goal!: number;

  /** The business date from which the new goal applies; progress as of an earlier date keeps the previous one. */
  @IsCalendarDate()
  amendedOn!: string;

  /** Why, as its manager said (the decision that revised the plan). */
  @IsString()
  reason!: string;
}

/** `antq.campaigns.target-progress-changed.v1`: a target's value moved. */
export class TargetProgressData {
  @IsUUID()
  campaignId!: string;

  @IsUUID()
  targetId!: string;

  @IsIn(TARGET_KINDS)
  kind!: TargetKind;

  /** The value at the start of the period (the day before it), captured when the campaign started. */
  @IsNumber()
  baseline!: number;

  /** Progress towards the goal: for an increase, the gain over the baseline. */
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

  @IsCalendarDate()
  evaluatedOn!: string;
}

/** `antq.campaigns.target-state-changed.v1`: once per transition (on track, at risk, achieved, missed). */
export class TargetStateChangedData extends TargetProgressData {
  @IsOptional()
  @IsIn(TARGET_STATES)
  previousState!: TargetState | null;

  /** The target's n-th state (1 for its first): a transition's identity, whatever event carries it. */
  @IsInt()
  @Min(1)
  transition!: number;
}
