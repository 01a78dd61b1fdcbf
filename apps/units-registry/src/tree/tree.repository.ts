import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { UnitKind } from '@antq/contracts';
import { countedPage } from '@antq/persistence';
import { holdsOn, type MergePolicy, type PlacementRule, type UnitState } from './unit-state';

interface VersionRow {
  id: string;
  code: string;
  kind: UnitKind;
  version: number;
  valid_from: string;
  valid_to: string | null;
  name: string;
  subtype: UnitState['subtype'];
  parent_id: string | null;
  tags: string[];
  status: UnitState['status'];
  change: UnitState['change'];
}

const VERSION_COLUMNS = `u.id, u.code, u.kind, v.version, to_char(v.valid_from, 'YYYY-MM-DD') AS valid_from,
  to_char(v.valid_to, 'YYYY-MM-DD') AS valid_to, v.name, v.subtype, v.parent_id, v.tags, v.status, v.change`;

export function toState(row: VersionRow): UnitState {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    version: row.version,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    name: row.name,
    subtype: row.subtype,
    parentId: row.parent_id,
    tags: row.tags,
    status: row.status,
    change: row.change,
  };
}

export type StructureLock = 'exclusive' | 'shared';

export interface Abolition {
  kind: UnitKind;
  effectiveDate: string;
  withinId: string | null;
}

/**
 * The level a structural operation abolished, if it did: an abolish-level names it as `kind`,
 * a reorganisation as `abolishKind` (one that abolished it within some units only leaves that
 * to its abolish-level operations).
 */
export function abolitionOf(kind: string, effectiveDate: string, details: object): Abolition | undefined {
  if (kind !== 'abolish-level' && kind !== 'reorganise') return undefined;
  const d = details as { kind?: UnitKind; abolishKind?: UnitKind; withinId?: string | null };
  const level = d.kind ?? d.abolishKind;
  return level ? { kind: level, effectiveDate, withinId: d.withinId ?? null } : undefined;
}

/** Key of the transaction-level advisory lock that serialises structural changes ("antq" in ASCII, then 1). */
const TREE_STRUCTURE_LOCK = 0x616e747101;

/** Holds on `date`: valid_from <= date < valid_to. */
const AS_OF = `v.valid_from <= $1::date AND (v.valid_to IS NULL OR v.valid_to > $1::date)`;

export interface UnitFilter {
  asOf: string;
  parentId?: string;
  /** Descendants of this unit (not the unit itself). */
  within?: string;
  kinds?: UnitKind[];
  tags?: string[];
  /** Folded search text. */
  search?: string;
  status?: 'active' | 'closed';
  offset: number;
  limit: number;
}

/** Every SQL statement over the tree tables. */
@Injectable()
export class TreeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async placementRules(manager: EntityManager): Promise<PlacementRule[]> {
    return (await manager.query(
      `SELECT child_kind AS "childKind", parent_kind AS "parentKind",
              to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"
         FROM placement_rules ORDER BY id`,
    )) as PlacementRule[];
  }

  async mergePolicies(manager: EntityManager): Promise<MergePolicy[]> {
    return (await manager.query(
      `SELECT kind, across_parents AS "acrossParents",
              to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo"
         FROM merge_policies ORDER BY id`,
    )) as MergePolicy[];
  }

  /**
   * Takes the tree's structure lock until the transaction ends. Changes that can change
   * a unit's ancestors (moves, and the merges, splits and abolitions that move children)
   * take it exclusively first, so that two of them cannot each pass the cycle check and
   * together commit a cycle. Creates take it shared: an abolition of a level either sees a
   * unit created beside it or is seen by its creation. Updates and closes do not need it.
   */
  async lockStructure(manager: EntityManager, mode: StructureLock = 'exclusive'): Promise<void> {
    await manager.query(mode === 'shared' ? 'SELECT pg_advisory_xact_lock_shared($1)' : 'SELECT pg_advisory_xact_lock($1)', [TREE_STRUCTURE_LOCK]);
  }

  /** Levels abolished (alone or in a reorganisation): their kind, date and the subtree they were abolished in (null: everywhere). */
  async abolitions(manager: EntityManager): Promise<Abolition[]> {
    const operations = (await manager.query(
      `SELECT kind, to_char(effective_date, 'YYYY-MM-DD') AS "effectiveDate", details
         FROM structural_operations WHERE kind IN ('abolish-level', 'reorganise') ORDER BY effective_date`,
    )) as { kind: string; effectiveDate: string; details: object }[];
    return operations.flatMap((o) => abolitionOf(o.kind, o.effectiveDate, o.details) ?? []);
  }

  /**
   * The latest versions of units, locked for the rest of the transaction. Locked first and
   * read after: a read joined to the lock would lose a unit whose latest version changed
   * while it waited (PostgreSQL rechecks the join against the version row it read before).
   */
  async lockLatest(manager: EntityManager, ids: string[]): Promise<UnitState[]> {
    if (!ids.length) return [];
    await manager.query('SELECT id FROM units WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
    const rows = (await manager.query(
      `SELECT ${VERSION_COLUMNS}
         FROM units u JOIN unit_versions v ON v.unit_id = u.id AND v.version = u.latest_version
        WHERE u.id = ANY($1::uuid[])
        ORDER BY u.id`,
      [ids],
    )) as VersionRow[];
    return rows.map(toState);
  }

  /** The state of units on a date (units that did not exist then are absent). */
  async statesAt(manager: EntityManager, ids: string[], date: string): Promise<UnitState[]> {
    if (!ids.length) return [];
    const rows = (await manager.query(
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id
        WHERE ${AS_OF} AND u.id = ANY($2::uuid[])`,
      [date, ids],
    )) as VersionRow[];
    return rows.map(toState);
  }

  /** The versions of a unit that start after a date, oldest first. */
  async versionsAfter(manager: EntityManager, id: string, date: string): Promise<UnitState[]> {
    const rows = (await manager.query(
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id
        WHERE u.id = $1 AND v.valid_from > $2::date ORDER BY v.version`,
      [id, date],
    )) as VersionRow[];
    return rows.map(toState);
  }

  /** Every date on which some unit moved (a small set: structural changes come in few dates). */
  async moveDates(manager: EntityManager): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT to_char(valid_from, 'YYYY-MM-DD') AS date FROM unit_versions WHERE change = 'moved'`,
    )) as { date: string }[];
    return rows.map((r) => r.date);
  }

  async existingCodes(manager: EntityManager, codes: string[]): Promise<string[]> {
    if (!codes.length) return [];
    const rows = (await manager.query('SELECT code FROM units WHERE code = ANY($1::text[])', [codes])) as { code: string }[];
    return rows.map((r) => r.code);
  }

  async idsByCode(manager: EntityManager, codes: string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows = (await manager.query('SELECT id, code FROM units WHERE code = ANY($1::text[])', [codes])) as {
      id: string;
      code: string;
    }[];
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  /** Active units of a kind on a date, with their children on that date. */
  async unitsOfKindAt(manager: EntityManager, kind: UnitKind, date: string, within?: string): Promise<UnitState[]> {
    const rows = (await manager.query(
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id
        WHERE ${AS_OF} AND u.kind = $2 AND v.status = 'active'
          AND ($3::uuid IS NULL OR u.id IN (${this.subtreeSql('$3', '$1')}))`,
      [date, kind, within ?? null],
    )) as VersionRow[];
    return rows.map(toState);
  }

  async childrenAt(manager: EntityManager, parentIds: string[], date: string): Promise<UnitState[]> {
    if (!parentIds.length) return [];
    const rows = (await manager.query(
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id
        WHERE ${AS_OF} AND v.parent_id = ANY($2::uuid[]) AND v.status = 'active'`,
      [date, parentIds],
    )) as VersionRow[];
    return rows.map(toState);
  }

  /**
   * The earliest version, starting after a date, that places an active unit under one of the
   * parents; a version superseded on the day it began (empty range) never placed it there.
   */
  async firstChildPlacedAfter(manager: EntityManager, parentIds: string[], date: string): Promise<UnitState | undefined> {
    if (!parentIds.length) return undefined;
    const [row] = (await manager.query(
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id
        WHERE v.parent_id = ANY($2::uuid[]) AND v.status = 'active' AND v.valid_from > $1::date
          AND (v.valid_to IS NULL OR v.valid_to > v.valid_from)
        ORDER BY v.valid_from LIMIT 1`,
      [date, parentIds],
    )) as VersionRow[];
    return row && toState(row);
  }

  async insertUnits(manager: EntityManager, units: { id: string; code: string; kind: string; latestVersion: number }[]) {
    if (!units.length) return;
    await manager.query(
      `INSERT INTO units (id, code, kind, latest_version)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[])`,
      [units.map((u) => u.id), units.map((u) => u.code), units.map((u) => u.kind), units.map((u) => u.latestVersion)],
    );
  }

  async setLatestVersions(manager: EntityManager, latest: { id: string; version: number }[]) {
    if (!latest.length) return;
    await manager.query(
      `UPDATE units u SET latest_version = x.version
         FROM unnest($1::uuid[], $2::int[]) AS x(id, version) WHERE u.id = x.id`,
      [latest.map((l) => l.id), latest.map((l) => l.version)],
    );
  }

  async closeVersions(manager: EntityManager, ends: { id: string; version: number; validTo: string }[]) {
    if (!ends.length) return;
    await manager.query(
      `UPDATE unit_versions v SET valid_to = x.valid_to
         FROM unnest($1::uuid[], $2::int[], $3::date[]) AS x(id, version, valid_to)
        WHERE v.unit_id = x.id AND v.version = x.version`,
      [ends.map((e) => e.id), ends.map((e) => e.version), ends.map((e) => e.validTo)],
    );
  }

  async insertVersions(manager: EntityManager, versions: (UnitState & { searchName: string; operationId: string })[]) {
    if (!versions.length) return;
    const col = <K extends keyof (typeof versions)[number]>(key: K) => versions.map((v) => v[key]);
    await manager.query(
      `INSERT INTO unit_versions
         (unit_id, version, valid_from, valid_to, name, search_name, subtype, parent_id, tags, status, change, operation_id)
       SELECT x.unit_id, x.version, x.valid_from, x.valid_to, x.name, x.search_name, x.subtype, x.parent_id,
              COALESCE((SELECT array_agg(t) FROM json_array_elements_text(x.tags) t), '{}'), x.status, x.change, x.operation_id
         FROM unnest($1::uuid[], $2::int[], $3::date[], $4::date[], $5::text[], $6::text[], $7::text[], $8::uuid[],
                     $9::json[], $10::text[], $11::text[], $12::uuid[])
           AS x(unit_id, version, valid_from, valid_to, name, search_name, subtype, parent_id, tags, status, change, operation_id)`,
      [
        col('id'),
        col('version'),
        col('validFrom'),
        col('validTo'),
        col('name'),
        col('searchName'),
        col('subtype'),
        col('parentId'),
        versions.map((v) => JSON.stringify(v.tags)),
        col('status'),
        col('change'),
        col('operationId'),
      ],
    );
  }

  async insertLineage(
    manager: EntityManager,
    edges: { predecessorId: string; successorId: string; kind: 'merge' | 'split'; date: string; operationId: string }[],
  ) {
    if (!edges.length) return;
    await manager.query(
      `INSERT INTO unit_lineage (predecessor_id, successor_id, kind, effective_date, operation_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::uuid[])
       ON CONFLICT DO NOTHING`,
      [
        edges.map((e) => e.predecessorId),
        edges.map((e) => e.successorId),
        edges.map((e) => e.kind),
        edges.map((e) => e.date),
        edges.map((e) => e.operationId),
      ],
    );
  }

  async insertOperation(
    manager: EntityManager,
    operation: { id: string; kind: string; date: string; agency: string; principal: string; correlationId: string; details: object },
  ) {
    await manager.query(
      `INSERT INTO structural_operations (id, kind, effective_date, agency, principal, correlation_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [operation.id, operation.kind, operation.date, operation.agency, operation.principal, operation.correlationId, operation.details],
    );
  }

  // ---- reads ----

  /** SQL selecting the ids of the strict descendants of `root` on `date` (placeholders). */
  private subtreeSql(root: string, date: string): string {
    return `WITH RECURSIVE sub(id) AS (
              SELECT v.unit_id FROM unit_versions v
               WHERE v.parent_id = ${root}::uuid AND v.valid_from <= ${date}::date AND (v.valid_to IS NULL OR v.valid_to > ${date}::date)
              UNION
              SELECT v.unit_id FROM unit_versions v JOIN sub ON v.parent_id = sub.id
               WHERE v.valid_from <= ${date}::date AND (v.valid_to IS NULL OR v.valid_to > ${date}::date)
            ) SELECT id FROM sub`;
  }

  async find(filter: UnitFilter): Promise<{ total: number; items: UnitState[] }> {
    const params: unknown[] = [filter.asOf];
    const where = [AS_OF];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.parentId) add((p) => `v.parent_id = ${p}::uuid`, filter.parentId);
    if (filter.within) add((p) => `u.id IN (${this.subtreeSql(p, '$1')})`, filter.within);
    if (filter.kinds?.length) add((p) => `u.kind = ANY(${p}::text[])`, filter.kinds);
    if (filter.tags?.length) add((p) => `v.tags @> ${p}::text[]`, filter.tags);
    if (filter.search) add((p) => `v.search_name LIKE ${p}`, `%${filter.search.replace(/[%_\\]/g, '\\$&')}%`);
    if (filter.status) add((p) => `v.status = ${p}`, filter.status);
    const { total, rows } = await countedPage<VersionRow>(
      this.dataSource,
      `SELECT ${VERSION_COLUMNS} FROM units u JOIN unit_versions v ON v.unit_id = u.id WHERE ${where.join(' AND ')}`,
      'code',
      params,
      filter,
    );
    return { total, items: rows.map(toState) };
  }

  async findOneAt(id: string, date: string): Promise<UnitState | undefined> {
    const [state] = await this.statesAt(this.dataSource.manager, [id], date);
    return state;
  }

  async exists(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query('SELECT 1 FROM units WHERE id = $1', [id])) as unknown[];
    return rows.length > 0;
  }

  /** The versions of a unit effective on or before a date, oldest first, with who recorded each. */
  async history(id: string, date: string): Promise<(UnitState & { operationId: string; agency: string; principal: string; recordedAt: Date })[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${VERSION_COLUMNS}, v.operation_id, o.agency, o.principal, o.recorded_at
         FROM units u JOIN unit_versions v ON v.unit_id = u.id JOIN structural_operations o ON o.id = v.operation_id
        WHERE u.id = $1 AND v.valid_from <= $2::date ORDER BY v.version`,
      [id, date],
    )) as (VersionRow & { operation_id: string; agency: string; principal: string; recorded_at: Date })[];
    return rows.map((r) => ({ ...toState(r), operationId: r.operation_id, agency: r.agency, principal: r.principal, recordedAt: r.recorded_at }));
  }

  /** The ancestors of a unit on a date, nearest first. */
  async ancestors(id: string, date: string): Promise<UnitState[]> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT v.parent_id, 1 FROM unit_versions v WHERE v.unit_id = $2 AND ${AS_OF} AND v.parent_id IS NOT NULL
         UNION ALL
         SELECT v.parent_id, up.depth + 1 FROM unit_versions v JOIN up ON v.unit_id = up.id
          WHERE ${AS_OF} AND v.parent_id IS NOT NULL AND up.depth < 32
       )
       SELECT ${VERSION_COLUMNS} FROM up JOIN units u ON u.id = up.id JOIN unit_versions v ON v.unit_id = u.id
        WHERE ${AS_OF} ORDER BY up.depth`,
      [date, id],
    )) as VersionRow[];
    return rows.map(toState);
  }

  /**
   * One page of the active subtree under a unit on a date, down to `depth` levels, with each
   * unit's depth, ordered by depth then code (codes are unique, so pages never overlap), and
   * the size of the whole subtree.
   */
  async subtree(
    id: string,
    date: string,
    depth: number,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; items: (UnitState & { depth: number })[] }> {
    const { total, rows } = await countedPage<VersionRow & { depth: number }>(
      this.dataSource,
      `WITH RECURSIVE down(id, depth) AS (
         SELECT v.unit_id, 1 FROM unit_versions v WHERE v.parent_id = $2 AND ${AS_OF} AND v.status = 'active'
         UNION ALL
         SELECT v.unit_id, down.depth + 1 FROM unit_versions v JOIN down ON v.parent_id = down.id
          WHERE ${AS_OF} AND v.status = 'active' AND down.depth < $3
       )
       SELECT ${VERSION_COLUMNS}, down.depth FROM down JOIN units u ON u.id = down.id JOIN unit_versions v ON v.unit_id = u.id
        WHERE ${AS_OF} AND v.status = 'active'`,
      'depth, code',
      [date, id, depth],
      page,
    );
    return { total, items: rows.map((r) => ({ ...toState(r), depth: r.depth })) };
  }

  /**
   * Lineage both ways, as known on a date: what a unit was formed from and what it became
   * (transitively), through merges and splits effective on or before `date`.
   */
  async lineage(
    id: string,
    date: string,
  ): Promise<{ predecessorId: string; successorId: string; kind: string; effectiveDate: string; direction: 'from' | 'into' }[]> {
    return (await this.dataSource.query(
      `WITH RECURSIVE back(predecessor_id, successor_id, kind, effective_date) AS (
         SELECT predecessor_id, successor_id, kind, effective_date FROM unit_lineage WHERE successor_id = $1 AND effective_date <= $2::date
         UNION
         SELECT l.predecessor_id, l.successor_id, l.kind, l.effective_date FROM unit_lineage l JOIN back b ON l.successor_id = b.predecessor_id
          WHERE l.effective_date <= $2::date
       ), fwd(predecessor_id, successor_id, kind, effective_date) AS (
         SELECT predecessor_id, successor_id, kind, effective_date FROM unit_lineage WHERE predecessor_id = $1 AND effective_date <= $2::date
         UNION
         SELECT l.predecessor_id, l.successor_id, l.kind, l.effective_date FROM unit_lineage l JOIN fwd f ON l.predecessor_id = f.successor_id
          WHERE l.effective_date <= $2::date
       )
       SELECT predecessor_id AS "predecessorId", successor_id AS "successorId", kind,
              to_char(effective_date, 'YYYY-MM-DD') AS "effectiveDate", 'from' AS direction FROM back
       UNION ALL
       SELECT predecessor_id, successor_id, kind, to_char(effective_date, 'YYYY-MM-DD'), 'into' FROM fwd`,
      [id, date],
    )) as { predecessorId: string; successorId: string; kind: string; effectiveDate: string; direction: 'from' | 'into' }[];
  }

  /** The placement rules in force on a date. */
  async placementRulesAt(date: string): Promise<PlacementRule[]> {
    return (await this.placementRules(this.dataSource.manager)).filter((rule) => holdsOn(rule, date));
  }
}
