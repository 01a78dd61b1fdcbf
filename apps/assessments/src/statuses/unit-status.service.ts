import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StatusSnapshot, StatusSource, UnitKind, UnitProgrammeStatus } from '@antq/contracts';
import { EventFactory, OutboxService } from '@antq/messaging';
import { ProgrammesService } from '../programmes/programmes.service';

export interface StatusChange {
  unitId: string;
  unitKind: UnitKind;
  programme: string;
  status: UnitProgrammeStatus;
  grade?: string | null;
  score?: number | null;
  since: string;
  validUntil?: string | null;
  source: StatusSource;
  assessmentId?: string | null;
}

interface StatusRow {
  status: UnitProgrammeStatus;
  grade: string | null;
  score: string | null;
  since: string | null;
  valid_until: string | null;
  sequence: number;
}

const UNASSESSED: StatusSnapshot = { status: 'unassessed', grade: null, score: null, since: null, validUntil: null };

/**
 * The status read model: every change of a unit's status under a programme updates the
 * current row, closes the previous history row, appends an event with before and after,
 * and re-derives the parent where the programme derives statuses from children.
 */
@Injectable()
export class UnitStatusService {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
  ) {}

  async current(manager: EntityManager, unitId: string, programme: string, lock = false): Promise<(StatusSnapshot & { sequence: number }) | undefined> {
    const [row] = (await manager.query(
      `SELECT status, grade, score, to_char(since, 'YYYY-MM-DD') AS since, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, sequence
         FROM unit_statuses WHERE unit_id = $1 AND programme = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [unitId, programme],
    )) as StatusRow[];
    return row && { status: row.status, grade: row.grade, score: row.score === null ? null : Number(row.score), since: row.since, validUntil: row.valid_until, sequence: row.sequence };
  }

  /** Sets a status; no-op when nothing changes. Returns whether it changed. */
  async set(manager: EntityManager, change: StatusChange): Promise<boolean> {
    await lockStatus(manager, change.unitId, change.programme);
    const before = await this.current(manager, change.unitId, change.programme, true);
    const after: StatusSnapshot = {
      status: change.status,
      grade: change.grade ?? null,
      score: change.score ?? null,
      since: change.since,
      validUntil: change.validUntil ?? null,
    };
    if (before && before.status === after.status && before.grade === after.grade && before.score === after.score && before.validUntil === after.validUntil) {
      return false;
    }
    const sequence = (before?.sequence ?? 0) + 1;
    await manager.query(
      `INSERT INTO unit_statuses (unit_id, programme, unit_kind, status, grade, score, since, valid_until, source, assessment_id, sequence, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (unit_id, programme) DO UPDATE SET status = EXCLUDED.status, grade = EXCLUDED.grade, score = EXCLUDED.score,
         since = EXCLUDED.since, valid_until = EXCLUDED.valid_until, source = EXCLUDED.source, assessment_id = EXCLUDED.assessment_id,
         sequence = EXCLUDED.sequence, updated_at = now()`,
      [change.unitId, change.programme, change.unitKind, after.status, after.grade, after.score, after.since, after.validUntil, change.source, change.assessmentId ?? null, sequence],
    );
    await manager.query(
      `UPDATE unit_status_history SET valid_to = GREATEST(valid_from, $4::date)
        WHERE unit_id = $1 AND programme = $2 AND sequence = $3`,
      [change.unitId, change.programme, sequence - 1, change.since],
    );
    // A recognition holds until its cycle ends: the history says so, so "as of" reads need no lapse job.
    await manager.query(
      `INSERT INTO unit_status_history (unit_id, programme, sequence, status, grade, score, valid_from, valid_until, source, assessment_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [change.unitId, change.programme, sequence, after.status, after.grade, after.score, after.since, after.validUntil, change.source, change.assessmentId ?? null],
    );
    await this.outbox.append(manager, [
      this.events.create({
        type: 'antq.assessments.unit-status-changed.v1',
        subject: change.unitId,
        data: {
          unitId: change.unitId,
          unitKind: change.unitKind,
          programme: change.programme,
          before: before ? { status: before.status, grade: before.grade, score: before.score, since: before.since, validUntil: before.validUntil } : UNASSESSED,
          after,
          effectiveFrom: change.since,
          source: change.source,
          assessmentId: change.assessmentId ?? null,
          sequence,
        },
      }),
    ]);
    await this.deriveParent(manager, change.unitId, change.programme, change.since);
    return true;
  }

  /**
   * Re-derives the status of a unit's parent (and so on up) where the programme derives
   * it from children: recognised when the required share of its active children of the
   * child kinds is recognised. A derived status is never entered by hand.
   */
  async deriveParent(manager: EntityManager, unitId: string, programme: string, date: string): Promise<void> {
    const [unit] = (await manager.query('SELECT parent_id FROM replica_units WHERE unit_id = $1', [unitId])) as { parent_id: string | null }[];
    if (unit?.parent_id) await this.derive(manager, unit.parent_id, programme, date);
  }

  async derive(manager: EntityManager, unitId: string, programme: string, date: string): Promise<void> {
    const { definition } = await this.programmes.inForce(programme, date, manager);
    const derivation = definition.derivation;
    const [unit] = (await manager.query(`SELECT kind, status FROM replica_units WHERE unit_id = $1`, [unitId])) as { kind: UnitKind; status: string }[];
    if (!derivation || !unit || unit.status !== 'active' || !derivation.kinds.includes(unit.kind)) return;
    // Locked before counting: two siblings recognised at once must not each miss the other's status.
    await lockStatus(manager, unitId, programme);
    const [counts] = (await manager.query(
      `SELECT count(*)::int AS children, count(*) FILTER (WHERE s.status = 'recognised')::int AS recognised
         FROM replica_units c LEFT JOIN unit_statuses s ON s.unit_id = c.unit_id AND s.programme = $2
        WHERE c.parent_id = $1 AND c.status = 'active' AND c.kind = ANY($3::text[])`,
      [unitId, programme, derivation.childKinds],
    )) as { children: number; recognised: number }[];
    const recognised = counts.children > 0 && counts.recognised >= Math.ceil(counts.children * derivation.share);
    const current = await this.current(manager, unitId, programme);
    // Nothing recognised below and nothing recorded yet: the unit simply stays unassessed.
    if (!recognised && !current) return;
    await this.set(manager, {
      unitId,
      unitKind: unit.kind,
      programme,
      status: recognised ? 'recognised' : 'not-recognised',
      score: counts.children ? Math.round((10_000 * counts.recognised) / counts.children) / 100 : 0,
      since: date,
      source: 'derived',
    });
  }
}

/**
 * One writer per unit and programme at a time, until the transaction ends: changes to a
 * status, and derivations from its children, queue here.
 */
function lockStatus(manager: EntityManager, unitId: string, programme: string): Promise<unknown> {
  return manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${unitId}:${programme}`]);
}
