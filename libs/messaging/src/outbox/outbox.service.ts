import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prefixedTopic, topicOf, type CloudEvent, type EventType } from '@antq/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { OutboxMessage } from './outbox-message.entity';

export const OUTBOX_CHANNEL = 'antq_outbox';

/**
 * Appends events to the outbox inside the caller's transaction. Write the aggregate row
 * before appending its events: the row lock then orders one aggregate's events by commit.
 */
@Injectable()
export class OutboxService {
  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  async append(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    if (!events.length) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.append must run inside a transaction');
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxMessage)
      .values(
        events.map((event) => ({
          eventId: event.id,
          topic: prefixedTopic(this.options.topicPrefix, topicOf(event.type as EventType)),
          messageKey: event.subject,
          eventType: event.type,
          payload: JSON.stringify(event),
        })),
      )
      .execute();
    // Delivered at commit, so the relay wakes exactly when there is something to send.
    await manager.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
  }
}
