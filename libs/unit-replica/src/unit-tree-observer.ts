import type { EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';

/** What a unit looked like in the replica before an event moved it forward. */
export interface ReplicaState {
  parentId: string | null;
  status: string;
  kind: string;
}

/** Where a unit stood from a date: one version of it. */
export interface Placement {
  parentId: string | null;
  status: string;
  effectiveFrom: string;
}

/** A unit moved forward in the replica: from `before` to `after`, through `placements`. */
export interface UnitChange {
  before: ReplicaState | null;
  after: UnitSnapshot;
  /**
   * The versions this change brought into force, oldest first, `after` last: a batch may hold
   * several versions of a unit (a move and a move back, a backdated move then a rename).
   */
  placements: Placement[];
}

/**
 * A version older than the unit's current one arrived after it (a redelivery, a replay): the
 * unit's current state stands, but its history from `from` on changed.
 */
export interface HistoryRewrite {
  unitId: string;
  /** The earliest date from which the recorded history changed. */
  from: string;
  /** Every parent the unit has had from that date on, in the history as it now stands. */
  parentIds: string[];
}

/**
 * A service reacts to tree changes in the same transaction as the replica update (for
 * example, assessments re-derives the old and new parents of a moved unit).
 */
export interface UnitTreeObserver {
  onUnitChanged(manager: EntityManager, change: UnitChange): Promise<void>;
  /** For services that read the tree as it stood on past dates (campaigns measured on them). */
  onHistoryRewritten?(manager: EntityManager, rewrite: HistoryRewrite): Promise<void>;
}

export const UNIT_TREE_OBSERVER = Symbol('UNIT_TREE_OBSERVER');
