import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import { ALERTABLE_EVENT_TYPES } from '../rules/event-fields';
import { AlertsService } from './alerts.service';

/** Every event rules may be written for goes through the rules, in the batch's transaction. */
@Controller()
export class AlertEventsHandler {
  constructor(private readonly alerts: AlertsService) {}

  @EventPattern(ALERTABLE_EVENT_TYPES)
  async onEvent(@Payload() event: CloudEvent, @Ctx() context: EventContext): Promise<void> {
    await this.alerts.onEvent(context.manager, event);
  }
}
