import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import { ReplicaUnit } from './replica-unit.entity';
import type { ReplicaState } from './unit-tree-observer';

export interface ReplicaVersion {
  unitId: string;
  version: number;
  validFrom: string;
  validTo: string | null;
  code: string;
  name: string;
  kind: string;
  subtype: string | null;
  parentId: string | null;
  tags: string[];
  status: string;
}

@Injectable()
export class UnitReplicaRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Applies a unit's state: records the version (once) with its date range, and moves the
   * latest state forward unless the replica already holds that version or a newer one.
   * Returns the previous latest state when the latest state changed, else undefined.
   */
  async apply(manager: EntityManager, unit: UnitSnapshot): Promise<{ before: ReplicaState | null } | undefined> {
    // One round trip: record the version with its date range, close the version before it,
    // and move the latest state forward if this version is newer.
    const [result] = (await manager.query(
      `WITH previous AS (
         SELECT parent_id AS "parentId", status, kind FROM replica_units WHERE unit_id = $1 FOR UPDATE
       ), recorded AS (
         INSERT INTO replica_unit_versions (unit_id, code, name, kind, subtype, parent_id, tags, status, valid_from, version, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 (SELECT min(valid_from) FROM replica_unit_versions WHERE unit_id = $1 AND version > $10))
         ON CONFLICT DO NOTHING RETURNING version
       ), closed AS (
         UPDATE replica_unit_versions SET valid_to = $9
          WHERE unit_id = $1 AND EXISTS (SELECT 1 FROM recorded)
            AND version = (SELECT max(version) FROM replica_unit_versions WHERE unit_id = $1 AND version < $10)
       ), latest AS (
         INSERT INTO replica_units (unit_id, code, name, kind, subtype, parent_id, tags, status, effective_from, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
         ON CONFLICT (unit_id) DO UPDATE SET
           code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind, subtype = EXCLUDED.subtype,
           parent_id = EXCLUDED.parent_id, tags = EXCLUDED.tags, status = EXCLUDED.status,
           effective_from = EXCLUDED.effective_from, version = EXCLUDED.version, updated_at = now()
         WHERE replica_units.version < EXCLUDED.version
         RETURNING unit_id
       )
       SELECT EXISTS (SELECT 1 FROM latest) AS changed, (SELECT row_to_json(previous) FROM previous) AS before`,
      [unit.unitId, unit.code, unit.name, unit.kind, unit.subtype ?? null, unit.parentId ?? null, unit.tags, unit.status, unit.effectiveFrom, unit.version],
    )) as { changed: boolean; before: ReplicaState | null }[];
    return result.changed ? { before: result.before } : undefined;
  }

  /** Lineage edges; an edge also reported by a split is a split edge, whatever arrives first. */
  async recordLineage(
    manager: EntityManager,
    edges: { predecessorId: string; successorId: string; kind: 'merge' | 'split'; effectiveDate: string }[],
  ): Promise<void> {
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

  /** Every version held, for comparison with the registry. */
  async versions(): Promise<ReplicaVersion[]> {
    return (await this.dataSource.query(
      `SELECT unit_id AS "unitId", version, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom",
              to_char(valid_to, 'YYYY-MM-DD') AS "validTo", code, name, kind, subtype, parent_id AS "parentId", tags, status
         FROM replica_unit_versions ORDER BY unit_id, version`,
    )) as ReplicaVersion[];
  }
}
