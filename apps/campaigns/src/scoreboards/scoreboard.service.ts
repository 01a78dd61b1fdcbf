import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KindCount, UnitKind } from '@antq/contracts';
import { EventFactory, OutboxService } from '@antq/messaging';

/** One unit's contribution: counted once in the totals, and once per programme status. */
interface Contribution {
  kind: string;
  statuses: { programme: string; status: string; grade: string; score: number | null }[];
}

type Delta = Map<string, number>;

/** Serialises scoreboard writes across instances: contributions then add up exactly. */
const SCOREBOARD_LOCK = 0x73636f72;

/**
 * Scoreboards kept incrementally: a change to a unit (its place in the tree, or a status)
 * takes its contribution off the ancestors it was counted under and adds the new one to
 * its ancestors now. The result equals a recomputation from the replicas at any quiet
 * moment, whatever the order in which tree and status events arrive.
 */
@Injectable()
export class ScoreboardService {
  constructor(
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
  ) {}

  /** Re-places units (and their descendants) after a tree change. */
  async unitsChanged(manager: EntityManager, unitIds: string[]): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SCOREBOARD_LOCK]);
    // The subtree level by level: index lookups stay cheap however large the tree grows.
    const ids = new Set(unitIds);
    for (let level = unitIds; level.length; ) {
      const children = (await manager.query('SELECT unit_id FROM replica_units WHERE parent_id = ANY($1::uuid[])', [level])) as { unit_id: string }[];
      level = children.map((c) => c.unit_id).filter((id) => !ids.has(id));
      level.forEach((id) => ids.add(id));
    }
    const rows = (await manager.query(
      `SELECT r.unit_id, r.kind, r.status, m.ancestors AS stored, ${PATH_SQL('r.unit_id')} AS path
         FROM replica_units r LEFT JOIN scoreboard_membership m ON m.unit_id = r.unit_id
        WHERE r.unit_id = ANY($1::uuid[])`,
      [[...ids]],
    )) as { unit_id: string; kind: string; status: string; stored: string[] | null; path: string[] }[];
    const moved = rows
      .map((r) => ({ ...r, next: r.status === 'active' ? r.path : [], previous: r.stored ?? [] }))
      .filter((r) => r.stored === null || !sameList(r.previous, r.next));
    if (!moved.length) return;
    const contributions = await this.contributions(manager, moved.map((r) => r.unit_id));
    const totals: Delta = new Map();
    const counts: Delta = new Map();
    for (const unit of moved) {
      const contribution = { ...(contributions.get(unit.unit_id) ?? { statuses: [] }), kind: unit.kind };
      addContribution(totals, counts, unit.previous, contribution, -1);
      addContribution(totals, counts, unit.next, contribution, +1);
    }
    await manager.query(
      `INSERT INTO scoreboard_membership (unit_id, kind, ancestors)
       SELECT x.unit_id, x.kind, ARRAY(SELECT json_array_elements_text(x.ancestors)::uuid)
         FROM unnest($1::uuid[], $2::text[], $3::json[]) AS x(unit_id, kind, ancestors)
       ON CONFLICT (unit_id) DO UPDATE SET kind = EXCLUDED.kind, ancestors = EXCLUDED.ancestors`,
      [moved.map((m) => m.unit_id), moved.map((m) => m.kind), moved.map((m) => JSON.stringify(m.next))],
    );
    await this.apply(manager, totals, counts);
  }

  /** Moves a unit's status contribution when its status under a programme changes. */
  async statusChanged(
    manager: EntityManager,
    unitId: string,
    programme: string,
    before: { status: string; grade: string | null; score: number | null } | null,
    after: { status: string; grade: string | null; score: number | null },
  ): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SCOREBOARD_LOCK]);
    const [member] = (await manager.query('SELECT kind, ancestors FROM scoreboard_membership WHERE unit_id = $1', [unitId])) as {
      kind: string;
      ancestors: string[];
    }[];
    if (!member?.ancestors.length) return;
    const totals: Delta = new Map();
    const counts: Delta = new Map();
    const statusOf = (s: typeof after) => ({ programme, status: s.status, grade: s.grade ?? '', score: s.score });
    // Only the status moves: the unit stays counted in the totals where it is.
    if (before && before.status !== 'unassessed') addContribution(null, counts, member.ancestors, { kind: member.kind, statuses: [statusOf(before)] }, -1);
    if (after.status !== 'unassessed') addContribution(null, counts, member.ancestors, { kind: member.kind, statuses: [statusOf(after)] }, +1);
    await this.apply(manager, totals, counts);
  }

  /** The scoreboard of a unit under a programme. */
  async read(manager: EntityManager, unitId: string, programme: string): Promise<KindCount[]> {
    const totals = (await manager.query('SELECT kind, total FROM scoreboard_totals WHERE unit_id = $1 AND total > 0 ORDER BY kind', [unitId])) as {
      kind: UnitKind;
      total: number;
    }[];
    const counts = (await manager.query(
      `SELECT kind, status, grade, count, score_sum::float8 AS score_sum, scored FROM scoreboard_counts
        WHERE unit_id = $1 AND programme = $2 AND count > 0`,
      [unitId, programme],
    )) as { kind: string; status: string; grade: string; count: number; score_sum: number; scored: number }[];
    return totals.map(({ kind, total }) => {
      const mine = counts.filter((c) => c.kind === kind);
      const byStatus: Record<string, number> = {};
      const byGrade: Record<string, number> = {};
      for (const c of mine) {
        byStatus[c.status] = (byStatus[c.status] ?? 0) + c.count;
        if (c.grade) byGrade[c.grade] = (byGrade[c.grade] ?? 0) + c.count;
      }
      byStatus['unassessed'] = total - Object.values(byStatus).reduce((a, b) => a + b, 0);
      const scored = mine.reduce((a, c) => a + c.scored, 0);
      return {
        kind,
        total,
        byStatus,
        byGrade,
        share: total ? (byStatus['recognised'] ?? 0) / total : 0,
        averageScore: scored ? mine.reduce((a, c) => a + c.score_sum, 0) / scored : null,
      };
    });
  }

  private async contributions(manager: EntityManager, unitIds: string[]): Promise<Map<string, Contribution>> {
    const rows = (await manager.query(
      `SELECT unit_id, programme, status, COALESCE(grade, '') AS grade, score::float8 AS score
         FROM status_replica WHERE unit_id = ANY($1::uuid[]) AND status <> 'unassessed'`,
      [unitIds],
    )) as { unit_id: string; programme: string; status: string; grade: string; score: number | null }[];
    const result = new Map<string, Contribution>();
    for (const row of rows) {
      const entry = result.get(row.unit_id) ?? { kind: '', statuses: [] };
      entry.statuses.push({ programme: row.programme, status: row.status, grade: row.grade, score: row.score });
      result.set(row.unit_id, entry);
    }
    return result;
  }

  private async apply(manager: EntityManager, totals: Delta, counts: Delta): Promise<void> {
    const totalRows = [...totals].filter(([, d]) => d !== 0).map(([key, d]) => [...key.split('|'), d] as [string, string, number]);
    if (totalRows.length) {
      await manager.query(
        `INSERT INTO scoreboard_totals (unit_id, kind, total)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])
         ON CONFLICT (unit_id, kind) DO UPDATE SET total = scoreboard_totals.total + EXCLUDED.total`,
        [totalRows.map((r) => r[0]), totalRows.map((r) => r[1]), totalRows.map((r) => r[2])],
      );
    }
    const countRows = [...counts].map(([key, d]) => {
        const [unitId, programme, kind, status, grade, field] = key.split('|');
        return { unitId, programme, kind, status, grade, field, d };
      });
    const merged = new Map<string, { unitId: string; programme: string; kind: string; status: string; grade: string; count: number; sum: number; scored: number }>();
    for (const r of countRows) {
      const key = [r.unitId, r.programme, r.kind, r.status, r.grade].join('|');
      const m = merged.get(key) ?? { unitId: r.unitId, programme: r.programme, kind: r.kind, status: r.status, grade: r.grade, count: 0, sum: 0, scored: 0 };
      if (r.field === 'count') m.count += r.d;
      else if (r.field === 'sum') m.sum += r.d;
      else m.scored += r.d;
      merged.set(key, m);
    }
    const list = [...merged.values()].filter((m) => m.count || m.sum || m.scored);
    if (list.length) {
      await manager.query(
        `INSERT INTO scoreboard_counts (unit_id, programme, kind, status, grade, count, score_sum, scored)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::numeric[], $8::int[])
         ON CONFLICT (unit_id, programme, kind, status, grade) DO UPDATE SET
           count = scoreboard_counts.count + EXCLUDED.count,
           score_sum = scoreboard_counts.score_sum + EXCLUDED.score_sum,
           scored = scoreboard_counts.scored + EXCLUDED.scored`,
        [list.map((m) => m.unitId), list.map((m) => m.programme), list.map((m) => m.kind), list.map((m) => m.status), list.map((m) => m.grade), list.map((m) => m.count), list.map((m) => m.sum), list.map((m) => m.scored)],
      );
    }
    // One event per touched unit and programme, carrying its whole scoreboard.
    const touched = new Set<string>(list.map((m) => `${m.unitId}|${m.programme}`));
    const totalsTouched = [...new Set(totalRows.map((r) => r[0]))];
    if (totalsTouched.length) {
      const programmes = (await manager.query('SELECT DISTINCT unit_id, programme FROM scoreboard_counts WHERE unit_id = ANY($1::uuid[])', [totalsTouched])) as {
        unit_id: string;
        programme: string;
      }[];
      for (const { unit_id, programme } of programmes) touched.add(`${unit_id}|${programme}`);
    }
    for (const key of touched) {
      const [unitId, programme] = key.split('|');
      const kinds = await this.read(manager, unitId, programme);
      await this.outbox.append(manager, [this.events.create({ type: 'antq.campaigns.scoreboard-updated.v1', subject: unitId, data: { unitId, programme, kinds } })]);
    }
  }
}

/** The ancestors of a unit in the replica, nearest first, as a SQL expression. */
export const PATH_SQL = (unit: string) => `ARRAY(
  WITH RECURSIVE up(id, depth) AS (
    SELECT path_unit.parent_id, 1 FROM replica_units path_unit WHERE path_unit.unit_id = ${unit} AND path_unit.parent_id IS NOT NULL
    UNION ALL
    SELECT path_up.parent_id, up.depth + 1 FROM replica_units path_up JOIN up ON path_up.unit_id = up.id
     WHERE path_up.parent_id IS NOT NULL AND up.depth < 32
  ) SELECT id FROM up ORDER BY depth)`;

function addContribution(totals: Delta | null, counts: Delta, ancestors: string[], contribution: Contribution, sign: number): void {
  for (const ancestor of ancestors) {
    if (totals) bump(totals, `${ancestor}|${contribution.kind}`, sign);
    for (const s of contribution.statuses) {
      const key = `${ancestor}|${s.programme}|${contribution.kind}|${s.status}|${s.grade}`;
      bump(counts, `${key}|count`, sign);
      if (s.score !== null) {
        bump(counts, `${key}|sum`, sign * s.score);
        bump(counts, `${key}|scored`, sign);
      }
    }
  }
}

function bump(map: Delta, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
