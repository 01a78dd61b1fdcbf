import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prefixedTopic, topicOf, type CloudEvent, type EventType } from '@antq/contracts';
import { NonRetryableEventError } from '../consumer/event-errors';
import { MAX_SEND_BYTES } from '../kafka/producer';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';

export const OUTBOX_CHANNEL = 'antq_outbox';

/**
 * A change would emit an event larger than one send to the broker carries (MAX_SEND_BYTES):
 * it could never go out and would hold back every event after it, so the change is refused
 * (a consumed event is dead-lettered).
 */
export class EventTooLargeError extends NonRetryableEventError {
  override readonly name = 'EventTooLargeError';
}

/**
 * A data-modifying statement (INSERT, UPDATE or DELETE, without a WITH of its own) that
 * runs in the same statement as the outbox insert, as one of its CTEs: a change and its
 * events in one round trip. Its placeholders ($1, $2, ...) number its own `params`.
 */
export interface CoWrite {
  sql: string;
  params: unknown[];
}

/**
 * Appends events to the outbox inside the caller's transaction. Write the aggregate row
 * before appending its events (or with them, as a co-write): the row lock then orders one
 * aggregate's events by commit.
 */
@Injectable()
export class OutboxService {
  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  async append(manager: EntityManager, events: CloudEvent[], coWrites: CoWrite[] = []): Promise<void> {
    if (!events.length && !coWrites.length) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.append must run inside a transaction');
    }
    const params: unknown[] = [];
    const ctes = coWrites.map((write, i) => {
      const offset = params.length;
      params.push(...write.params);
      return `write_${i} AS (${write.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
    });
    const payloads = events.map((event) => JSON.stringify(event));
    payloads.forEach((payload, i) => {
      // Counting bytes only where the characters alone could be too many (a character is at most 3 bytes in UTF-8).
      const bytes = payload.length * 3 > MAX_SEND_BYTES ? Buffer.byteLength(payload) : 0;
      if (bytes > MAX_SEND_BYTES) {
        throw new EventTooLargeError(`The change would emit an event (${events[i].type}) of ${bytes} bytes, more than the ${MAX_SEND_BYTES} an event may take: nothing was changed`);
      }
    });
    const at = params.length;
    params.push(
      events.map((event) => event.id),
      events.map((event) => prefixedTopic(this.options.topicPrefix, topicOf(event.type as EventType))),
      events.map((event) => event.subject),
      events.map((event) => event.type),
      payloads,
      OUTBOX_CHANNEL,
    );
    // One round trip: the co-writes, the rows in order (ids follow the list), and the
    // relay's wake-up, delivered at commit so that it wakes exactly when there is something to send.
    await manager.query(
      `WITH ${[
        ...ctes,
        `appended AS (
           INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload)
           SELECT event_id, topic, message_key, event_type, payload
             FROM unnest($${at + 1}::uuid[], $${at + 2}::text[], $${at + 3}::text[], $${at + 4}::text[], $${at + 5}::text[]) WITH ORDINALITY
               AS e(event_id, topic, message_key, event_type, payload, position)
            ORDER BY position
           RETURNING 1
         )`,
      ].join(',\n')}
       SELECT pg_notify($${at + 6}, '') FROM (SELECT 1 FROM appended LIMIT 1) AS any_row`,
      params,
    );
  }
}
