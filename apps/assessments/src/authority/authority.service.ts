import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '@antq/auth';
import { ForbiddenError } from '@antq/platform';
import { REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';

export interface Principal {
  agency: string;
  principal: string;
  roles: string[];
  jurisdiction?: string[];
}

export type AssessmentAction = 'draft' | 'submit' | 'withdraw' | 'verify' | 'recognise' | 'not-recognise' | 'reject' | 'revoke';
/** Decisions on a key complex area's place on the list. */
export type KeyAreaAction = 'designate' | 'follow-up' | 'remove';
type Action = AssessmentAction | KeyAreaAction;

/** Which role may take each step. */
const ROLES_FOR: Record<Action, Role[]> = {
  draft: ['assessor'],
  submit: ['assessor'],
  withdraw: ['assessor'],
  verify: ['verifier'],
  recognise: ['recogniser'],
  'not-recognise': ['recogniser'],
  reject: ['verifier', 'recogniser'],
  revoke: ['recogniser'],
  designate: ['recogniser'],
  'follow-up': ['recogniser'],
  remove: ['recogniser'],
};

/** Each action as a refusal names it. */
const DOING: Record<Action, string> = {
  draft: 'draft assessments',
  submit: 'submit assessments',
  withdraw: 'withdraw assessments',
  verify: 'verify assessments',
  recognise: 'recognise assessments',
  'not-recognise': 'decide assessments not recognised',
  reject: 'reject assessments',
  revoke: 'revoke assessments',
  designate: 'designate key complex areas',
  'follow-up': 'put key complex areas under follow-up',
  remove: 'take key complex areas off the list',
};

/** Decisions that belong to the authority one level up, and what they are called. */
const FROM_ABOVE: Partial<Record<Action, string>> = {
  recognise: 'recognition',
  'not-recognise': 'a decision on recognition',
  revoke: 'recognition',
  designate: 'a decision on a key complex area',
  'follow-up': 'a decision on a key complex area',
  remove: 'a decision on a key complex area',
};

/**
 * Authority over a unit: the right role, and a jurisdiction (a subtree of units, from the
 * token) that covers the unit. Recognising, deciding that a result falls short, revoking,
 * and the decisions on key complex areas belong to the authority one level up, so its
 * jurisdiction must hold the unit strictly below its root. `admin` may do all.
 */
@Injectable()
export class AuthorityService {
  async check(manager: EntityManager, actor: Principal, action: Action, unitId: string): Promise<void> {
    if (actor.roles.includes('admin')) return;
    this.checkRole(actor, action);
    const roots = actor.jurisdiction ?? [];
    const path = await this.pathToRoot(manager, unitId);
    const decision = FROM_ABOVE[action];
    const above = decision ? path.slice(1) : path;
    if (!roots.some((root) => above.includes(root))) {
      throw new ForbiddenError(
        decision
          ? `Agency ${actor.agency} has no authority above unit ${unitId}: ${decision} belongs to the level above the unit`
          : `Unit ${unitId} is outside the jurisdiction of agency ${actor.agency}`,
      );
    }
  }

  /** The role alone: checked before anything is said about the unit (that it is unknown or closed). */
  checkRole(actor: Principal, action: Action): void {
    if (actor.roles.includes('admin')) return;
    const roles = ROLES_FOR[action];
    if (!actor.roles.some((r) => roles.includes(r as Role))) {
      throw new ForbiddenError(`Agency ${actor.agency} may not ${DOING[action]}: that needs the role ${roles.join(' or ')}`);
    }
  }

  /**
   * Whether an actor may read an assessment of a unit (its results, evidence and comments
   * are the agencies' working papers, unlike statuses and decisions): `admin`, or any role
   * whose jurisdiction holds the unit.
   */
  async mayRead(manager: EntityManager, actor: Principal, unitId: string): Promise<boolean> {
    if (actor.roles.includes('admin')) return true;
    const path = await this.pathToRoot(manager, unitId);
    return (actor.jurisdiction ?? []).some((root) => path.includes(root));
  }

  /** The unit and its ancestors, nearest first, from the replica; empty for a unit it does not hold. */
  private async pathToRoot(manager: EntityManager, unitId: string): Promise<string[]> {
    const [row] = (await manager.query(`SELECT r.unit_id, ${REPLICA_ANCESTORS_SQL('r.unit_id')} AS ancestors FROM replica_units r WHERE r.unit_id = $1`, [unitId])) as {
      unit_id: string;
      ancestors: string[];
    }[];
    return row ? [row.unit_id, ...row.ancestors] : [];
  }
}
