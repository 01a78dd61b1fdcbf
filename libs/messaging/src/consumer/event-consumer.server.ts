import { Inject, Injectable, Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { ClsService } from 'nestjs-cls';
import { lastValueFrom } from 'rxjs';
import { DataSource, type EntityManager } from 'typeorm';
import { deadLetterTopic, isKnownEventType, prefixedTopic, topicOf, type CloudEvent } from '@antq/contracts';
import type { AntqClsStore } from '../execution-context';
import { claimEvents, releaseEvent, releaseEvents } from '../inbox/inbox';
import { BrokerAdmin } from '../kafka/broker-admin';
import { DLQ_HEADERS } from '../kafka/headers';
import { KAFKA_PRODUCER, type ReliableProducer } from '../kafka/producer';
import { KAFKA_CLIENT } from '../kafka/tokens';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { consumerBatchDuration, consumerSources, eventsConsumed } from '../metrics';
import { isTransientDatabaseError, NonRetryableEventError } from './event-errors';
import { closeBatch, openBatch } from './batch-hooks';
import { decodeEvent } from './event-validation';
import { EventContext, type EventDelivery } from './event.context';

type Item = { message: KafkaMessage; event: CloudEvent; error?: never } | { message: KafkaMessage; event?: never; error: Error };

/** Counts one record's outcome, by event type, for the consumed-records metric. */
function tally(outcomes: Map<string, number>, type: string, outcome: 'applied' | 'duplicate' | 'ignored' | 'dead-lettered'): void {
  outcomes.set(`${type} ${outcome}`, (outcomes.get(`${type} ${outcome}`) ?? 0) + 1);
}

interface DeadLetter {
  item: Item;
  error: Error;
  attempts: number;
}

/** A handler failed during the optimistic pass; the batch is replayed message by message. */
class HandlerFailure extends Error {}

/** How many of a batch's messages settled, and what became of them (`"<type> <outcome>"` -> count). */
interface Settled {
  done: number;
  outcomes: Map<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longest sleep between heartbeats while a message waits for its next attempt. */
const HEARTBEAT_SLICE_MS = 1_000;

/** What went wrong, whatever was thrown: a handler may reject with anything, even nothing. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
/** Replays of a batch that met a deadlock or lost its connection, before kafkajs's own retries. */
const TRANSIENT_ATTEMPTS = 5;

/**
 * The Kafka side of a service: a Nest microservice transport whose `@EventPattern(type)`
 * handlers receive validated CloudEvents. For each partition batch it opens one
 * transaction, records the event ids (duplicates are skipped), runs the handlers with that
 * transaction, and commits before the offsets. A handler that keeps failing is retried a
 * bounded number of times inside a savepoint, then its message goes to the dead-letter
 * topic with the error attached and the partition moves on.
 */
@Injectable()
export class EventConsumer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(EventConsumer.name);
  private consumer?: Consumer;
  private topics: string[] = [];
  readonly groupId: string;
  private readonly deadLetterTopic: string;
  /** Handlers by event type: Nest's pattern lookup parses the pattern on every call. */
  private readonly handlers = new Map<string, MessageHandler | null>();
  /** Why the consumer stopped for good, if it did: the service then consumes no more until restarted. */
  private stoppedBy?: string;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: ReliableProducer,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cls: ClsService<AntqClsStore>,
    private readonly broker: BrokerAdmin,
  ) {
    super();
    this.groupId = options.groupId ?? prefixedTopic(options.topicPrefix, options.service);
    this.deadLetterTopic = prefixedTopic(options.topicPrefix, deadLetterTopic(options.service).name);
  }

  /** Set once kafkajs has given up on the consumer (an error it does not retry): the process must be restarted. */
  get failure(): string | undefined {
    return this.stoppedBy;
  }

  /** Event types this service handles, from its `@EventPattern` handlers. */
  handledTypes(): string[] {
    return [...this.messageHandlers.keys()];
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const types = this.handledTypes();
      const unknown = types.filter((type) => !isKnownEventType(type));
      if (unknown.length) throw new Error(`Handlers for event types missing from the catalogue: ${unknown.join(', ')}`);
      if (!types.length) return callback();
      const topics = [...new Set(types.map((type) => prefixedTopic(this.options.topicPrefix, topicOf(type as never))))];
      this.topics = topics;

      this.consumer = this.kafka.consumer({
        groupId: this.groupId,
        sessionTimeout: this.options.sessionTimeoutMs,
        heartbeatInterval: Math.min(3_000, Math.floor(this.options.sessionTimeoutMs / 3)),
        allowAutoTopicCreation: false,
      });
      this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
        this.log.error(`Consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
        // kafkajs restarts the consumer after errors it retries; after any other it stays stopped.
        if (!payload.restart) this.stoppedBy = payload.error.message;
      });
      await this.consumer.connect();
      await this.consumer.subscribe({ topics, fromBeginning: true });
      await this.consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.processBatch(payload),
      });
      consumerSources.add(this);
      this.log.log(`Consuming ${topics.join(', ')} as ${this.groupId}`);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Leaves the group after the batches in flight have been committed. */
  async close(): Promise<void> {
    consumerSources.delete(this);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  /**
   * Records each partition of the consumed topics holds beyond this group's committed
   * offset: what the service has yet to apply. Asks the broker, so it is read on a scrape,
   * and gives up after `timeoutMs`.
   */
  async lag(timeoutMs = 2_000): Promise<{ topic: string; partition: number; lag: number }[]> {
    if (!this.consumer) return [];
    return this.broker.use((admin) => this.lagOf(admin), timeoutMs);
  }

  private async lagOf(admin: Admin): Promise<{ topic: string; partition: number; lag: number }[]> {
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: this.topics });
    const lags: { topic: string; partition: number; lag: number }[] = [];
    for (const topic of this.topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const offset = done.find((p) => p.partition === end.partition)?.offset ?? '-1';
        // Nothing committed yet: the group starts from the earliest record still held.
        const from = offset === '-1' ? BigInt(end.low) : BigInt(offset);
        lags.push({ topic, partition: end.partition, lag: Number(BigInt(end.high) - from) });
      }
    }
    return lags;
  }

  on(): never {
    throw new Error('EventConsumer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const endTimer = consumerBatchDuration.startTimer({ topic: payload.batch.topic });
    const items: Item[] = payload.batch.messages.map((message) => {
      try {
        return { message, event: decodeEvent(message.value, message.key?.toString() ?? null) };
      } catch (error) {
        return { message, error: error as Error };
      }
    });
    let settled: Settled = { done: 0, outcomes: new Map() };
    for (let attempt = 1; ; attempt++) {
      try {
        try {
          settled = await this.applyBatch(items, payload, false);
        } catch (error) {
          if (!(error instanceof HandlerFailure)) throw error;
          settled = await this.applyBatch(items, payload, true);
        }
        break;
      } catch (error) {
        // A deadlock with another partition's batch: take a breath and replay this batch.
        if (!isTransientDatabaseError(error) || attempt >= TRANSIENT_ATTEMPTS) throw error;
        await sleep(25 * 2 ** attempt);
      }
    }
    // Counted once the batch's transaction has committed, before its offsets: a batch replayed
    // after a deadlock counts once, and one whose offsets the broker could not take (it is
    // delivered again, its events then found applied) counts what it applied all the same.
    for (const [key, count] of settled.outcomes) {
      const [type, outcome] = key.split(' ');
      eventsConsumed.inc({ type, outcome }, count);
    }
    for (const item of items.slice(0, settled.done)) payload.resolveOffset(item.message.offset);
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
    endTimer();
  }

  /**
   * Applies a batch in one transaction and returns how many messages it settled. The first,
   * optimistic pass runs all handlers straight through; `careful` isolates each message in a
   * savepoint so that one failing message cannot undo the others.
   */
  private async applyBatch(items: Item[], payload: EachBatchPayload, careful: boolean): Promise<Settled> {
    const { topic, partition } = payload.batch;
    // Only events of types this service does not handle (a topic it shares with others): no
    // transaction, which would be two round trips to commit nothing.
    if (items.every((i) => i.event && !this.handlerOf(i.event.type))) {
      if (!payload.isRunning() || payload.isStale()) return { done: 0, outcomes: new Map() };
      const outcomes = new Map<string, number>();
      for (const { event } of items) if (event) tally(outcomes, event.type, 'ignored');
      return { done: items.length, outcomes };
    }
    return this.dataSource.transaction(async (manager) => {
      openBatch(manager);
      const outcomes = new Map<string, number>();
      const deadLetters: DeadLetter[] = [];
      const handled = items.flatMap((i) => (i.event && this.handlerOf(i.event.type) ? [i.event] : []));
      const fresh = await claimEvents(manager, this.groupId, handled);
      let done = 0;
      for (const item of items) {
        if (!payload.isRunning() || payload.isStale()) break;
        done++;
        const { event } = item;
        if (!event) {
          deadLetters.push({ item, error: item.error, attempts: 0 });
          tally(outcomes, 'invalid', 'dead-lettered');
          continue;
        }
        const handler = this.handlerOf(event.type);
        // Unhandled types and events already applied settle without effect.
        if (!handler) {
          tally(outcomes, event.type, 'ignored');
          continue;
        }
        if (!fresh.delete(event.id)) {
          tally(outcomes, event.type, 'duplicate');
          continue;
        }
        const delivery = { manager, topic, partition, offset: item.message.offset };
        if (!careful) {
          try {
            await this.invoke(handler, event, delivery);
          } catch (error) {
            if (isTransientDatabaseError(error)) throw error;
            throw new HandlerFailure(messageOf(error));
          }
          tally(outcomes, event.type, 'applied');
          continue;
        }
        const failure = await this.invokeWithRetries(handler, event, delivery, `${topic}/${partition}/${item.message.offset}`, () => payload.heartbeat());
        if (failure) {
          deadLetters.push({ item, ...failure });
          await releaseEvent(manager, this.groupId, event.id);
          tally(outcomes, event.type, 'dead-lettered');
        } else {
          tally(outcomes, event.type, 'applied');
        }
        await payload.heartbeat();
      }
      // Stopped or rebalanced mid-batch: the events not reached were claimed above but not
      // applied. Release them, or whoever consumes them next would take them for done.
      if (fresh.size) await releaseEvents(manager, this.groupId, [...fresh]);
      try {
        await this.runDeferred(manager, `${topic}/${partition}/${payload.batch.firstOffset()}`);
      } catch (error) {
        // Deferred work that fails is some message's failure: the careful replay finds which.
        if (careful || isTransientDatabaseError(error)) throw error;
        throw new HandlerFailure(messageOf(error));
      }
      if (deadLetters.length) {
        await this.producer.send(
          this.deadLetterTopic,
          deadLetters.map((d) => this.toDeadLetter(d, topic, partition)),
        );
        for (const d of deadLetters) {
          this.log.warn(`Dead-lettered ${topic}[${partition}]@${d.item.message.offset} (correlation ${d.item.event?.correlationid ?? 'unknown'}): ${d.error.message}`);
        }
      }
      return { done, outcomes };
    });
  }

  /**
   * One message in a savepoint, its deferred work included, so that whatever fails is
   * charged to it alone. Each attempt gets an entity manager of its own on the batch's
   * transaction: work and state that handlers keep per manager for the batch end start
   * empty, and what a failed attempt left behind is dropped with its manager.
   */
  private async invokeWithRetries(
    handler: MessageHandler,
    event: CloudEvent,
    delivery: EventDelivery,
    position: string,
    heartbeat: () => Promise<void>,
  ): Promise<{ error: Error; attempts: number } | undefined> {
    const { manager } = delivery;
    for (let attempt = 1; ; attempt++) {
      await manager.query('SAVEPOINT antq_event');
      try {
        const own = manager.connection.createEntityManager(manager.queryRunner);
        openBatch(own);
        await this.invoke(handler, event, { ...delivery, manager: own });
        await this.runDeferred(own, position);
        await manager.query('RELEASE SAVEPOINT antq_event');
        return undefined;
      } catch (error) {
        // Deadlocks and lost connections are the database's trouble, not the message's:
        // the whole batch is retried. If the database is gone, the rollback throws too.
        if (isTransientDatabaseError(error)) throw error;
        await manager.query('ROLLBACK TO SAVEPOINT antq_event');
        const failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof NonRetryableEventError || attempt >= this.options.maxAttempts) {
          return { error: failure, attempts: attempt };
        }
        this.log.warn(`Retrying ${event.type} ${event.id} (attempt ${attempt}): ${failure.message}`);
        await this.waitHeartbeating(this.options.retryBackoffMs * 2 ** (attempt - 1), heartbeat);
      }
    }
  }

  /**
   * Waits before a retry, heartbeating meanwhile: the group would otherwise take a member
   * that retries longer than its session for dead, and the batch with its verdicts would be
   * thrown away and fetched again, for ever.
   */
  private async waitHeartbeating(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    for (let left = ms; left > 0; left -= HEARTBEAT_SLICE_MS) {
      await sleep(Math.min(left, HEARTBEAT_SLICE_MS));
      await heartbeat();
    }
  }

  /**
   * Runs the work handlers deferred to the end of the batch, inside its transaction, on
   * behalf of the service itself: it sums up changes that several agencies may have made.
   */
  private runDeferred(manager: EntityManager, correlationId: string): Promise<void> {
    return this.cls.run(async () => {
      this.cls.set('actor', { agency: `antq-${this.options.service}`, principal: 'system', roles: [] });
      this.cls.set('correlationId', correlationId);
      await closeBatch(manager);
    });
  }

  private handlerOf(type: string): MessageHandler | null {
    let handler = this.handlers.get(type);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(type);
      this.handlers.set(type, handler);
    }
    return handler;
  }

  private invoke(handler: MessageHandler, event: CloudEvent, delivery: EventDelivery): Promise<void> {
    return this.cls.run(async () => {
      this.cls.set('correlationId', event.correlationid);
      this.cls.set('causationId', event.id);
      this.cls.set('actor', { agency: event.agency, principal: event.principal, roles: [] });
      const result: unknown = await handler(event, new EventContext([delivery]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    });
  }

  private toDeadLetter({ item, error, attempts }: DeadLetter, topic: string, partition: number) {
    const headers: IHeaders = {
      ...item.message.headers,
      [DLQ_HEADERS.error]: error.message.slice(0, 4_000),
      [DLQ_HEADERS.errorType]: error.name,
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.consumer]: this.groupId,
      [DLQ_HEADERS.sourceTopic]: topic,
      [DLQ_HEADERS.sourcePartition]: String(partition),
      [DLQ_HEADERS.sourceOffset]: item.message.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    return { key: item.message.key, value: item.message.value, headers };
  }
}
