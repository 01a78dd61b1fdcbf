import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, StatusSnapshot, StatusSource, UnitKind, UnitProgrammeStatus } from '@antq/contracts';
import { EventFactory, OutboxService, type AntqClsStore, type CoWrite } from '@antq/messaging';
import { ClsService } from 'nestjs-cls';
import { RuleViolationError } from '@antq/platform';
import type { DerivationDefinition } from '../programmes/programme-definition';
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
  source?: StatusSource | null;
  assessment_id?: string | null;
  assessment_cycle?: number | null;
}

/**
 * A unit's current status under a programme, with the sequence of its last change, what set
 * it, and the assessment it comes from with that assessment's cycle (none for derived, tree
 * or key-area list changes).
 */
export type CurrentStatus = StatusSnapshot & { sequence: number; source: StatusSource | null; assessmentId: string | null; assessmentCycle: number | null };

const currentStatus = (row: StatusRow): CurrentStatus => ({
  status: row.status,
  grade: row.grade,
  score: row.score === null ? null : Number(row.score),
  since: row.since,
  validUntil: row.valid_until,
  sequence: row.sequence,
  source: row.source ?? null,
  assessmentId: row.assessment_id ?? null,
  assessmentCycle: row.assessment_cycle ?? null,
});

/**
 * A decision takes effect on its date: not before the status it replaces began, or the
 * unit's history would hold two statuses at once.
 */
export function checkDecisionDate(decisionDate: string, unitId: string, programme: string, current: CurrentStatus | undefined): void {
  if (current?.since && decisionDate < current.since) {
    throw new RuleViolationError(`The decision date ${decisionDate} is before unit ${unitId}'s current ${programme} status began (${current.status} since ${current.since})`);
  }
}

/** A decision is recorded once it has been taken: never dated after the business date. */
export function checkDecisionTaken(decisionDate: string, today: string): void {
  if (decisionDate > today) throw new RuleViolationError(`The decision date ${decisionDate} is after today (${today}): a decision is recorded once it has been taken`);
}

/** NOTIFY channel: derivations were queued (by a trigger on pending_derivations). */
export const DERIVATION_CHANNEL = 'antq_derivations';

const UNASSESSED: StatusSnapshot = { status: 'unassessed', grade: null, score: null, since: null, validUntil: null };

/**
 * The status read model: every change of a unit's status under a programme updates the
 * current row, closes the previous history row, appends an event with before and after,
 * and queues the parent's re-derivation where the programme derives statuses from
 * children (the DerivationWorker performs it just after the change commits).
 */
@Injectable()
export class UnitStatusService {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {}

  /** The current status; a caller holding the status's lock may pass it to `set` as `current`. */
  async current(manager: EntityManager, unitId: string, programme: string, lock = false): Promise<CurrentStatus | undefined> {
    const [row] = (await manager.query(
      `SELECT s.status, s.grade, s.score, to_char(s.since, 'YYYY-MM-DD') AS since, to_char(s.valid_until, 'YYYY-MM-DD') AS valid_until, s.sequence,
              s.source, s.assessment_id, a.cycle AS assessment_cycle
         FROM unit_statuses s LEFT JOIN assessments a ON a.id = s.assessment_id
        WHERE s.unit_id = $1 AND s.programme = $2 ${lock ? 'FOR UPDATE OF s' : ''}`,
      [unitId, programme],
    )) as StatusRow[];
    return row && currentStatus(row);
  }

  /**
   * Takes the status's lock, then reads it: the status as no other writer can change it until
   * the transaction ends, to pass to `set` with `locked`.
   */
  async lockCurrent(manager: EntityManager, unitId: string, programme: string): Promise<CurrentStatus | null> {
    await lockStatus(manager, unitId, programme);
    return (await this.current(manager, unitId, programme)) ?? null;
  }

  /**
   * Sets a status; no-op when nothing changes. Returns whether it changed. `alongside`: the
   * caller's own writes and events, made in the same statement as the status change (one
   * round trip for the current row, the history, the parent's derivation and the events),
   * and whether the caller already holds the status's lock.
   */
  async set(
    manager: EntityManager,
    change: StatusChange,
    alongside: { writes?: CoWrite[]; events?: CloudEvent[]; locked?: boolean; current?: CurrentStatus | null } = {},
  ): Promise<boolean> {
    // `locked`: the caller took this status's lock earlier in the transaction (STATUS_LOCK_SQL,
    // derive); `current`: and read the status under it (null: none yet).
    if (!alongside.locked) await lockStatus(manager, change.unitId, change.programme);
    const before = alongside.locked && alongside.current !== undefined ? (alongside.current ?? undefined) : await this.current(manager, change.unitId, change.programme, true);
    // A tree change (a closure recorded late, dated before the status it ends began) takes
    // effect from that status's start: the history never holds two statuses on one day.
    const since = change.source === 'tree' && before?.since && before.since > change.since ? before.since : change.since;
    const after: StatusSnapshot = {
      status: change.status,
      grade: change.grade ?? null,
      score: change.score ?? null,
      since,
      validUntil: change.validUntil ?? null,
    };
    const writes = alongside.writes ?? [];
    const events = alongside.events ?? [];
    // A new recognition by another decision is a change even when it grants the same status.
    const sameSource = (before?.assessmentId ?? null) === (change.assessmentId ?? null);
    if (before && sameSource && before.status === after.status && before.grade === after.grade && before.score === after.score && before.validUntil === after.validUntil) {
      await this.outbox.append(manager, events, writes);
      return false;
    }
    const sequence = (before?.sequence ?? 0) + 1;
    const row = [change.unitId, change.programme, after.status, after.grade, after.score, after.since, after.validUntil, change.source, change.assessmentId ?? null, sequence];
    await this.outbox.append(
      manager,
      [
        ...events,
        this.events.create({
          type: 'antq.assessments.unit-status-changed.v1',
          subject: change.unitId,
          data: {
            unitId: change.unitId,
            unitKind: change.unitKind,
            programme: change.programme,
            before: before ? { status: before.status, grade: before.grade, score: before.score, since: before.since, validUntil: before.validUntil } : UNASSESSED,
            after,
            effectiveFrom: since,
            source: change.source,
            assessmentId: change.assessmentId ?? null,
            sequence,
          },
        }),
      ],
      [
        ...writes,
        {
          sql: `INSERT INTO unit_statuses (unit_id, programme, status, grade, score, since, valid_until, source, assessment_id, sequence, unit_kind, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
                ON CONFLICT (unit_id, programme) DO UPDATE SET status = EXCLUDED.status, grade = EXCLUDED.grade, score = EXCLUDED.score,
                  since = EXCLUDED.since, valid_until = EXCLUDED.valid_until, source = EXCLUDED.source, assessment_id = EXCLUDED.assessment_id,
                  sequence = EXCLUDED.sequence, updated_at = now()`,
          params: [...row, change.unitKind],
        },
        {
          sql: `UPDATE unit_status_history SET valid_to = GREATEST(valid_from, $3::date) WHERE unit_id = $1 AND programme = $2 AND sequence = $4`,
          params: [change.unitId, change.programme, since, sequence - 1],
        },
        // A recognition holds until its validity ends: the history says so, so "as of" reads need no lapse job.
        {
          sql: `INSERT INTO unit_status_history (unit_id, programme, status, grade, score, valid_from, valid_until, source, assessment_id, sequence)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          params: row,
        },
        this.derivationsWrite([{ unitId: change.unitId, on: since }], change.programme, 'parents'),
      ],
    );
    return true;
  }

  /**
   * Queues re-derivations under programmes that derive statuses from children (all such
   * programmes when none is named): of the units themselves, or of their parents. Written in
   * the caller's transaction, so a change and the derivations it calls for commit together;
   * a trigger wakes the derivation worker at commit.
   */
  async queueDerivations(manager: EntityManager, units: { unitId: string; on: string }[], programme: string | null, which: 'units' | 'parents'): Promise<void> {
    if (!units.length) return;
    const { sql, params } = this.derivationsWrite(units, programme, which);
    await manager.query(sql, params);
  }

  private derivationsWrite(units: { unitId: string; on: string }[], programme: string | null, which: 'units' | 'parents'): CoWrite {
    // Units are queued under the programmes that derive statuses of their kind; parents under all that derive.
    return {
      sql: `INSERT INTO pending_derivations (unit_id, programme, effective_on, correlation_id)
            SELECT ${which === 'parents' ? 'r.parent_id' : 'q.unit_id'}, v.programme, q.effective_on, $3
              FROM unnest($1::uuid[], $2::date[]) AS q(unit_id, effective_on)
              JOIN replica_units r ON r.unit_id = q.unit_id ${which === 'parents' ? 'AND r.parent_id IS NOT NULL' : ''}
             CROSS JOIN (SELECT DISTINCT programme FROM programme_versions
                          WHERE definition ? 'derivation' AND ($4::text IS NULL OR programme = $4)) AS v
             ${which === 'parents' ? '' : `WHERE EXISTS (SELECT 1 FROM programme_versions d WHERE d.programme = v.programme AND d.definition->'derivation'->'kinds' ? r.kind)`}`,
      params: [units.map((u) => u.unitId), units.map((u) => u.on), this.cls.get('correlationId') ?? null, programme],
    };
  }

  /**
   * Re-derives units' statuses where the programme derives them from children: recognised
   * when the required share of a unit's active children of the child kinds is recognised.
   * A derived status is never entered by hand; its change queues the next level up. The
   * units are locked first, in the order given (callers sort them), then counted together.
   * Runs in a context of its own (the derivation worker's): it sets the correlation id.
   */
  async derive(manager: EntityManager, requests: DerivationRequest[]): Promise<void> {
    if (!requests.length) return;
    // The units' replica rows first, shared, as every writer takes them (before the status): a
    // closure being applied beside the derivation commits before it counts, or waits for it
    // and then ends the status it set, so a closed unit never keeps a derived status.
    await manager.query('SELECT 1 FROM replica_units WHERE unit_id = ANY($1::uuid[]) ORDER BY unit_id FOR SHARE', [[...new Set(requests.map((r) => r.unitId))]]);
    // Locked before counting: a child changed meanwhile queues another derivation, which waits here.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext(key)) FROM unnest($1::text[]) WITH ORDINALITY AS k(key, position) ORDER BY position`, [
      requests.map((r) => statusLockKey(r.unitId, r.programme)),
    ]);
    const byRule = new Map<string, { derivation: DerivationDefinition; requests: DerivationRequest[] }>();
    // A pass may hold hundreds of parents, mostly under one programme on one date.
    const inForce = new Map<string, ReturnType<ProgrammesService['inForce']>>();
    for (const request of requests) {
      const on = `${request.programme}@${request.date}`;
      if (!inForce.has(on)) inForce.set(on, this.programmes.inForce(request.programme, request.date, manager));
      const { version, definition } = await (inForce.get(on) as ReturnType<ProgrammesService['inForce']>);
      if (!definition.derivation) continue;
      const key = `${request.programme}@${version}`;
      const group = byRule.get(key) ?? { derivation: definition.derivation, requests: [] };
      group.requests.push(request);
      byRule.set(key, group);
    }
    for (const { derivation, requests: group } of byRule.values()) {
      const programme = group[0].programme;
      // Each unit's own status too, read under its lock: `set` need not read it again.
      const rows = (await manager.query(DERIVATION_COUNT_SQL, [group.map((r) => r.unitId), programme, derivation.kinds, derivation.childKinds])) as ({
        unit_id: string;
        kind: UnitKind;
        children: number;
        recognised: number;
        recognised_since: string | null;
      } & (StatusRow | { [K in keyof StatusRow]: null }))[];
      const counted = new Map(rows.map((row) => [row.unit_id, row]));
      for (const request of group) {
        const unit = counted.get(request.unitId);
        if (!unit) continue;
        const recognised = unit.children > 0 && unit.recognised >= requiredRecognised(unit.children, derivation.share);
        const current = unit.status === null ? null : currentStatus(unit);
        // Nothing recognised below and nothing recorded yet: the unit simply stays unassessed.
        if (!recognised && current === null) continue;
        if (request.correlationId) this.cls.set('correlationId', request.correlationId);
        await this.set(
          manager,
          {
            unitId: unit.unit_id,
            unitKind: unit.kind,
            programme,
            status: recognised ? 'recognised' : 'not-recognised',
            score: unit.children ? Math.round((10_000 * unit.recognised) / unit.children) / 100 : 0,
            since: derivedSince(request.date, recognised ? unit.recognised_since : null, current?.since ?? null),
            source: 'derived',
          },
          { locked: true, current },
        );
      }
    }
  }
}

/**
 * How many of `children` must be recognised for a share: 55% of 100 is 55, though
 * 0.55 * 100 is 55.00000000000001 in floating point (shares are given to far fewer places).
 */
export function requiredRecognised(children: number, share: number): number {
  return Math.ceil(children * share - 1e-9);
}

/**
 * When a derived status begins: on the date of the child change it follows, but not before
 * its last child was recognised (a recognition recorded late may be dated before another's),
 * nor before the status it replaces began, so that the history never holds two at once.
 */
export function derivedSince(changedOn: string, lastRecognisedSince: string | null, currentSince: string | null): string {
  return [changedOn, lastRecognisedSince ?? '', currentSince ?? ''].reduce((latest, date) => (date > latest ? date : latest));
}

export interface DerivationRequest {
  unitId: string;
  programme: string;
  /** The date of the latest child change it follows: the derived status holds from then. */
  date: string;
  /** That change's correlation id, carried by the derived change's event. */
  correlationId?: string | null;
}

/**
 * Each parent's own status and its active children of the child kinds, counted with those
 * recognised. Statuses are probed by primary key, by construction: the statement is prepared,
 * and a generic plan made while the table was small (or its statistics stale) would otherwise
 * scan every status of the programme once per child as the table grows.
 * $1 the parents, $2 the programme, $3 the parent kinds, $4 the child kinds.
 */
export const DERIVATION_COUNT_SQL = `
  SELECT u.unit_id, u.kind, cur.status, cur.grade, cur.score, to_char(cur.since, 'YYYY-MM-DD') AS since,
         to_char(cur.valid_until, 'YYYY-MM-DD') AS valid_until, cur.sequence, k.children, k.recognised, k.recognised_since
    FROM unnest($1::uuid[]) AS q(unit_id)
    JOIN replica_units u ON u.unit_id = q.unit_id AND u.status = 'active' AND u.kind = ANY($3::text[])
    LEFT JOIN LATERAL (SELECT s.status, s.grade, s.score, s.since, s.valid_until, s.sequence
                         FROM unit_statuses s WHERE s.unit_id = u.unit_id AND s.programme = $2 LIMIT 1) AS cur ON true
   CROSS JOIN LATERAL (
     SELECT count(*)::int AS children,
            count(*) FILTER (WHERE cs.status = 'recognised')::int AS recognised,
            to_char(max(cs.since) FILTER (WHERE cs.status = 'recognised'), 'YYYY-MM-DD') AS recognised_since
       FROM replica_units c
       LEFT JOIN LATERAL (SELECT s.status, s.since FROM unit_statuses s WHERE s.unit_id = c.unit_id AND s.programme = $2 LIMIT 1) AS cs ON true
      WHERE c.parent_id = u.unit_id AND c.status = 'active' AND c.kind = ANY($4::text[])) AS k`;

const statusLockKey = (unitId: string, programme: string) => `${unitId}:${programme}`;

/**
 * The status lock as an SQL expression over a row's unit id and programme columns, for a
 * caller that reads the row anyway: one round trip fewer. Pass `locked` to `set` after.
 */
export const STATUS_LOCK_SQL = (unitColumn: string, programmeColumn: string) => `pg_advisory_xact_lock(hashtext(${unitColumn} || ':' || ${programmeColumn}))`;

/**
 * One writer per unit and programme at a time, until the transaction ends: changes to a
 * status, and derivations from its children, queue here.
 */
function lockStatus(manager: EntityManager, unitId: string, programme: string): Promise<unknown> {
  return manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [statusLockKey(unitId, programme)]);
}
