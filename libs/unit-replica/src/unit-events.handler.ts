import { Controller, Inject, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent, UnitMergedData, UnitSnapshot, UnitSplitData } from '@antq/contracts';
import { atBatchEnd, EventContext } from '@antq/messaging';
import { Clock } from '@antq/platform';
import { UnitReplicaRepository, type LineageEdge } from './unit-replica.repository';
import { UNIT_TREE_OBSERVER, type UnitTreeObserver } from './unit-tree-observer';

/** Keeps the replica in step with the registry: every unit event carries the unit's new state. */
@Controller()
export class UnitEventsHandler {
  constructor(
    private readonly replica: UnitReplicaRepository,
    private readonly clock: Clock,
    @Optional() @Inject(UNIT_TREE_OBSERVER) private readonly observer?: UnitTreeObserver | null,
  ) {}

  /**
   * Collects the batch's unit states and lineage edges and applies them together when the
   * batch ends: a handful of statements per batch instead of several per event.
   */
  private async apply(manager: EntityManager, unit: UnitSnapshot, lineage: LineageEdge[] = []): Promise<void> {
    const pending = this.pending.get(manager) ?? { units: [], lineage: [] };
    pending.units.push(unit);
    pending.lineage.push(...lineage);
    this.pending.set(manager, pending);
    await atBatchEnd(manager, 'unit-replica', async () => {
      const batch = this.pending.get(manager) ?? { units: [], lineage: [] };
      this.pending.delete(manager);
      await this.replica.recordLineage(manager, batch.lineage);
      const { changes, rewrites } = await this.replica.applyMany(manager, batch.units, this.clock.today());
      if (!this.observer) return;
      for (const change of changes) await this.observer.onUnitChanged(manager, change);
      for (const rewrite of rewrites) await this.observer.onHistoryRewritten?.(manager, rewrite);
    }, 'replicate');
  }

  private readonly pending = new WeakMap<EntityManager, { units: UnitSnapshot[]; lineage: LineageEdge[] }>();

  @EventPattern(['antq.units.unit-created.v1', 'antq.units.unit-updated.v1', 'antq.units.unit-moved.v1', 'antq.units.unit-closed.v1'])
  async onUnitChanged(@Payload() event: CloudEvent<UnitSnapshot>, @Ctx() context: EventContext): Promise<void> {
    await this.apply(context.manager, event.data);
  }

  @EventPattern('antq.units.unit-merged.v1')
  async onUnitMerged(@Payload() event: CloudEvent<UnitMergedData>, @Ctx() context: EventContext): Promise<void> {
    const { unitId, predecessorIds, effectiveFrom } = event.data;
    await this.apply(context.manager, event.data, predecessorIds.map((predecessorId) => ({ predecessorId, successorId: unitId, kind: 'merge', effectiveDate: effectiveFrom })));
  }

  @EventPattern('antq.units.unit-split.v1')
  async onUnitSplit(@Payload() event: CloudEvent<UnitSplitData>, @Ctx() context: EventContext): Promise<void> {
    const { unitId, successorIds, effectiveFrom } = event.data;
    await this.apply(context.manager, event.data, successorIds.map((successorId) => ({ predecessorId: unitId, successorId, kind: 'split', effectiveDate: effectiveFrom })));
  }
}
