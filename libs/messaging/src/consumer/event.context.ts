import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';

export interface EventDelivery {
  manager: EntityManager;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Handed to every event handler: `manager` is the open transaction in which the event id
 * is recorded. Write the effect (and any events it causes, through the outbox) with it.
 */
export class EventContext extends BaseRpcContext<[EventDelivery]> {
  get manager(): EntityManager {
    return this.args[0].manager;
  }

  get delivery(): EventDelivery {
    return this.args[0];
  }
}
