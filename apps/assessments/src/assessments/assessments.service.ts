import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AssessmentState, type CloudEvent, type EventType, type UnitKind } from '@antq/contracts';
import { EventFactory, OutboxService, runAs, type AntqClsStore, type CoWrite } from '@antq/messaging';
import { ClsService } from 'nestjs-cls';
import { Clock, ConflictError, NotFoundError, RuleViolationError } from '@antq/platform';
import { uniqueViolation } from '@antq/persistence';
import { AuthorityService, type AssessmentAction, type Principal } from '../authority/authority.service';
import { cycleBounds, cycleDeadline, recognitionValidUntil } from '../programmes/programme-definition';
import { ONE_OPEN_ASSESSMENT_INDEX } from '../migrations/1764100012000-one-open-assessment';
import { ProgrammesService } from '../programmes/programmes.service';
import { evaluate, type CriterionResult } from '../programmes/scoring';
import { checkDecisionDate, checkDecisionTaken, STATUS_LOCK_SQL, UnitStatusService, type CurrentStatus } from '../statuses/unit-status.service';
import { KEY_AREA, KeyAreasService } from '../key-areas/key-areas.service';

export interface DraftCommand {
  unitId: string;
  programme: string;
  cycle: number;
  periodStart?: string;
  periodEnd?: string;
  results: CriterionResult[];
  evidence?: string[];
}

export interface StepInput {
  comment?: string;
  evidence?: string[];
  decisionNumber?: string;
  decisionDate?: string;
}

export interface AssessmentRecord {
  id: string;
  unitId: string;
  unitKind: UnitKind;
  programme: string;
  programmeVersion: number;
  cycle: number;
  periodStart: string;
  periodEnd: string;
  state: AssessmentState;
  results: CriterionResult[];
  score: number | null;
  grade: string | null;
  met: boolean | null;
  evidence: string[];
  agency: string;
}

/** The workflow: which step leads from which states to which. */
const STEPS: Record<Exclude<AssessmentAction, 'draft'>, { from: AssessmentState[]; to: AssessmentState; event: EventType }> = {
  submit: { from: ['draft'], to: 'submitted', event: 'antq.assessments.assessment-submitted.v1' },
  // Taken back by the assessing side before anyone verified it: the cycle's slot is free again.
  withdraw: { from: ['draft', 'submitted'], to: 'withdrawn', event: 'antq.assessments.assessment-withdrawn.v1' },
  verify: { from: ['submitted'], to: 'verified', event: 'antq.assessments.assessment-verified.v1' },
  recognise: { from: ['verified'], to: 'recognised', event: 'antq.assessments.assessment-recognised.v1' },
  // The authority's decision that a verified result falls short: the unit holds it for the cycle.
  'not-recognise': { from: ['verified'], to: 'not-recognised', event: 'antq.assessments.assessment-not-recognised.v1' },
  reject: { from: ['submitted', 'verified'], to: 'rejected', event: 'antq.assessments.assessment-rejected.v1' },
  revoke: { from: ['recognised'], to: 'revoked', event: 'antq.assessments.assessment-revoked.v1' },
};

const SYSTEM = { agency: 'antq-system', principal: 'lapse-job', roles: [] };
const OVERDUE_JOB = { agency: 'antq-system', principal: 'overdue-job', roles: [] };
/** How far back a missed deadline is still reported. */
const OVERDUE_WINDOW_DAYS = 31;
/** What `load` reads of an assessment, spelled out (not `*`) so that its statement is prepared. */
const ASSESSMENT_COLUMNS = 'id, unit_id, unit_kind, programme, programme_version, cycle, period_start, period_end, state, results, score, grade, met, evidence, agency';

/**
 * Assessments of units under programmes: draft -> submitted -> verified -> recognised or
 * rejected; a recognition can be revoked and lapses when its validity ends. Each step is
 * one transaction: the assessment, its transition record, its event and any status change.
 */
@Injectable()
export class AssessmentsService {
  private readonly logger = new Logger(AssessmentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly programmes: ProgrammesService,
    private readonly statuses: UnitStatusService,
    private readonly authority: AuthorityService,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<AntqClsStore>,
    private readonly keyAreas: KeyAreasService,
    private readonly clock: Clock,
  ) {}

  async draft(command: DraftCommand, actor: Principal): Promise<AssessmentRecord> {
    return this.dataSource.transaction(async (manager) => {
      // The role first: one without it learns nothing of the unit, not even that it is unknown or closed.
      this.authority.checkRole(actor, 'draft');
      const [unit] = (await manager.query('SELECT kind, status FROM replica_units WHERE unit_id = $1', [command.unitId])) as { kind: UnitKind; status: string }[];
      if (!unit) throw new RuleViolationError(`Unit ${command.unitId} is unknown`);
      await this.authority.check(manager, actor, 'draft', command.unitId);
      if (unit.status !== 'active') throw new RuleViolationError(`Unit ${command.unitId} is closed`);
      const { programme, version, definition } = await this.programmes.forCycle(command.programme, command.cycle, manager);
      if (!definition.appliesTo.includes(unit.kind)) {
        throw new RuleViolationError(`Programme ${programme} does not apply to a ${unit.kind} (it applies to ${definition.appliesTo.join(', ')})`);
      }
      if (definition.derivation?.kinds.includes(unit.kind)) {
        throw new RuleViolationError(`A ${unit.kind}'s ${programme} status is derived from its children and is never assessed by hand`);
      }
      if (programme === KEY_AREA && (await this.statuses.current(manager, command.unitId, KEY_AREA))?.status !== 'designated') {
        throw new RuleViolationError(`Unit ${command.unitId} is not a designated key complex area: only designated areas are assessed for transformation`);
      }
      const bounds = cycleBounds(definition, unit.kind, command.cycle);
      const periodStart = command.periodStart ?? bounds.start;
      const periodEnd = command.periodEnd ?? bounds.end;
      if (periodStart > periodEnd) throw new RuleViolationError(`The period starts (${periodStart}) after it ends (${periodEnd})`);
      if (periodStart < bounds.start || periodEnd > bounds.end) {
        throw new RuleViolationError(`The period ${periodStart}..${periodEnd} is outside cycle ${command.cycle} of ${programme} (${bounds.start}..${bounds.end}) as it runs for a ${unit.kind}`);
      }
      const evaluation = evaluate(programme, definition, unit.kind, command.results);
      const record: AssessmentRecord = {
        id: randomUUID(),
        unitId: command.unitId,
        unitKind: unit.kind,
        programme,
        programmeVersion: version,
        cycle: command.cycle,
        periodStart,
        periodEnd,
        state: 'draft',
        results: command.results,
        score: evaluation.score,
        grade: evaluation.grade,
        met: evaluation.met,
        evidence: command.evidence ?? [],
        agency: actor.agency,
      };
      // One open assessment per unit, programme and cycle: the unique index refuses another,
      // opened before or at the same moment.
      await manager
        .query(
          `INSERT INTO assessments (id, unit_id, unit_kind, programme, programme_version, cycle, period_start, period_end, state, results, score, grade, met, evidence, agency)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [record.id, record.unitId, record.unitKind, programme, version, record.cycle, periodStart, periodEnd, 'draft', JSON.stringify(record.results), record.score, record.grade, record.met, record.evidence, actor.agency],
        )
        .catch((error: unknown) => {
          throw uniqueViolation(error)?.constraint === ONE_OPEN_ASSESSMENT_INDEX
            ? new ConflictError(`Unit ${command.unitId} already has an open ${programme} assessment for cycle ${command.cycle}`)
            : error;
        });
      const { writes, events } = this.transition(record, null, {}, actor, 'antq.assessments.assessment-drafted.v1');
      await this.outbox.append(manager, events, writes);
      return record;
    });
  }

  async step(id: string, action: Exclude<AssessmentAction, 'draft'>, input: StepInput, actor: Principal): Promise<AssessmentRecord> {
    return this.dataSource.transaction(async (manager) => {
      // Recognising and deciding a result falls short are the two decisions on a verified result.
      const decides = action === 'recognise' || action === 'not-recognise';
      const setsStatus = decides || action === 'revoke';
      const { unitActive, ...record } = await this.load(manager, id, true, setsStatus);
      await this.authority.check(manager, actor, action, record.unitId);
      const step = STEPS[action];
      // A closed unit's draft can never be submitted: rejecting is how it is settled.
      const from: AssessmentState[] = action === 'reject' && !unitActive ? [...step.from, 'draft'] : step.from;
      if (!from.includes(record.state)) {
        throw new ConflictError(`Cannot ${action} an assessment that is ${record.state} (only from ${from.join(' or ')})`);
      }
      // A closed unit's open assessment can only be rejected (a revocation finds its status ended).
      if (!unitActive && (action === 'submit' || action === 'verify' || decides)) {
        throw new RuleViolationError(`Unit ${record.unitId} is closed: its assessment can no longer be ${step.to}, only rejected`);
      }
      // A self-assessment goes up with its evidence: on the draft, or given with the submission.
      if (action === 'submit' && !record.evidence.length && !input.evidence?.length) {
        throw new RuleViolationError('To submit, give at least one evidence reference (the self-assessment and its documents), on the draft or with the submission');
      }
      const decisionDate = input.decisionDate ?? '';
      if (setsStatus && !(input.decisionNumber?.trim() && decisionDate)) {
        throw new RuleViolationError(`To ${action}, give the decision's number and date`);
      }
      if (setsStatus) checkDecisionTaken(decisionDate, this.clock.today());
      const { definition } = await this.programmes.version(record.programme, record.programmeVersion, manager);
      const bounds = cycleBounds(definition, record.unitKind, record.cycle);
      const validUntil = recognitionValidUntil(definition, record.unitKind, record.cycle);
      if (action === 'not-recognise' && record.programme === KEY_AREA) {
        throw new RuleViolationError('A key complex area not yet transformed stays designated and is carried into the next year: reject the assessment instead');
      }
      if (decides) {
        const evaluation = evaluate(record.programme, definition, record.unitKind, record.results);
        if (action === 'not-recognise' && evaluation.recognisable) {
          throw new RuleViolationError(
            definition.scoring.rule === 'points'
              ? `A ${evaluation.grade} result (${evaluation.score} points) reaches the grade for recognition (${definition.scoring.recognisedFrom}): recognise it, or reject the assessment`
              : 'Every criterion is met: recognise the unit, or reject the assessment',
          );
        }
        if (action === 'recognise' && !evaluation.recognisable) {
          throw new RuleViolationError(
            definition.scoring.rule === 'points'
              ? `A ${evaluation.grade} result (${evaluation.score} points) is below the grade needed for recognition (${definition.scoring.recognisedFrom})`
              : 'Not every criterion is met: reject the assessment instead',
          );
        }
        // A kind's decisions may come after its cycle, up to its deadline (a year's classification by 30 Nov).
        const decideBy = cycleDeadline(definition, record.unitKind, record.cycle);
        if (decisionDate > decideBy) {
          throw new RuleViolationError(
            decideBy === bounds.end
              ? `The decision date ${decisionDate} is after the end of cycle ${record.cycle} (${bounds.end})`
              : `The decision date ${decisionDate} is after the deadline for cycle ${record.cycle} of a ${record.unitKind} (${decideBy})`,
          );
        }
      }
      // Read under the status lock `load` took: the status a recognition replaces or a revocation ends.
      const current = setsStatus ? await this.statuses.current(manager, record.unitId, record.programme) : undefined;
      if (action === 'revoke') this.checkRevocable(record, current);
      // A recognition past its validity lapses (whether or not the daily job has run yet); it is revoked only while it holds.
      if (action === 'revoke' && current?.validUntil && decisionDate > current.validUntil) {
        throw new RuleViolationError(`The decision date ${decisionDate} is after the recognition's validity ended (${current.validUntil}): only a recognition that still holds can be revoked`);
      }
      if (decides && current?.assessmentCycle != null && current.assessmentCycle > record.cycle) {
        throw new ConflictError(
          `Unit ${record.unitId}'s ${record.programme} status comes from assessment ${current.assessmentId} of a later cycle (${current.assessmentCycle}): a cycle ${record.cycle} recognition cannot replace it`,
        );
      }
      // A transformation is recognised for an area on the list: not one removed, followed up or transformed meanwhile.
      if (action === 'recognise' && record.programme === KEY_AREA && current?.status !== 'designated') {
        throw new ConflictError(`Unit ${record.unitId} is no longer a designated key complex area (it is ${current?.status ?? 'unassessed'}): its transformation cannot be recognised`);
      }
      if (decides && decisionDate < record.periodStart) {
        throw new RuleViolationError(`The decision date ${decisionDate} is before the assessed period starts (${record.periodStart})`);
      }
      // A decision taken before the system moved the status on at a cycle's end (a lapse, a key
      // complex area carried over) but recorded after it: the recognition holds from that move,
      // so history never holds two statuses at once; the transition keeps the decision's date.
      const recordedLate =
        decides &&
        current?.source === 'lapse' &&
        current.since !== null &&
        decisionDate < current.since &&
        (record.programme === KEY_AREA || current.since <= validUntil);
      if (setsStatus && !recordedLate) checkDecisionDate(decisionDate, record.unitId, record.programme, current);
      const previous = record.state;
      record.state = step.to;
      const transition = this.transition(record, previous, input, actor, step.event, true);
      if (setsStatus) {
        // A recognised key complex area stays transformed until followed up and removed; a
        // result that falls short holds until the unit's next decision (neither lapses); a
        // revocation ends the status from its date.
        const decided =
          action === 'revoke'
            ? { status: 'revoked' as const, since: decisionDate }
            : {
                status: action === 'not-recognise' ? ('not-recognised' as const) : record.programme === KEY_AREA ? ('transformed' as const) : ('recognised' as const),
                grade: record.grade,
                score: record.score,
                since: recordedLate && current?.since ? current.since : decisionDate,
                validUntil: action === 'recognise' && record.programme !== KEY_AREA ? validUntil : null,
              };
        await this.statuses.set(
          manager,
          { unitId: record.unitId, unitKind: record.unitKind, programme: record.programme, ...decided, source: 'assessment', assessmentId: record.id },
          { ...transition, locked: true, current: current ?? null },
        );
      } else {
        await this.outbox.append(manager, transition.events, transition.writes);
      }
      return record;
    });
  }

  /**
   * Only the recognition the unit's current status comes from can be revoked: an older one
   * (replaced by a later recognition) no longer stands behind it.
   */
  private checkRevocable(record: AssessmentRecord, current: CurrentStatus | undefined): void {
    if (current?.assessmentId === record.id && (current.status === 'recognised' || current.status === 'transformed')) return;
    const holder = current?.assessmentId ? `comes from assessment ${current.assessmentId} (${current.status})` : `is ${current?.status ?? 'unassessed'}`;
    throw new ConflictError(`Assessment ${record.id} no longer gives unit ${record.unitId} its ${record.programme} status, which ${holder}: there is nothing of it to revoke`);
  }

  /**
   * Recognitions no longer valid on `date` lapse (see recognitionValidUntil), and untransformed key complex areas
   * carry over into the next cycle (run daily, and on demand), acted by the system.
   */
  lapseDue(date = this.clock.today()): Promise<number> {
    return runAs(this.cls, SYSTEM, () => this.lapse(date), `lapse-${date}`);
  }

  private async lapse(date: string): Promise<number> {
    // A failed carry-over is logged and left for the next run: the day's lapses do not wait on it.
    const carried = await this.dataSource
      .transaction((manager) => this.keyAreas.carryOver(manager, date, SYSTEM))
      .catch((error: unknown) => {
        this.logger.error(`Carrying key complex areas over on ${date} failed: ${(error as Error).message}`);
        return 0;
      });
    // A period ends on or before its cycle: every recognition whose cycle ended is among these.
    // A key complex area's recognised transformation does not lapse (it is followed up instead).
    const candidates = (await this.dataSource.query(
      `SELECT id, programme, programme_version AS "programmeVersion", unit_kind AS "unitKind", cycle FROM assessments
        WHERE state = 'recognised' AND programme <> $2 AND period_end < $1::date`,
      [date, KEY_AREA],
    )) as Pick<AssessmentRecord, 'id' | 'programme' | 'programmeVersion' | 'unitKind' | 'cycle'>[];
    // Only those no longer valid (a period may end early in its cycle; a result decided after
    // its cycle holds until the next one is due) are locked and lapsed.
    const due: { id: string; end: string }[] = [];
    for (const candidate of candidates) {
      const { definition } = await this.programmes.version(candidate.programme, candidate.programmeVersion);
      const end = recognitionValidUntil(definition, candidate.unitKind, candidate.cycle);
      if (end < date) due.push({ id: candidate.id, end });
    }
    let lapsed = 0;
    for (const { id, end } of due) {
      lapsed += await this.dataSource.transaction(async (manager) => {
        const { unitActive: _, ...record } = await this.load(manager, id, true, true);
        if (record.state !== 'recognised') return 0;
        const next = new Date(`${end}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        const transition = this.transition({ ...record, state: 'lapsed' }, 'recognised', { comment: `the recognition for cycle ${record.cycle} held until ${end}` }, SYSTEM, 'antq.assessments.assessment-lapsed.v1', true);
        // The unit's status lapses with the recognition it comes from; one replaced since by a later recognition lapses alone.
        const current = await this.statuses.current(manager, record.unitId, record.programme);
        if (current?.assessmentId !== id || current.status !== 'recognised') {
          await this.outbox.append(manager, transition.events, transition.writes);
          return 1;
        }
        await this.statuses.set(manager, {
          unitId: record.unitId,
          unitKind: record.unitKind,
          programme: record.programme,
          status: 'lapsed',
          since: next.toISOString().slice(0, 10),
          source: 'lapse',
          assessmentId: id,
        }, { ...transition, locked: true, current });
        return 1;
      });
    }
    return lapsed + carried;
  }

  /**
   * Units left without a decision by their deadline for a cycle (the deadline of their
   * kind under the version the cycle is assessed under, else the cycle's end) are reported
   * once each with `assessment-overdue`, acted by the system, once the deadline has passed
   * within the last `OVERDUE_WINDOW_DAYS` (so a long pause never reports old years).
   * Derived statuses and key complex areas (designated by decision) are not assessed on a
   * deadline and are left out.
   */
  reportOverdue(date = this.clock.today()): Promise<number> {
    return runAs(
      this.cls,
      OVERDUE_JOB,
      async () => {
        const windowStart = new Date(`${date}T00:00:00Z`);
        windowStart.setUTCDate(windowStart.getUTCDate() - OVERDUE_WINDOW_DAYS);
        const since = windowStart.toISOString().slice(0, 10);
        const year = Number(date.slice(0, 4));
        let reported = 0;
        for (const { programme } of await this.programmes.list()) {
          if (programme === KEY_AREA) continue;
          // A deadline falls on or after its cycle's end, within a year of it.
          for (const cycle of [year - 2, year - 1, year]) {
            const { definition } = await this.programmes.forCycle(programme, cycle);
            for (const kind of definition.appliesTo.filter((k) => !definition.derivation?.kinds.includes(k))) {
              const deadline = cycleDeadline(definition, kind, cycle);
              if (deadline >= date || deadline < since) continue;
              reported += await this.reportMissed(programme, cycle, kind, cycleBounds(definition, kind, cycle).end, deadline);
            }
          }
        }
        return reported;
      },
      `overdue-${date}`,
    );
  }

  /** Reports the active units of a kind, there when the cycle ended, with no decision for it. */
  private reportMissed(programme: string, cycle: number, kind: UnitKind, end: string, deadline: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = (await manager.query(
        `INSERT INTO overdue_notices (unit_id, programme, cycle, deadline)
         SELECT u.unit_id, $1, $2, $5::date FROM replica_units u
          WHERE u.status = 'active' AND u.kind = $3
            AND EXISTS (SELECT 1 FROM replica_unit_versions v WHERE v.unit_id = u.unit_id AND v.valid_from <= $4::date)
            AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.unit_id = u.unit_id AND a.programme = $1 AND a.cycle = $2
                              AND a.state IN ('recognised', 'not-recognised', 'revoked', 'lapsed'))
          ORDER BY u.unit_id
         ON CONFLICT DO NOTHING
         RETURNING unit_id`,
        [programme, cycle, kind, end, deadline],
      )) as { unit_id: string }[];
      if (!due.length) return 0;
      const rows = (await manager.query(
        `SELECT u.unit_id, a.id AS assessment_id, a.state FROM replica_units u
           LEFT JOIN LATERAL (SELECT id, state FROM assessments WHERE unit_id = u.unit_id AND programme = $2 AND cycle = $3
                               ORDER BY created_at DESC LIMIT 1) a ON true
          WHERE u.unit_id = ANY($1::uuid[])`,
        [due.map((d) => d.unit_id), programme, cycle],
      )) as { unit_id: string; assessment_id: string | null; state: AssessmentState | null }[];
      await this.outbox.append(
        manager,
        rows.map((row) =>
          this.events.create({
            type: 'antq.assessments.assessment-overdue.v1',
            subject: row.unit_id,
            data: { unitId: row.unit_id, unitKind: kind, programme, cycle, deadline, assessmentId: row.assessment_id, assessmentState: row.state },
          }),
        ),
      );
      return rows.length;
    });
  }

  /** An assessment with its transitions; one outside the reader's jurisdiction is 404, as if it did not exist. */
  async get(id: string, reader: Principal): Promise<AssessmentRecord & { transitions: unknown[] }> {
    const { unitActive: _, ...record } = await this.load(this.dataSource.manager, id, false);
    if (!(await this.authority.mayRead(this.dataSource.manager, reader, record.unitId))) throw new NotFoundError(`Assessment ${id} does not exist`);
    const transitions = (await this.dataSource.query(
      `SELECT from_state AS "from", to_state AS "to", agency, principal, at, decision_number AS "decisionNumber",
              to_char(decision_date, 'YYYY-MM-DD') AS "decisionDate", comment, evidence
         FROM assessment_transitions WHERE assessment_id = $1 ORDER BY id`,
      [id],
    )) as unknown[];
    return { ...record, transitions };
  }

  /**
   * An assessment; `lock`: its row, for a transition, and its unit's replica row (shared, so
   * a closure waits for the step, and its `unit-closed` then follows it). `lockStatus`: also
   * its unit's status under its programme (taken after the rows, as `set` would, and as the
   * replica's writers do), for a step that sets it. `unitActive`: whether the unit is active.
   */
  private async load(manager: EntityManager, id: string, lock: boolean, lockStatus = false): Promise<AssessmentRecord & { unitActive: boolean }> {
    const columns = `id, unit_id AS "unitId", unit_kind AS "unitKind", programme, programme_version AS "programmeVersion", cycle,
              to_char(period_start, 'YYYY-MM-DD') AS "periodStart", to_char(period_end, 'YYYY-MM-DD') AS "periodEnd", state, results,
              score::float8 AS score, grade, met, evidence, agency`;
    const [row] = (await manager.query(
      lock
        ? // The assessment (in `a`), then the unit (in `u`), then the status (in `l`, computed from both): the order every writer keeps.
          `WITH a AS (SELECT ${ASSESSMENT_COLUMNS} FROM assessments WHERE id = $1 FOR UPDATE),
                u AS (SELECT r.unit_id, r.status FROM replica_units r JOIN a ON r.unit_id = a.unit_id FOR SHARE OF r),
                l AS (SELECT ${lockStatus ? STATUS_LOCK_SQL('a.unit_id', 'a.programme') : 'true'}, u.status AS unit_status FROM a LEFT JOIN u ON true)
           SELECT ${columns}, l.unit_status IS NOT DISTINCT FROM 'active' AS "unitActive" FROM a CROSS JOIN l`
        : `SELECT ${columns}, true AS "unitActive" FROM assessments WHERE id = $1`,
      [id],
    )) as (AssessmentRecord & { unitActive: boolean })[];
    if (!row) throw new NotFoundError(`Assessment ${id} does not exist`);
    return row;
  }

  /**
   * A transition: the write that records it (and, with `moveState`, the one that moves the
   * assessment's state) and its event, for the caller to make with the rest of its change.
   */
  private transition(
    record: AssessmentRecord,
    previous: AssessmentState | null,
    input: StepInput,
    actor: Principal,
    type: EventType,
    moveState = false,
  ): { writes: CoWrite[]; events: CloudEvent[] } {
    const writes: CoWrite[] = [
      {
        sql: `INSERT INTO assessment_transitions (assessment_id, from_state, to_state, agency, principal, decision_number, decision_date, comment, evidence)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        params: [record.id, previous, record.state, actor.agency, actor.principal, input.decisionNumber ?? null, input.decisionDate ?? null, input.comment ?? null, input.evidence ?? []],
      },
    ];
    if (moveState) writes.unshift({ sql: 'UPDATE assessments SET state = $2, updated_at = now() WHERE id = $1', params: [record.id, record.state] });
    const event = this.events.create({
      type: type as 'antq.assessments.assessment-drafted.v1',
      subject: record.unitId,
      actor: { agency: actor.agency, principal: actor.principal, roles: actor.roles },
      data: {
        assessmentId: record.id,
        unitId: record.unitId,
        programme: record.programme,
        programmeVersion: record.programmeVersion,
        cycle: record.cycle,
        state: record.state,
        previousState: previous,
        score: record.score,
        grade: record.grade,
        met: record.met,
        decision: input.decisionNumber && input.decisionDate ? { number: input.decisionNumber, date: input.decisionDate } : null,
        comment: input.comment ?? null,
        evidence: input.evidence ?? record.evidence,
      },
    });
    return { writes, events: [event] };
  }
}
