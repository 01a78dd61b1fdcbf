export * from './consumer/batch-hooks';
export * from './consumer/event-consumer.server';
export * from './consumer/event-errors';
export * from './consumer/event-validation';
export * from './consumer/event.context';
export * from './event.factory';
export * from './execution-context';
export * from './inbox/inbox';
export * from './inbox/inbox.pruner';
export * from './inbox/processed-event.entity';
export * from './kafka/kafka.factory';
export * from './kafka/kafka.health';
export * from './kafka/producer';
export * from './kafka/tokens';
export * from './kafka/topics.admin';
export * from './messaging.module';
export * from './messaging.options';
export * from './migrations/1764100000000-messaging-tables';
export * from './migrations/1764100008000-inbox-retention';
export * from './outbox/outbox-message.entity';
export * from './outbox/outbox.relay';
export * from './outbox/outbox.service';

import { ProcessedEvent } from './inbox/processed-event.entity';
import { OutboxMessage } from './outbox/outbox-message.entity';
/** Entities every service registers with its data source. */
export const MESSAGING_ENTITIES = [OutboxMessage, ProcessedEvent];
export * from './kafka/dead-letters';
export * from './metrics';
