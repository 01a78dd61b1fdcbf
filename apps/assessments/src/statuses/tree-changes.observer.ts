import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import { atBatchEnd } from '@antq/messaging';
import type { ReplicaState, UnitTreeObserver } from '@antq/unit-replica';
import { UnitStatusService } from './unit-status.service';

/**
 * What tree changes do to statuses (documented in the README):
 * - a closed unit's statuses end (`unit-closed`), and its parent is re-derived;
 * - a moved unit's old and new parents are re-derived;
 * - a new unit starts unassessed (a unit formed by a merger too: the old units keep their
 *   history, reachable through lineage), and its parent is re-derived.
 * A batch queues each parent once, however many of its children changed; the
 * DerivationWorker re-derives them when the batch has committed.
 */
@Injectable()
export class TreeChangesObserver implements UnitTreeObserver {
  private readonly parentsByTransaction = new WeakMap<EntityManager, Map<string, string>>();

  constructor(private readonly statuses: UnitStatusService) {}

  async onUnitChanged(manager: EntityManager, before: ReplicaState | null, after: UnitSnapshot): Promise<void> {
    const date = after.effectiveFrom;
    if (after.status === 'closed' && before?.status !== 'closed') {
      const held = (await manager.query(`SELECT programme, unit_kind FROM unit_statuses WHERE unit_id = $1 AND status <> 'unit-closed'`, [after.unitId])) as {
        programme: string;
        unit_kind: UnitSnapshot['kind'];
      }[];
      for (const { programme, unit_kind } of held) {
        await this.statuses.set(manager, { unitId: after.unitId, unitKind: unit_kind, programme, status: 'unit-closed', since: date, source: 'tree' });
      }
    }
    if (before && before.parentId === (after.parentId ?? null) && before.status === after.status) return;
    const parents = this.parentsByTransaction.get(manager) ?? new Map<string, string>();
    this.parentsByTransaction.set(manager, parents);
    for (const parent of [before?.parentId, after.parentId]) if (parent) parents.set(parent, date > (parents.get(parent) ?? '') ? date : (parents.get(parent) as string));
    await atBatchEnd(manager, 'assessments-derive', async () => {
      const pending = this.parentsByTransaction.get(manager);
      this.parentsByTransaction.delete(manager);
      if (!pending?.size) return;
      await this.statuses.queueDerivations(manager, [...pending].map(([unitId, on]) => ({ unitId, on })), null, 'units');
    });
  }
}
