import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AssessmentState } from '@antq/contracts';
import { requireKnownUnit } from '@antq/unit-replica';
import type { Principal } from '../authority/authority.service';
import type { AssessmentRecord } from './assessments.service';

export interface AssessmentFilter {
  within?: string;
  programme?: string;
  cycle?: number;
  states?: AssessmentState[];
  offset: number;
  limit: number;
}

/** An assessment as a list shows it: without its results and evidence, with its unit's code and name. */
export type AssessmentSummary = Omit<AssessmentRecord, 'results' | 'met' | 'evidence'> & {
  unitCode: string | null;
  unitName: string | null;
  createdAt: Date;
  updatedAt: Date;
};

/**
 * Lists of assessments for the people who act on them: the submitted ones of a province
 * waiting for the police, a district's drafts of a cycle. Most recently moved first.
 */
@Injectable()
export class AssessmentQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The assessments matching `filter` that `reader` may read (see AuthorityService.mayRead). */
  async list(reader: Principal, filter: AssessmentFilter): Promise<{ total: number; items: AssessmentSummary[] }> {
    if (filter.within) await requireKnownUnit(this.dataSource, filter.within);
    const roots = reader.roles.includes('admin') ? null : (reader.jurisdiction ?? []);
    const params: unknown[] = [filter.within ?? null, filter.programme ?? null, filter.cycle ?? null, filter.states ?? null, roots];
    // Units at or under `within`, and at or under the reader's jurisdiction, as the replica's
    // tree stands (closed units included: their assessments stay theirs).
    const under = (name: string, roots: string) => `${name}(unit_id, depth) AS (
        SELECT unnest(${roots}), 0
        UNION ALL
        SELECT r.unit_id, u.depth + 1 FROM replica_units r JOIN ${name} u ON r.parent_id = u.unit_id WHERE u.depth < 32
      )`;
    const matching = `
      WITH RECURSIVE ${under('scope', 'ARRAY[$1::uuid]')}, ${under('visible', '$5::uuid[]')}
      SELECT a.* FROM assessments a
       WHERE ($1::uuid IS NULL OR a.unit_id IN (SELECT unit_id FROM scope))
         AND ($5::uuid[] IS NULL OR a.unit_id IN (SELECT unit_id FROM visible))
         AND ($2::text IS NULL OR a.programme = $2) AND ($3::int IS NULL OR a.cycle = $3)
         AND ($4::text[] IS NULL OR a.state = ANY($4::text[]))`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM (${matching}) m`, params)) as { total: number }[];
    const items = (await this.dataSource.query(
      `SELECT m.id, m.unit_id AS "unitId", u.code AS "unitCode", u.name AS "unitName", m.unit_kind AS "unitKind", m.programme,
              m.programme_version AS "programmeVersion", m.cycle, to_char(m.period_start, 'YYYY-MM-DD') AS "periodStart",
              to_char(m.period_end, 'YYYY-MM-DD') AS "periodEnd", m.state, m.score::float8 AS score, m.grade, m.agency,
              m.created_at AS "createdAt", m.updated_at AS "updatedAt"
         FROM (${matching}) m LEFT JOIN replica_units u ON u.unit_id = m.unit_id
        ORDER BY m.updated_at DESC, m.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
      params,
    )) as AssessmentSummary[];
    return { total, items };
  }
}
