import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import { NotFoundError } from '@antq/platform';
import { ReplicaUnit } from './replica-unit.entity';
import type { HistoryRewrite, Placement, ReplicaState, UnitChange } from './unit-tree-observer';

export interface LineageEdge {
  predecessorId: string;
  successorId: string;
  kind: 'merge' | 'split';
  effectiveDate: string;
}

/** The 404 for a read about a unit this service has never been told of. */
export const unknownUnit = (unitId: string) => new NotFoundError(`Unit ${unitId} is not in this service's replica of the tree`);

/**
 * Refuses with 404 a read about a unit this service has never been told of, rather than
 * answering it with an empty result. A plain function over the caller's connection: the
 * services' read models use it without taking the replica's module.
 */
export async function requireKnownUnit(db: Pick<EntityManager, 'query'>, unitId: string): Promise<void> {
  const rows = (await db.query('SELECT 1 FROM replica_units WHERE unit_id = $1', [unitId])) as unknown[];
  if (!rows.length) throw unknownUnit(unitId);
}

@Injectable()
export class UnitReplicaRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Applies units' states, a batch at a time: records every version once with its date
   * range, and moves each unit's current state forward to the newest version given that is
   * in force on `today` (effective then or earlier), unless the replica already holds that
   * version or a newer one in force. A version recorded for a later date waits in the
   * versions until `promoteDue` finds it in force (and a current state not yet in force, as
   * replicas kept before they followed the date, gives way to the one that is). Returns, for
   * each unit whose current state changed, what it was before, what it is now and the
   * versions it took in between; and, for each unit that received a version older than the
   * one it held, how its history was rewritten.
   */
  async applyMany(manager: EntityManager, units: UnitSnapshot[], today: string): Promise<{ changes: UnitChange[]; rewrites: HistoryRewrite[] }> {
    if (!units.length) return { changes: [], rewrites: [] };
    const ids = [...new Set(units.map((u) => u.unitId))];
    const rows = JSON.stringify(
      units.map((u) => ({
        unit_id: u.unitId,
        code: u.code,
        name: u.name,
        kind: u.kind,
        subtype: u.subtype ?? null,
        parent_id: u.parentId ?? null,
        tags: u.tags,
        status: u.status,
        valid_from: u.effectiveFrom,
        version: u.version,
      })),
    );
    const previous = (await manager.query(
      'SELECT unit_id, parent_id AS "parentId", status, kind, version FROM replica_units WHERE unit_id = ANY($1::uuid[]) ORDER BY unit_id FOR UPDATE',
      [ids],
    )) as (ReplicaState & { unit_id: string; version: number })[];
    const inserted = (await manager.query(
      `INSERT INTO replica_unit_versions (unit_id, code, name, kind, subtype, parent_id, tags, status, valid_from, version)
       SELECT DISTINCT ON (unit_id, version) unit_id, code, name, kind, subtype, parent_id, ARRAY(SELECT jsonb_array_elements_text(tags)), status, valid_from, version
         FROM jsonb_to_recordset($1::jsonb) AS x(unit_id uuid, code text, name text, kind text, subtype text, parent_id uuid, tags jsonb, status text, valid_from date, version int)
        ORDER BY unit_id, version
       ON CONFLICT DO NOTHING
       RETURNING unit_id, version, parent_id AS "parentId", status, to_char(valid_from, 'YYYY-MM-DD') AS "effectiveFrom"`,
      [rows],
    )) as (Placement & { unit_id: string; version: number })[];
    // Each version ends where the unit's next version starts. The outer filter on unit_id
    // keeps this an index lookup even where the table has no planner statistics.
    await manager.query(
      `UPDATE replica_unit_versions v SET valid_to = n.next_from
         FROM (SELECT unit_id, version, lead(valid_from) OVER (PARTITION BY unit_id ORDER BY version) AS next_from
                 FROM replica_unit_versions WHERE unit_id = ANY($1::uuid[])) n
        WHERE v.unit_id = ANY($1::uuid[]) AND v.unit_id = n.unit_id AND v.version = n.version
          AND v.valid_to IS DISTINCT FROM n.next_from`,
      [ids],
    );
    const changed = (await manager.query(
      `INSERT INTO replica_units (unit_id, code, name, kind, subtype, parent_id, tags, status, effective_from, version, updated_at)
       SELECT DISTINCT ON (unit_id) unit_id, code, name, kind, subtype, parent_id, ARRAY(SELECT jsonb_array_elements_text(tags)), status, valid_from, version, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(unit_id uuid, code text, name text, kind text, subtype text, parent_id uuid, tags jsonb, status text, valid_from date, version int)
        WHERE valid_from <= $2::date
        ORDER BY unit_id, version DESC
       ON CONFLICT (unit_id) DO UPDATE SET
         code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind, subtype = EXCLUDED.subtype,
         parent_id = EXCLUDED.parent_id, tags = EXCLUDED.tags, status = EXCLUDED.status,
         effective_from = EXCLUDED.effective_from, version = EXCLUDED.version, updated_at = now()
       WHERE replica_units.version < EXCLUDED.version OR replica_units.effective_from > $2::date
       RETURNING unit_id, version`,
      [rows, today],
    )) as { unit_id: string; version: number }[];
    const before = new Map(previous.map((p) => [p.unit_id, p]));
    const byVersion = new Map(units.map((u) => [`${u.unitId}:${u.version}`, u]));
    const insertedByUnit = new Map<string, typeof inserted>();
    for (const v of inserted) insertedByUnit.set(v.unit_id, [...(insertedByUnit.get(v.unit_id) ?? []), v]);
    const changes = changed.map((c) => {
      const was = before.get(c.unit_id);
      const after = byVersion.get(`${c.unit_id}:${c.version}`) as UnitSnapshot;
      // The versions between the one the replica held and the one now in force; a version
      // promoted on its date was stored before, and is the only one.
      const between = (insertedByUnit.get(c.unit_id) ?? [])
        .filter((v) => v.version > (was?.version ?? 0) && v.version < c.version)
        .sort((a, b) => a.version - b.version)
        .map(({ parentId, status, effectiveFrom }) => ({ parentId, status, effectiveFrom }));
      return {
        before: was ? { parentId: was.parentId, status: was.status, kind: was.kind } : null,
        after,
        placements: [...between, { parentId: after.parentId ?? null, status: after.status, effectiveFrom: after.effectiveFrom }],
      };
    });
    return { changes, rewrites: await this.rewrites(manager, inserted, before) };
  }

  /** Versions older than the one their unit held (rare: a redelivery, a replay), as history rewrites. */
  private async rewrites(manager: EntityManager, inserted: { unit_id: string; version: number; effectiveFrom: string }[], held: Map<string, { version: number }>): Promise<HistoryRewrite[]> {
    const from = new Map<string, string>();
    for (const v of inserted) {
      const was = held.get(v.unit_id);
      if (!was || v.version >= was.version) continue;
      const earliest = from.get(v.unit_id);
      if (!earliest || v.effectiveFrom < earliest) from.set(v.unit_id, v.effectiveFrom);
    }
    if (!from.size) return [];
    const parents = (await manager.query(
      `SELECT v.unit_id, array_agg(DISTINCT v.parent_id) FILTER (WHERE v.parent_id IS NOT NULL) AS parent_ids
         FROM unnest($1::uuid[], $2::date[]) AS r(unit_id, from_date) JOIN replica_unit_versions v ON v.unit_id = r.unit_id AND (v.valid_to IS NULL OR v.valid_to >= r.from_date)
        GROUP BY v.unit_id`,
      [[...from.keys()], [...from.values()]],
    )) as { unit_id: string; parent_ids: string[] | null }[];
    return parents.map((p) => ({ unitId: p.unit_id, from: from.get(p.unit_id) as string, parentIds: p.parent_ids ?? [] }));
  }

  /**
   * Makes each unit's current state the version in force on `today` where it is not (a
   * change recorded in advance whose date has come), as `applyMany` would have had the
   * change been recorded on the day. Returns the changes.
   */
  async promoteDue(manager: EntityManager, today: string): Promise<UnitChange[]> {
    const due = (await manager.query(
      `WITH in_force AS (
         SELECT DISTINCT ON (unit_id) * FROM replica_unit_versions WHERE valid_from <= $1::date ORDER BY unit_id, version DESC
       )
       SELECT v.unit_id AS "unitId", v.code, v.name, v.kind, v.subtype, v.parent_id AS "parentId", v.tags, v.status,
              to_char(v.valid_from, 'YYYY-MM-DD') AS "effectiveFrom", v.version
         FROM in_force v LEFT JOIN replica_units u ON u.unit_id = v.unit_id
        WHERE u.version IS DISTINCT FROM v.version`,
      [today],
    )) as UnitSnapshot[];
    return (await this.applyMany(manager, due, today)).changes;
  }

  /** Lineage edges; an edge also reported by a split is a split edge, whatever arrives first. */
  async recordLineage(manager: EntityManager, reported: LineageEdge[]): Promise<void> {
    // One row per pair in a statement (ON CONFLICT cannot touch a row twice): a split report wins.
    const byPair = new Map<string, LineageEdge>();
    for (const edge of reported) {
      const pair = `${edge.predecessorId}>${edge.successorId}`;
      if (byPair.get(pair)?.kind !== 'split') byPair.set(pair, edge);
    }
    const edges = [...byPair.values()];
    if (!edges.length) return;
    await manager.query(
      `INSERT INTO replica_unit_lineage (predecessor_id, successor_id, kind, effective_date)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[]) ORDER BY 1, 2
       ON CONFLICT (predecessor_id, successor_id) DO UPDATE SET kind = 'split' WHERE EXCLUDED.kind = 'split'`,
      [edges.map((e) => e.predecessorId), edges.map((e) => e.successorId), edges.map((e) => e.kind), edges.map((e) => e.effectiveDate)],
    );
  }

  findById(unitId: string): Promise<ReplicaUnit | null> {
    return this.dataSource.getRepository(ReplicaUnit).findOneBy({ unitId });
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(ReplicaUnit).count();
  }

  list(offset: number, limit: number): Promise<ReplicaUnit[]> {
    return this.dataSource.getRepository(ReplicaUnit).find({ order: { code: 'ASC' }, skip: offset, take: limit });
  }

}
