import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CloudEvent, KeyAreaStep, UnitKind, UnitProgrammeStatus } from '@antq/contracts';
import { EventFactory, type CoWrite } from '@antq/messaging';
import { Clock, ConflictError, NotFoundError, RuleViolationError } from '@antq/platform';
import { unknownUnit } from '@antq/unit-replica';
import { AuthorityService, type KeyAreaAction, type Principal } from '../authority/authority.service';
import { cycleBounds } from '../programmes/programme-definition';
import { ProgrammesService } from '../programmes/programmes.service';
import { checkDecisionDate, checkDecisionTaken, UnitStatusService, type CurrentStatus } from '../statuses/unit-status.service';

export const KEY_AREA = 'key-complex-area';

export interface KeyAreaDecision {
  decisionNumber: string;
  decisionDate: string;
  comment?: string;
}

/** A decision on a key complex area's place on the list, as recorded. */
export interface KeyAreaDecisionRecord {
  step: KeyAreaStep;
  cycle: number | null;
  decisionNumber: string | null;
  decisionDate: string;
  comment: string | null;
  agency: string;
  principal: string;
  at: Date;
}

type Decided = Partial<KeyAreaDecision> & { decisionDate: string };

/**
 * The list of key complex areas: a yearly decision designates an area; recognising its
 * transformation (the assessment workflow) makes it transformed; it is then followed up
 * and finally removed from the list. An area not transformed by the end of its cycle is
 * carried into the next one.
 */
@Injectable()
export class KeyAreasService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly programmes: ProgrammesService,
    private readonly statuses: UnitStatusService,
    private readonly authority: AuthorityService,
    private readonly clock: Clock,
    private readonly events: EventFactory,
  ) {}

  /** The row that records a decision and the event that tells it, both made with the status change it brings. */
  private recorded(unitId: string, unitKind: UnitKind, step: KeyAreaStep, cycle: number | null, decision: Decided, actor: Principal): { writes: CoWrite[]; events: CloudEvent[] } {
    const [decisionNumber, comment] = [decision.decisionNumber ?? null, decision.comment ?? null];
    return {
      writes: [
        {
          sql: `INSERT INTO key_area_decisions (unit_id, step, cycle, decision_number, decision_date, comment, agency, principal)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          params: [unitId, step, cycle, decisionNumber, decision.decisionDate, comment, actor.agency, actor.principal],
        },
      ],
      events: [
        this.events.create({
          type: 'antq.assessments.key-area-decided.v1',
          subject: unitId,
          data: { unitId, unitKind, step, cycle, decisionNumber, decisionDate: decision.decisionDate, comment },
        }),
      ],
    };
  }

  designate(unitId: string, cycle: number, decision: KeyAreaDecision, actor: Principal): Promise<UnitProgrammeStatus> {
    return this.dataSource.transaction(async (manager) => {
      const kind = await this.unitKind(manager, unitId, actor, 'designate');
      const { definition } = await this.programmes.inForce(KEY_AREA, decision.decisionDate, manager);
      if (!definition.appliesTo.includes(kind)) throw new RuleViolationError(`A ${kind} cannot be designated a key complex area`);
      // Under the status's lock: of two designations at once, the second finds the area on the list.
      const current = await this.statuses.lockCurrent(manager, unitId, KEY_AREA);
      if (current && ['designated', 'transformed', 'followed-up'].includes(current.status)) {
        throw new ConflictError(`Unit ${unitId} is already on the list (${current.status})`);
      }
      checkDecisionTaken(decision.decisionDate, this.clock.today());
      checkDecisionDate(decision.decisionDate, unitId, KEY_AREA, current ?? undefined);
      // A yearly decision designates the areas of its year: taken within the cycle, as the status it starts runs to the cycle's end.
      const bounds = cycleBounds(definition, kind, cycle);
      if (decision.decisionDate < bounds.start || decision.decisionDate > bounds.end) {
        throw new RuleViolationError(`The decision date ${decision.decisionDate} is outside cycle ${cycle} (${bounds.start}..${bounds.end}): an area is designated for a cycle by a decision taken within it`);
      }
      await this.statuses.set(
        manager,
        { unitId, unitKind: kind, programme: KEY_AREA, status: 'designated', since: decision.decisionDate, validUntil: bounds.end, source: 'assessment' },
        { ...this.recorded(unitId, kind, 'designated', cycle, decision, actor), locked: true, current },
      );
      return 'designated' as const;
    });
  }

  /** transformed -> followed-up, followed-up (or transformed) -> removed. */
  advance(unitId: string, to: 'followed-up' | 'removed', decision: KeyAreaDecision, actor: Principal): Promise<UnitProgrammeStatus> {
    return this.dataSource.transaction(async (manager) => {
      const kind = await this.unitKind(manager, unitId, actor, to === 'followed-up' ? 'follow-up' : 'remove');
      const current = await this.statuses.lockCurrent(manager, unitId, KEY_AREA);
      const allowed = to === 'followed-up' ? ['transformed'] : ['transformed', 'followed-up'];
      if (!current || !allowed.includes(current.status)) {
        throw new ConflictError(`A key complex area moves to ${to} only from ${allowed.join(' or ')} (this one is ${current?.status ?? 'not designated'})`);
      }
      checkDecisionTaken(decision.decisionDate, this.clock.today());
      checkDecisionDate(decision.decisionDate, unitId, KEY_AREA, current);
      await this.statuses.set(
        manager,
        { unitId, unitKind: kind, programme: KEY_AREA, status: to, since: decision.decisionDate, source: 'assessment' },
        { ...this.recorded(unitId, kind, to, null, decision, actor), locked: true, current },
      );
      return to;
    });
  }

  /** Designated areas whose cycle ended untransformed stay on the list for the next cycle. */
  async carryOver(manager: EntityManager, date: string, actor: Principal): Promise<number> {
    // Locked in unit order, as every other writer of several statuses takes them (one programme here).
    const due = (await manager.query(
      `SELECT unit_id, unit_kind, to_char(valid_until, 'YYYY-MM-DD') AS valid_until FROM unit_statuses
        WHERE programme = $1 AND status = 'designated' AND valid_until < $2::date ORDER BY unit_id`,
      [KEY_AREA, date],
    )) as { unit_id: string; unit_kind: UnitKind; valid_until: string }[];
    let carried = 0;
    for (const area of due) {
      // Read again under the lock: another instance's run, a transformation or a closure may have moved it on.
      const current = await this.statuses.lockCurrent(manager, area.unit_id, KEY_AREA);
      if (current?.status !== 'designated' || current.validUntil !== area.valid_until) continue;
      const { definition } = await this.programmes.inForce(KEY_AREA, area.valid_until, manager);
      const cycle = Number(area.valid_until.slice(0, 4)) + 1;
      const next = cycleBounds(definition, area.unit_kind, cycle);
      await this.statuses.set(
        manager,
        { unitId: area.unit_id, unitKind: area.unit_kind, programme: KEY_AREA, status: 'designated', since: next.start, validUntil: next.end, source: 'lapse' },
        {
          ...this.recorded(area.unit_id, area.unit_kind, 'carried-over', cycle, { decisionDate: next.start, comment: `not transformed by ${area.valid_until}` }, actor),
          locked: true,
          current,
        },
      );
      carried++;
    }
    return carried;
  }

  /** A key complex area's current place on the list and every decision that put it there, oldest first. */
  async decisions(unitId: string): Promise<{ unitId: string; status: CurrentStatus | null; decisions: KeyAreaDecisionRecord[] }> {
    const status = (await this.statuses.current(this.dataSource.manager, unitId, KEY_AREA)) ?? null;
    const decisions = (await this.dataSource.query(
      `SELECT step, cycle, decision_number AS "decisionNumber", to_char(decision_date, 'YYYY-MM-DD') AS "decisionDate", comment, agency, principal, at
         FROM key_area_decisions WHERE unit_id = $1 ORDER BY id`,
      [unitId],
    )) as KeyAreaDecisionRecord[];
    if (!status && !decisions.length) throw new NotFoundError(`Unit ${unitId} has never been on the list of key complex areas`);
    return { unitId, status, decisions };
  }

  /**
   * The unit's kind, once the actor's authority over it is checked; its replica row is held
   * shared, before the status lock, so a closure being applied commits first or waits. The
   * role comes first, so that one without it learns nothing of the unit; an unknown unit is
   * a 404 where the path names it, as on reads, and a 422 where a designation's body does.
   */
  private async unitKind(manager: EntityManager, unitId: string, actor: Principal, action: KeyAreaAction): Promise<UnitKind> {
    this.authority.checkRole(actor, action);
    const [unit] = (await manager.query('SELECT kind, status FROM replica_units WHERE unit_id = $1 FOR SHARE', [unitId])) as { kind: UnitKind; status: string }[];
    if (!unit) throw action === 'designate' ? new RuleViolationError(`Unit ${unitId} is unknown`) : unknownUnit(unitId);
    await this.authority.check(manager, actor, action, unitId);
    if (unit.status !== 'active') throw new RuleViolationError(`Unit ${unitId} is closed`);
    return unit.kind;
  }
}
