import { Controller, Inject, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent, UnitMergedData, UnitSnapshot, UnitSplitData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import { UnitReplicaRepository } from './unit-replica.repository';
import { UNIT_TREE_OBSERVER, type UnitTreeObserver } from './unit-tree-observer';

/** Keeps the replica in step with the registry: every unit event carries the unit's new state. */
@Controller()
export class UnitEventsHandler {
  constructor(
    private readonly replica: UnitReplicaRepository,
    @Optional() @Inject(UNIT_TREE_OBSERVER) private readonly observer?: UnitTreeObserver | null,
  ) {}

  private async apply(manager: EntityManager, unit: UnitSnapshot): Promise<void> {
    const applied = await this.replica.apply(manager, unit);
    if (applied && this.observer) await this.observer.onUnitChanged(manager, applied.before, unit);
  }

  @EventPattern(['antq.units.unit-created.v1', 'antq.units.unit-updated.v1', 'antq.units.unit-moved.v1', 'antq.units.unit-closed.v1'])
  async onUnitChanged(@Payload() event: CloudEvent<UnitSnapshot>, @Ctx() context: EventContext): Promise<void> {
    await this.apply(context.manager, event.data);
  }

  @EventPattern('antq.units.unit-merged.v1')
  async onUnitMerged(@Payload() event: CloudEvent<UnitMergedData>, @Ctx() context: EventContext): Promise<void> {
    await this.apply(context.manager, event.data);
    await this.replica.recordLineage(
      context.manager,
      event.data.predecessorIds.map((predecessorId) => ({ predecessorId, successorId: event.data.unitId, kind: 'merge', effectiveDate: event.data.effectiveFrom })),
    );
  }

  @EventPattern('antq.units.unit-split.v1')
  async onUnitSplit(@Payload() event: CloudEvent<UnitSplitData>, @Ctx() context: EventContext): Promise<void> {
    await this.apply(context.manager, event.data);
    await this.replica.recordLineage(
      context.manager,
      event.data.successorIds.map((successorId) => ({ predecessorId: event.data.unitId, successorId, kind: 'split', effectiveDate: event.data.effectiveFrom })),
    );
  }
}
