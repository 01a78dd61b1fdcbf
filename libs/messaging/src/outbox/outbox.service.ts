import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prefixedTopic, topicOf, type CloudEvent, type EventType } from '@antq/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

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
    // One round trip: the rows, in order (ids follow the list), and the relay's wake-up,
    // delivered at commit so that it wakes exactly when there is something to send.
    await manager.query(
      `WITH appended AS (
         INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload)
         SELECT event_id, topic, message_key, event_type, payload
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
             AS e(event_id, topic, message_key, event_type, payload, position)
          ORDER BY position
         RETURNING 1
       )
       SELECT pg_notify($6, '') FROM (SELECT 1 FROM appended LIMIT 1) AS any_row`,
      [
        events.map((event) => event.id),
        events.map((event) => prefixedTopic(this.options.topicPrefix, topicOf(event.type as EventType))),
        events.map((event) => event.subject),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event)),
        OUTBOX_CHANNEL,
      ],
    );
  }
}
