import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';
import { SCOREBOARD_LOCK, ScoreboardService } from './scoreboard.service';

const PATHS = `
  WITH RECURSIVE paths(unit_id, ancestor, depth) AS (
    SELECT unit_id, parent_id, 1 FROM replica_units WHERE status = 'active' AND parent_id IS NOT NULL
    UNION ALL
    SELECT p.unit_id, r.parent_id, p.depth + 1 FROM paths p JOIN replica_units r ON r.unit_id = p.ancestor
     WHERE r.parent_id IS NOT NULL AND p.depth < 32
  )`;

export interface ScoreboardRows {
  totals: { unit_id: string; kind: string; total: number }[];
  counts: { unit_id: string; programme: string; kind: string; status: string; grade: string; count: number; score_sum: number; scored: number }[];
}

/** The scoreboards computed from scratch from the replicas: the reference the incremental path must equal. */
@Injectable()
export class ScoreboardRecompute {
  constructor(private readonly scoreboards: ScoreboardService) {}

  async compute(manager: EntityManager): Promise<ScoreboardRows> {
    const totals = (await manager.query(
      `${PATHS} SELECT p.ancestor AS unit_id, u.kind, count(*)::int AS total
                  FROM paths p JOIN replica_units u USING (unit_id) GROUP BY 1, 2 ORDER BY 1, 2`,
    )) as ScoreboardRows['totals'];
    const counts = (await manager.query(
      `${PATHS} SELECT p.ancestor AS unit_id, s.programme, u.kind, s.status, COALESCE(s.grade, '') AS grade, count(*)::int AS count,
                       COALESCE(sum(s.score), 0)::float8 AS score_sum, count(s.score)::int AS scored
                  FROM paths p JOIN replica_units u USING (unit_id) JOIN status_replica s USING (unit_id)
                 WHERE s.status <> 'unassessed' GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )) as ScoreboardRows['counts'];
    return { totals, counts };
  }

  /** The scoreboards summed from the membership table (what each unit counts for, and where). */
  private async fromMembership(manager: EntityManager): Promise<ScoreboardRows> {
    const totals = (await manager.query(
      `SELECT a.ancestor AS unit_id, m.kind, count(*)::int AS total
         FROM scoreboard_membership m CROSS JOIN LATERAL unnest(m.ancestors) AS a(ancestor) GROUP BY 1, 2 ORDER BY 1, 2`,
    )) as ScoreboardRows['totals'];
    const counts = (await manager.query(
      `SELECT a.ancestor AS unit_id, st->>'programme' AS programme, m.kind, st->>'status' AS status, st->>'grade' AS grade, count(*)::int AS count,
              COALESCE(sum((st->>'score')::numeric), 0)::float8 AS score_sum, count(st->>'score')::int AS scored
         FROM scoreboard_membership m CROSS JOIN LATERAL unnest(m.ancestors) AS a(ancestor) CROSS JOIN LATERAL jsonb_array_elements(m.statuses) AS st
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )) as ScoreboardRows['counts'];
    return { totals, counts };
  }

  /** What the incremental tables hold (rows that count). */
  async stored(manager: EntityManager): Promise<ScoreboardRows> {
    const totals = (await manager.query(`SELECT unit_id, kind, total FROM scoreboard_totals WHERE total <> 0 ORDER BY 1, 2`)) as ScoreboardRows['totals'];
    const counts = (await manager.query(
      `SELECT unit_id, programme, kind, status, grade, count, score_sum::float8 AS score_sum, scored FROM scoreboard_counts
        WHERE count <> 0 OR scored <> 0 ORDER BY 1, 2, 3, 4, 5`,
    )) as ScoreboardRows['counts'];
    return { totals, counts };
  }

  /**
   * Replaces the incremental tables by a recomputation (the rebuild command). Every scoreboard
   * it corrects is announced as the incremental path would, in the same transaction.
   */
  async rebuild(manager: EntityManager): Promise<{ totals: number; counts: number; members: number; corrected: number }> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SCOREBOARD_LOCK]);
    const before = await this.stored(manager);
    await manager.query('DELETE FROM scoreboard_totals');
    await manager.query('DELETE FROM scoreboard_counts');
    await manager.query('DELETE FROM scoreboard_membership');
    await manager.query(
      `INSERT INTO scoreboard_membership (unit_id, kind, ancestors, statuses)
       SELECT u.unit_id, u.kind, CASE WHEN u.status = 'active' THEN ${REPLICA_ANCESTORS_SQL('u.unit_id')} ELSE '{}'::uuid[] END,
              COALESCE((SELECT jsonb_agg(jsonb_build_object('programme', s.programme, 'status', s.status, 'grade', COALESCE(s.grade, ''),
                                                            'score', s.score::float8) ORDER BY s.programme)
                          FROM status_replica s WHERE s.unit_id = u.unit_id AND s.status <> 'unassessed'), '[]')
         FROM replica_units u`,
    );
    // The boards are summed from the membership just written: one statement's view of the
    // replicas. A batch committing meanwhile leaves its units queued, and the worker applies
    // them to these rows as to any (summed from the replicas in statements of their own, the
    // boards could count a unit where the membership no longer places it).
    const { totals, counts } = await this.fromMembership(manager);
    const corrected = corrections(before, { totals, counts });
    if (totals.length) {
      await manager.query('INSERT INTO scoreboard_totals (unit_id, kind, total) SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])', [
        totals.map((t) => t.unit_id),
        totals.map((t) => t.kind),
        totals.map((t) => t.total),
      ]);
    }
    if (counts.length) {
      await manager.query(
        `INSERT INTO scoreboard_counts (unit_id, programme, kind, status, grade, count, score_sum, scored)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::numeric[], $8::int[])`,
        [counts.map((c) => c.unit_id), counts.map((c) => c.programme), counts.map((c) => c.kind), counts.map((c) => c.status), counts.map((c) => c.grade), counts.map((c) => c.count), counts.map((c) => c.score_sum), counts.map((c) => c.scored)],
      );
    }
    const [{ n }] = (await manager.query('SELECT count(*)::int AS n FROM scoreboard_membership')) as { n: number }[];
    await this.scoreboards.announce(manager, corrected.boards, corrected.totals);
    return { totals: totals.length, counts: counts.length, members: n, corrected: corrected.boards.size + corrected.totals.size };
  }
}

/** Where two sets of scoreboard rows differ: the `unitId|programme` boards whose counts differ, the units whose totals differ. */
function corrections(before: ScoreboardRows, after: ScoreboardRows): { boards: Set<string>; totals: Set<string> } {
  const differing = <R>(a: R[], b: R[], row: (r: R) => [string, string, string]) => {
    const values = new Map<string, string>();
    const keys = new Set<string>();
    for (const r of a) {
      const [group, key, value] = row(r);
      values.set(`${group}#${key}`, value);
    }
    for (const r of b) {
      const [group, key, value] = row(r);
      const id = `${group}#${key}`;
      if (values.get(id) !== value) keys.add(group);
      values.delete(id);
    }
    for (const id of values.keys()) keys.add(id.slice(0, id.indexOf('#')));
    return keys;
  };
  return {
    boards: differing(before.counts, after.counts, (c) => [`${c.unit_id}|${c.programme}`, `${c.kind}|${c.status}|${c.grade}`, `${c.count}|${c.score_sum}|${c.scored}`]),
    totals: differing(before.totals, after.totals, (t) => [t.unit_id, t.kind, String(t.total)]),
  };
}
