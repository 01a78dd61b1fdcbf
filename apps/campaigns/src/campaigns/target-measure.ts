import type { EntityManager } from 'typeorm';
import type { CountMode, TargetKind, UnitKind } from '@antq/contracts';
import { REPLICA_SUBTREE_AS_OF_SQL } from '@antq/unit-replica';
import { KEY_AREA, KEY_AREA_STAGES, statusesReaching } from '../key-area-stages';

export interface TargetRow {
  id: string;
  campaign_id: string;
  position: number;
  kind: TargetKind;
  label: string;
  programme: string | null;
  status: string | null;
  unit_kind: UnitKind | null;
  mode: CountMode | null;
  unit_ids: string[] | null;
  activity: string | null;
  goal: number;
  /** The goal the stored progress was measured against. */
  evaluated_goal: number | null;
  baseline: number | null;
  value: number | null;
  projection: number | null;
  state: string | null;
  evaluated_on: string | null;
  transitions: number;
}

export interface CampaignRow {
  id: string;
  name: string;
  scope_unit_id: string;
  period_start: string;
  period_end: string;
  agency: string;
  cancelled_at: Date | null;
  /** The business date it was called off on. */
  cancelled_on: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

/** The active units of the tree as it stood on $2, under the unit $1 (as `subtree`). */
export const SUBTREE_AS_OF = `WITH RECURSIVE ${REPLICA_SUBTREE_AS_OF_SQL('$1::uuid', '$2::date')}`;

/**
 * A unit's status under a programme on $2, as the assessments service defines it: the
 * history row holding then, a recognition past its cycle read as lapsed, none = unassessed.
 */
const STATUS_ON = (unit: string, programme: string) => `
  COALESCE((SELECT CASE WHEN h.status = 'recognised' AND h.valid_until < $2::date THEN 'lapsed' ELSE h.status END
              FROM status_history h
             WHERE h.unit_id = ${unit} AND h.programme = ${programme} AND h.valid_from <= $2::date AND (h.valid_to IS NULL OR h.valid_to > $2::date)
             ORDER BY h.sequence DESC LIMIT 1), 'unassessed')`;

export interface Reading {
  /** Units reached (count, list), per cent (share) or activities held. */
  value: number;
  /** Units the value is out of, where it is a share or a list. */
  outOf?: number;
}

/** What a target measures on a date, from the replicated tree and status history as they stood then. */
export async function measure(manager: EntityManager, campaign: CampaignRow, target: TargetRow, on: string): Promise<Reading> {
  switch (target.kind) {
    case 'count':
    case 'share': {
      // A share of key complex areas is of the areas designated at all: "60 % of them transformed".
      const [row] = (await manager.query(
        `${SUBTREE_AS_OF}
         SELECT count(*)::int AS total, count(*) FILTER (WHERE status = ANY($4::text[]))::int AS reached,
                count(*) FILTER (WHERE status = ANY($6::text[]))::int AS designated
           FROM (SELECT ${STATUS_ON('s.unit_id', '$3')} AS status FROM subtree s WHERE s.kind = $5) units`,
        [campaign.scope_unit_id, on, target.programme, statusesReaching(target.programme, target.status), target.unit_kind, KEY_AREA_STAGES],
      )) as { total: number; reached: number; designated: number }[];
      if (target.kind === 'count') return { value: row.reached };
      const outOf = target.programme === KEY_AREA ? row.designated : row.total;
      return { value: outOf ? (100 * row.reached) / outOf : 0, outOf };
    }
    case 'list': {
      const [row] = (await manager.query(
        `SELECT count(*) FILTER (WHERE ${STATUS_ON('u.unit_id', '$3')} = ANY($4::text[]))::int AS reached FROM unnest($1::uuid[]) AS u(unit_id)`,
        [target.unit_ids, on, target.programme, statusesReaching(target.programme, target.status)],
      )) as { reached: number }[];
      return { value: row.reached, outOf: target.unit_ids?.length ?? 0 };
    }
    case 'activity': {
      const [row] = (await manager.query(
        'SELECT COALESCE(sum(count), 0)::int AS held FROM target_activities WHERE target_id = $1 AND occurred_on BETWEEN $2::date AND $3::date',
        [target.id, campaign.period_start, on],
      )) as { held: number }[];
      return { value: row.held };
    }
  }
}
