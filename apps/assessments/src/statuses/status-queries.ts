import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isProgrammeCode, PROGRAMME_CODES, type UnitKind, type UnitProgrammeStatus } from '@antq/contracts';
import { NotFoundError } from '@antq/platform';
import { REPLICA_SUBTREE_AS_OF_SQL, requireKnownUnit } from '@antq/unit-replica';

export interface StatusQuery {
  programme: string;
  asOf: string;
  within?: string;
  kinds?: UnitKind[];
  statuses?: UnitProgrammeStatus[];
  offset: number;
  limit: number;
}

export interface UnitStatusView {
  unitId: string;
  code: string;
  name: string;
  kind: UnitKind;
  parentId: string | null;
  programme: string;
  status: UnitProgrammeStatus;
  grade: string | null;
  score: number | null;
  since: string | null;
  validUntil: string | null;
  source: string | null;
}

/**
 * A unit's status on a date: the history row holding then; a recognition past the end of
 * its validity reads as lapsed even before the lapse job has run; no row means unassessed.
 * Units are taken from the replica's tree as it stood on that date.
 */
const STATUS_AS_OF = `
  SELECT t.unit_id, t.code, t.name, t.kind, t.parent_id,
         CASE WHEN h.status IS NULL THEN 'unassessed'
              WHEN h.status = 'recognised' AND h.valid_until < $2::date THEN 'lapsed'
              ELSE h.status END AS status,
         h.grade, h.score::float8 AS score, to_char(h.valid_from, 'YYYY-MM-DD') AS since,
         to_char(h.valid_until, 'YYYY-MM-DD') AS valid_until, h.source
    FROM tree t
    LEFT JOIN unit_status_history h ON h.unit_id = t.unit_id AND h.programme = $1
         AND h.valid_from <= $2::date AND (h.valid_to IS NULL OR h.valid_to > $2::date)`;

@Injectable()
export class StatusQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(query: StatusQuery): Promise<{ total: number; items: UnitStatusView[] }> {
    if (query.within) await requireKnownUnit(this.dataSource, query.within);
    // The subtree's root last, and only when asked: the whole tree is read without walking it.
    const params: unknown[] = [query.programme, query.asOf, query.kinds ?? null, query.statuses ?? null, ...(query.within ? [query.within] : [])];
    const tree = `
      WITH RECURSIVE ${REPLICA_SUBTREE_AS_OF_SQL(query.within ? '$5::uuid' : null, '$2::date')}, tree AS (
        SELECT unit_id, code, name, kind, parent_id FROM subtree WHERE $3::text[] IS NULL OR kind = ANY($3::text[])
      ), rows AS (${STATUS_AS_OF})
      SELECT * FROM rows WHERE $4::text[] IS NULL OR status = ANY($4::text[])`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM (${tree}) x`, params)) as { total: number }[];
    const rows = (await this.dataSource.query(`${tree} ORDER BY code LIMIT ${query.limit} OFFSET ${query.offset}`, params)) as Record<string, unknown>[];
    return { total, items: rows.map((r) => this.view(r, query.programme)) };
  }

  async history(unitId: string, programme: string): Promise<Record<string, unknown>[]> {
    if (!isProgrammeCode(programme)) throw new NotFoundError(`Unknown programme "${programme}": the programmes are ${PROGRAMME_CODES.join(', ')}`);
    await requireKnownUnit(this.dataSource, unitId);
    return (await this.dataSource.query(
      `SELECT sequence, status, grade, score::float8 AS score, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom",
              to_char(valid_to, 'YYYY-MM-DD') AS "validTo", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil",
              source, assessment_id AS "assessmentId", recorded_at AS "recordedAt"
         FROM unit_status_history WHERE unit_id = $1 AND programme = $2 ORDER BY sequence`,
      [unitId, programme],
    )) as Record<string, unknown>[];
  }

  async current(unitId: string): Promise<Record<string, unknown>[]> {
    await requireKnownUnit(this.dataSource, unitId);
    return (await this.dataSource.query(
      `SELECT programme, status, grade, score::float8 AS score, to_char(since, 'YYYY-MM-DD') AS since,
              to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", source, assessment_id AS "assessmentId"
         FROM unit_statuses WHERE unit_id = $1 ORDER BY programme`,
      [unitId],
    )) as Record<string, unknown>[];
  }

  private view(r: Record<string, unknown>, programme: string): UnitStatusView {
    return {
      unitId: r['unit_id'] as string,
      code: r['code'] as string,
      name: r['name'] as string,
      kind: r['kind'] as UnitKind,
      parentId: (r['parent_id'] as string | null) ?? null,
      programme,
      status: r['status'] as UnitProgrammeStatus,
      grade: (r['grade'] as string | null) ?? null,
      score: (r['score'] as number | null) ?? null,
      since: (r['since'] as string | null) ?? null,
      validUntil: (r['valid_until'] as string | null) ?? null,
      source: (r['source'] as string | null) ?? null,
    };
  }
}
