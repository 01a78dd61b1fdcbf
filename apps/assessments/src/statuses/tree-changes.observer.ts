import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import type { ReplicaState, UnitTreeObserver } from '@antq/unit-replica';
import { UnitStatusService } from './unit-status.service';

/**
 * What tree changes do to statuses (documented in the README):
 * - a closed unit's statuses end (`unit-closed`), and its parent is re-derived;
 * - a moved unit's old and new parents are re-derived;
 * - a new unit starts unassessed (a unit formed by a merger too: the old units keep their
 *   history, reachable through lineage), and its parent is re-derived.
 */
@Injectable()
export class TreeChangesObserver implements UnitTreeObserver {
  constructor(private readonly statuses: UnitStatusService) {}

  async onUnitChanged(manager: EntityManager, before: ReplicaState | null, after: UnitSnapshot): Promise<void> {
    const programmes = (await manager.query('SELECT DISTINCT programme FROM programme_versions WHERE definition -> \'derivation\' IS NOT NULL')) as { programme: string }[];
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
    const parents = new Set([before?.parentId, after.parentId].filter((p): p is string => !!p));
    if (before && before.parentId === after.parentId && before.status === after.status) return;
    for (const { programme } of programmes) for (const parent of parents) await this.statuses.derive(manager, parent, programme, date);
  }
}
