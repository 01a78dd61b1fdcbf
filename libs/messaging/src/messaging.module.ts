import { Module, type DynamicModule, type FactoryProvider, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import { ConsumerHealthIndicator } from './consumer/consumer.health';
import { EventConsumer } from './consumer/event-consumer.server';
import { EventFactory } from './event.factory';
import { InboxPruner } from './inbox/inbox.pruner';
import { createKafka } from './kafka/kafka.factory';
import { BrokerAdmin } from './kafka/broker-admin';
import { KafkaHealthIndicator } from './kafka/kafka.health';
import { KAFKA_PRODUCER, ReliableProducer } from './kafka/producer';
import { KAFKA_CLIENT } from './kafka/tokens';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxService } from './outbox/outbox.service';

export interface MessagingModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
}

/** Kafka client, producer, outbox, relay and the event consumer of one service. */
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_PRODUCER) private readonly producer: ReliableProducer) {}

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [...(options.imports ?? []), TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: KAFKA_CLIENT,
          useFactory: (opts: MessagingOptions) => createKafka(opts),
          inject: [MESSAGING_OPTIONS],
        },
        { provide: KAFKA_PRODUCER, useFactory: (kafka: Kafka) => new ReliableProducer(kafka), inject: [KAFKA_CLIENT] },
        EventFactory,
        OutboxService,
        OutboxRelay,
        EventConsumer,
        BrokerAdmin,
        KafkaHealthIndicator,
        ConsumerHealthIndicator,
        InboxPruner,
      ],
      exports: [MESSAGING_OPTIONS, KAFKA_CLIENT, KAFKA_PRODUCER, EventFactory, OutboxService, OutboxRelay, EventConsumer, KafkaHealthIndicator, ConsumerHealthIndicator, InboxPruner],
    };
  }

  /** The producer goes last: the consumer may still dead-letter while it drains. */
  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
