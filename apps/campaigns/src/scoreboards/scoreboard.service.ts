import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KindCount, UnitKind } from '@antq/contracts';
import { atBatchEnd, EventFactory, OutboxService } from '@antq/messaging';
import { REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';
import { KEY_AREA, statusesReaching } from '../key-area-stages';

const TRANSFORMED = statusesReaching(KEY_AREA, 'transformed');

/**
 * The share of a board's units that reached the programme's goal, 0..1: recognised among
 * all of them; for key complex areas, which are never recognised, transformed (transformed,
 * followed up or removed from the list) among those designated at all.
 */
export function shareReached(programme: string, byStatus: Record<string, number>, total: number): number {
  if (programme !== KEY_AREA) return total ? (byStatus['recognised'] ?? 0) / total : 0;
  const transformed = TRANSFORMED.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
  const designated = transformed + (byStatus['designated'] ?? 0);
  return designated ? transformed / designated : 0;
}

/** What a unit is counted as: once in the totals of its kind, and once per programme status. */
interface Contribution {
  kind: string;
  statuses: { programme: string; status: string; grade: string; score: number | null }[];
}

type Delta = Map<string, number>;

/**
 * Score sums add up in millionths, as integers: floating point would leave 0.1 + 0.7 at
 * 0.7999999999999999, off the exact sum a recomputation makes (scores have two decimals).
 */
const SCORE_UNITS = 1_000_000;

/** Serialises scoreboard writes across instances: contributions then add up exactly. */
export const SCOREBOARD_LOCK = 0x73636f72;
/** NOTIFY channel of `scoreboard_queue` (its trigger): the worker wakes when units are queued. */
export const SCOREBOARD_CHANNEL = 'antq_scoreboards';

export const SCOREBOARD_ACTOR = { agency: 'antq-campaigns', principal: 'scoreboards', roles: [] };

interface Dirty {
  /** Units whose place in the tree changed: they and their subtrees are re-placed. */
  trees: Set<string>;
  /** Units whose status changed. */
  units: Set<string>;
}

const dirtyByTransaction = new WeakMap<EntityManager, Dirty>();

/**
 * Scoreboards kept incrementally. Handlers only mark the units an event touched; once per
 * batch the marks are queued, in the batch's transaction, and the scoreboard worker
 * reconciles each queued unit just after: what it is counted as, and where (its stored
 * membership), against what the replicas say now. The difference moves off the old
 * ancestors and onto the new ones. Reconciling state rather than replaying deltas makes
 * the result independent of the order in which tree and status events arrive, and equal
 * to a recomputation at every quiet moment (the queue empty). One worker pass reconciles
 * what the batches of every partition queued meanwhile, so they never wait for each other.
 */
@Injectable()
export class ScoreboardService {
  constructor(
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
  ) {}

  /** A unit moved, closed or appeared: it and its subtree will be re-placed. */
  treeChanged(manager: EntityManager, unitId: string): Promise<void> {
    return this.mark(manager, (dirty) => dirty.trees.add(unitId));
  }

  /** A unit's status changed: its contribution will be recounted where it is. */
  statusChanged(manager: EntityManager, unitId: string): Promise<void> {
    return this.mark(manager, (dirty) => dirty.units.add(unitId));
  }

  private async mark(manager: EntityManager, add: (dirty: Dirty) => void): Promise<void> {
    let dirty = dirtyByTransaction.get(manager);
    if (!dirty) {
      dirty = { trees: new Set(), units: new Set() };
      dirtyByTransaction.set(manager, dirty);
    }
    add(dirty);
    await atBatchEnd(manager, 'scoreboards', async () => {
      const work = dirtyByTransaction.get(manager);
      dirtyByTransaction.delete(manager);
      if (work) await this.queue(manager, work);
    });
  }

  private async queue(manager: EntityManager, dirty: Dirty): Promise<void> {
    // A unit re-placed with its subtree needs no second row for its status.
    const units = [...dirty.trees, ...[...dirty.units].filter((id) => !dirty.trees.has(id))];
    if (!units.length) return;
    await manager.query('INSERT INTO scoreboard_queue (unit_id, subtree) SELECT * FROM unnest($1::uuid[], $2::boolean[])', [units, units.map((id) => dirty.trees.has(id))]);
  }

  /**
   * Takes up to `limit` queued units (the oldest first) and reconciles them, in the caller's
   * transaction: the rows return to the queue if it rolls back. Returns how many rows it took.
   */
  async reconcileQueued(manager: EntityManager, limit: number): Promise<number> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SCOREBOARD_LOCK]);
    const [rows] = (await manager.query(
      'DELETE FROM scoreboard_queue WHERE id IN (SELECT id FROM scoreboard_queue ORDER BY id LIMIT $1) RETURNING unit_id, subtree',
      [limit],
    )) as [{ unit_id: string; subtree: boolean }[], number];
    if (!rows.length) return 0;
    const dirty: Dirty = { trees: new Set(), units: new Set() };
    for (const row of rows) (row.subtree ? dirty.trees : dirty.units).add(row.unit_id);
    await this.reconcile(manager, dirty);
    return rows.length;
  }

  /** Units queued and not yet reconciled. */
  async queued(manager: EntityManager): Promise<number> {
    const [{ n }] = (await manager.query('SELECT count(*)::int AS n FROM scoreboard_queue')) as { n: number }[];
    return n;
  }

  /** Moves contributions to where the replicas say they belong now; the caller holds SCOREBOARD_LOCK. */
  private async reconcile(manager: EntityManager, dirty: Dirty): Promise<void> {
    // Subtrees level by level: index lookups stay cheap however large the tree grows. A unit
    // queued for its status alone may lie in a re-placed subtree: it is expanded all the same.
    const ids = new Set([...dirty.trees, ...dirty.units]);
    const expanded = new Set(dirty.trees);
    for (let level = [...dirty.trees]; level.length; ) {
      const children = (await manager.query('SELECT unit_id FROM replica_units WHERE parent_id = ANY($1::uuid[])', [level])) as { unit_id: string }[];
      level = children.map((c) => c.unit_id).filter((id) => !expanded.has(id));
      level.forEach((id) => {
        expanded.add(id);
        ids.add(id);
      });
    }
    const rows = (await manager.query(
      `SELECT r.unit_id, r.kind, r.status, m.ancestors AS stored, m.statuses AS counted, ${REPLICA_ANCESTORS_SQL('r.unit_id')} AS path,
              COALESCE((SELECT jsonb_agg(jsonb_build_object('programme', s.programme, 'status', s.status, 'grade', COALESCE(s.grade, ''),
                                                          'score', s.score::float8) ORDER BY s.programme)
                          FROM status_replica s WHERE s.unit_id = r.unit_id AND s.status <> 'unassessed'), '[]') AS statuses
         FROM replica_units r LEFT JOIN scoreboard_membership m ON m.unit_id = r.unit_id
        WHERE r.unit_id = ANY($1::uuid[])`,
      [[...ids]],
    )) as { unit_id: string; kind: string; status: string; stored: string[] | null; counted: Contribution['statuses'] | null; path: string[]; statuses: Contribution['statuses'] }[];
    const totals: Delta = new Map();
    const counts: Delta = new Map();
    const changed: typeof rows = [];
    for (const row of rows) {
      const previous = row.stored ?? [];
      const next = row.status === 'active' ? row.path : [];
      const before = row.counted ?? [];
      if (row.stored !== null && sameList(previous, next) && JSON.stringify(before) === JSON.stringify(row.statuses)) continue;
      addContribution(totals, counts, previous, { kind: row.kind, statuses: before }, -1);
      addContribution(totals, counts, next, { kind: row.kind, statuses: row.statuses }, +1);
      changed.push({ ...row, path: next });
    }
    if (!changed.length) return;
    await manager.query(
      `INSERT INTO scoreboard_membership (unit_id, kind, ancestors, statuses)
       SELECT x.unit_id, x.kind, ARRAY(SELECT json_array_elements_text(x.ancestors)::uuid), x.statuses
         FROM unnest($1::uuid[], $2::text[], $3::json[], $4::jsonb[]) AS x(unit_id, kind, ancestors, statuses)
       ON CONFLICT (unit_id) DO UPDATE SET kind = EXCLUDED.kind, ancestors = EXCLUDED.ancestors, statuses = EXCLUDED.statuses`,
      [changed.map((c) => c.unit_id), changed.map((c) => c.kind), changed.map((c) => JSON.stringify(c.path)), changed.map((c) => JSON.stringify(c.statuses))],
    );
    await this.apply(manager, totals, counts);
  }

  /** The scoreboard of a unit under a programme. */
  async read(manager: EntityManager, unitId: string, programme: string): Promise<KindCount[]> {
    return (await this.readMany(manager, [{ unitId, programme }])).get(`${unitId}|${programme}`) ?? [];
  }

  /**
   * The scoreboards of several units, each under a programme, keyed `unitId|programme`: one
   * statement however many boards, index lookups by unit (totals come first, programme null).
   */
  private async readMany(manager: EntityManager, boards: { unitId: string; programme: string }[]): Promise<Map<string, KindCount[]>> {
    const units = [...new Set(boards.map((b) => b.unitId))];
    const rows = (await manager.query(
      `SELECT unit_id, NULL AS programme, kind, NULL AS status, NULL AS grade, total AS count, NULL::float8 AS score_sum, NULL::int AS scored
         FROM scoreboard_totals WHERE unit_id = ANY($1::uuid[]) AND total > 0
       UNION ALL
       SELECT unit_id, programme, kind, status, grade, count, score_sum::float8, scored
         FROM scoreboard_counts WHERE unit_id = ANY($1::uuid[]) AND count > 0
       ORDER BY unit_id, programme NULLS FIRST, kind, status, grade`,
      [units],
    )) as { unit_id: string; programme: string | null; kind: UnitKind; status: string; grade: string; count: number; score_sum: number; scored: number }[];
    const totalsByUnit = new Map<string, { kind: UnitKind; total: number }[]>();
    const countsByBoard = new Map<string, typeof rows>();
    for (const row of rows) {
      if (row.programme === null) {
        const list = totalsByUnit.get(row.unit_id);
        if (list) list.push({ kind: row.kind, total: row.count });
        else totalsByUnit.set(row.unit_id, [{ kind: row.kind, total: row.count }]);
        continue;
      }
      const key = `${row.unit_id}|${row.programme}`;
      const list = countsByBoard.get(key);
      if (list) list.push(row);
      else countsByBoard.set(key, [row]);
    }
    const result = new Map<string, KindCount[]>();
    for (const { unitId, programme } of boards) {
      const key = `${unitId}|${programme}`;
      const boardCounts = countsByBoard.get(key) ?? [];
      result.set(
        key,
        (totalsByUnit.get(unitId) ?? []).map(({ kind, total }) => {
          const mine = boardCounts.filter((c) => c.kind === kind);
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
            share: shareReached(programme, byStatus, total),
            averageScore: scored ? mine.reduce((a, c) => a + c.score_sum, 0) / scored : null,
          };
        }),
      );
    }
    return result;
  }

  private async apply(manager: EntityManager, totals: Delta, counts: Delta): Promise<void> {
    const totalRows = [...totals].filter(([, d]) => d !== 0).map(([key, d]) => [...key.split('|'), d] as [string, string, number]);
    if (totalRows.length) {
      await manager.query(
        `INSERT INTO scoreboard_totals (unit_id, kind, total)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[]) ORDER BY 1, 2
         ON CONFLICT (unit_id, kind) DO UPDATE SET total = scoreboard_totals.total + EXCLUDED.total`,
        [totalRows.map((r) => r[0]), totalRows.map((r) => r[1]), totalRows.map((r) => r[2])],
      );
    }
    const merged = new Map<string, { unitId: string; programme: string; kind: string; status: string; grade: string; count: number; sum: number; scored: number }>();
    for (const [key, d] of counts) {
      const [unitId, programme, kind, status, grade, field] = key.split('|');
      const id = [unitId, programme, kind, status, grade].join('|');
      const m = merged.get(id) ?? { unitId, programme, kind, status, grade, count: 0, sum: 0, scored: 0 };
      if (field === 'count') m.count += d;
      else if (field === 'sum') m.sum += d;
      else m.scored += d;
      merged.set(id, m);
    }
    const list = [...merged.values()].filter((m) => m.count || m.sum || m.scored);
    if (list.length) {
      await manager.query(
        `INSERT INTO scoreboard_counts (unit_id, programme, kind, status, grade, count, score_sum, scored)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::numeric[], $8::int[]) ORDER BY 1, 2, 3, 4, 5
         ON CONFLICT (unit_id, programme, kind, status, grade) DO UPDATE SET
           count = scoreboard_counts.count + EXCLUDED.count,
           score_sum = scoreboard_counts.score_sum + EXCLUDED.score_sum,
           scored = scoreboard_counts.scored + EXCLUDED.scored`,
        [list.map((m) => m.unitId), list.map((m) => m.programme), list.map((m) => m.kind), list.map((m) => m.status), list.map((m) => m.grade), list.map((m) => m.count), list.map((m) => m.sum / SCORE_UNITS), list.map((m) => m.scored)],
      );
    }
    // One event per touched unit and programme and batch, carrying its whole scoreboard.
    await this.announce(
      manager,
      list.map((m) => `${m.unitId}|${m.programme}`),
      totalRows.map((r) => r[0]),
    );
  }

  /**
   * Emits, through the outbox in the caller's transaction, the scoreboard now stored for each
   * touched `unitId|programme`, and for every programme of each unit whose totals changed.
   */
  async announce(manager: EntityManager, changed: Iterable<string>, totalsChanged: Iterable<string>): Promise<void> {
    const touched = new Set<string>(changed);
    const totalsTouched = [...new Set(totalsChanged)];
    if (totalsTouched.length) {
      const programmes = (await manager.query('SELECT DISTINCT unit_id, programme FROM scoreboard_counts WHERE unit_id = ANY($1::uuid[])', [totalsTouched])) as {
        unit_id: string;
        programme: string;
      }[];
      for (const { unit_id, programme } of programmes) touched.add(`${unit_id}|${programme}`);
    }
    const pairs = [...touched].map((key) => {
      const [unitId, programme] = key.split('|');
      return { unitId, programme };
    });
    const boards = await this.readMany(manager, pairs);
    const events = pairs.map(({ unitId, programme }) =>
      this.events.create({
        type: 'antq.campaigns.scoreboard-updated.v1',
        subject: unitId,
        // An aggregate of many agencies' changes: the platform itself reports it.
        actor: SCOREBOARD_ACTOR,
        data: { unitId, programme, kinds: boards.get(`${unitId}|${programme}`) ?? [] },
      }),
    );
    await this.outbox.append(manager, events);
  }
}

function addContribution(totals: Delta, counts: Delta, ancestors: string[], contribution: Contribution, sign: number): void {
  for (const ancestor of ancestors) {
    bump(totals, `${ancestor}|${contribution.kind}`, sign);
    for (const s of contribution.statuses) {
      const key = `${ancestor}|${s.programme}|${contribution.kind}|${s.status}|${s.grade}`;
      bump(counts, `${key}|count`, sign);
      if (s.score !== null) {
        bump(counts, `${key}|sum`, sign * Math.round(s.score * SCORE_UNITS));
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
