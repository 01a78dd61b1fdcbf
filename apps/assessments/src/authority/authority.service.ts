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

export type AssessmentAction = 'draft' | 'submit' | 'verify' | 'recognise' | 'reject' | 'revoke';

/** Which role may take each step. */
const ROLES_FOR: Record<AssessmentAction, Role[]> = {
  draft: ['assessor'],
  submit: ['assessor'],
  verify: ['verifier'],
  recognise: ['recogniser'],
  reject: ['verifier', 'recogniser'],
  revoke: ['recogniser'],
};

/**
 * Authority over a unit: the right role, and a jurisdiction (a subtree of units, from the
 * token) that covers the unit. Recognising and revoking belong to the authority one level
 * up, so its jurisdiction must hold the unit strictly below its root. `admin` may do all.
 */
@Injectable()
export class AuthorityService {
  async check(manager: EntityManager, actor: Principal, action: AssessmentAction, unitId: string): Promise<void> {
    if (actor.roles.includes('admin')) return;
    const roles = ROLES_FOR[action];
    if (!actor.roles.some((r) => roles.includes(r as Role))) {
      throw new ForbiddenError(`Agency ${actor.agency} may not ${action} assessments: that needs the role ${roles.join(' or ')}`);
    }
    const roots = actor.jurisdiction ?? [];
    const path = await this.pathToRoot(manager, unitId);
    const above = action === 'recognise' || action === 'revoke' ? path.slice(1) : path;
    if (!roots.some((root) => above.includes(root))) {
      throw new ForbiddenError(
        action === 'recognise' || action === 'revoke'
          ? `Agency ${actor.agency} has no authority above unit ${unitId}: recognition belongs to the level above the unit`
          : `Unit ${unitId} is outside the jurisdiction of agency ${actor.agency}`,
      );
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
