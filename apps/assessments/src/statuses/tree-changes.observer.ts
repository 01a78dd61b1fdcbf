import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import { atBatchEnd } from '@antq/messaging';
import type { UnitChange, UnitTreeObserver } from '@antq/unit-replica';
import { UnitStatusService } from './unit-status.service';

/**
 * What tree changes do to statuses (documented in the README):
 * - a closed unit's statuses end (`unit-closed`), and its parent is re-derived;
 * - a moved unit's old and new parents are re-derived;
 * - a new unit starts unassessed (a unit formed by a merger too: the old units keep their
 *   history, reachable through lineage), and its parent is re-derived; so is the unit itself,
 *   where it derives its status, for its children may have reached the replica before it
 *   (events of different units travel on different partitions).
 * A batch queues each parent once, however many of its children changed; the
 * DerivationWorker re-derives them when the batch has committed.
 */
@Injectable()
export class TreeChangesObserver implements UnitTreeObserver {
  /** Per batch transaction: units closed (with the date) and units to re-derive (from the date). */
  private readonly pendingByTransaction = new WeakMap<EntityManager, { closed: Map<string, string>; rederive: Map<string, string> }>();

  constructor(private readonly statuses: UnitStatusService) {}

  async onUnitChanged(manager: EntityManager, { before, after }: UnitChange): Promise<void> {
    const date = after.effectiveFrom;
    const closed = after.status === 'closed' && before?.status !== 'closed';
    const placed = !before || before.parentId !== (after.parentId ?? null) || before.status !== after.status;
    if (!closed && !placed) return;
    const pending = this.pendingByTransaction.get(manager) ?? { closed: new Map<string, string>(), rederive: new Map<string, string>() };
    this.pendingByTransaction.set(manager, pending);
    const rederive = (unitId: string) => pending.rederive.set(unitId, date > (pending.rederive.get(unitId) ?? '') ? date : (pending.rederive.get(unitId) as string));
    if (closed) pending.closed.set(after.unitId, date);
    if (placed) for (const parent of [before?.parentId, after.parentId]) if (parent) rederive(parent);
    if (!before) rederive(after.unitId);
    // The batch's closures end their units' statuses in one read (a reorganisation closes thousands), then its parents are queued once each.
    await atBatchEnd(manager, 'assessments-derive', async () => {
      const batch = this.pendingByTransaction.get(manager);
      this.pendingByTransaction.delete(manager);
      if (!batch) return;
      if (batch.closed.size) {
        const held = (await manager.query(
          `SELECT unit_id, programme, unit_kind FROM unit_statuses WHERE unit_id = ANY($1::uuid[]) AND status <> 'unit-closed' ORDER BY unit_id, programme`,
          [[...batch.closed.keys()]],
        )) as { unit_id: string; programme: string; unit_kind: UnitSnapshot['kind'] }[];
        for (const { unit_id, programme, unit_kind } of held) {
          await this.statuses.set(manager, { unitId: unit_id, unitKind: unit_kind, programme, status: 'unit-closed', since: batch.closed.get(unit_id) as string, source: 'tree' });
        }
      }
      if (batch.rederive.size) await this.statuses.queueDerivations(manager, [...batch.rederive].map(([unitId, on]) => ({ unitId, on })), null, 'units');
    });
  }
}
