import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent, UnitCreatedData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import { UnitReplicaRepository } from './unit-replica.repository';

/** Keeps the replica in step with the registry's unit events. */
@Controller()
export class UnitEventsHandler {
  constructor(private readonly replica: UnitReplicaRepository) {}

  @EventPattern('antq.units.unit-created.v1')
  async onUnitCreated(@Payload() event: CloudEvent<UnitCreatedData>, @Ctx() context: EventContext): Promise<void> {
    await this.replica.apply(context.manager, event.data);
  }
}
