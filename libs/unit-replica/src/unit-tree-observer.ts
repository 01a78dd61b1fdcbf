import type { EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';

/** What a unit looked like in the replica before an event moved it forward. */
export interface ReplicaState {
  parentId: string | null;
  status: string;
  kind: string;
}

/**
 * A service reacts to tree changes in the same transaction as the replica update (for
 * example, assessments re-derives the old and new parents of a moved unit).
 */
export interface UnitTreeObserver {
  onUnitChanged(manager: EntityManager, before: ReplicaState | null, after: UnitSnapshot): Promise<void>;
}

export const UNIT_TREE_OBSERVER = Symbol('UNIT_TREE_OBSERVER');
