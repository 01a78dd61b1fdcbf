import { HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import type { ClsService } from 'nestjs-cls';
import type { BrokerAdmin } from '../kafka/broker-admin';
import type { ReliableProducer } from '../kafka/producer';
import type { MessagingOptions } from '../messaging.options';
import { ConsumerHealthIndicator } from './consumer.health';
import { EventConsumer } from './event-consumer.server';

describe('EventConsumer after kafkajs gives up on it', () => {
  function consumerWithCrash() {
    let crash: ((event: { payload: { error: Error; restart: boolean } }) => void) | undefined;
    const kafkaConsumer = {
      events: { CRASH: 'consumer.crash' },
      on: (_: string, listener: typeof crash) => (crash = listener),
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async () => undefined,
      disconnect: async () => undefined,
    };
    const kafka = { consumer: () => kafkaConsumer } as unknown as Kafka;
    const options = { service: 'campaigns', topicPrefix: '', sessionTimeoutMs: 30_000, partitionsConsumedConcurrently: 1 } as MessagingOptions;
    const server = new EventConsumer(options, kafka, {} as ReliableProducer, {} as DataSource, {} as ClsService, {} as BrokerAdmin);
    server.addHandler('antq.units.unit-created.v1', async () => undefined, true);
    return { server, crash: (restart: boolean) => crash?.({ payload: { error: new Error('MESSAGE_TOO_LARGE'), restart } }) };
  }

  it('stays alive through a crash kafkajs restarts it from, and reports itself dead after one it does not', async () => {
    const { server, crash } = consumerWithCrash();
    await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
    const health = new ConsumerHealthIndicator(server, new HealthIndicatorService());
    expect(health.isConsuming()).toEqual({ consumer: { status: 'up' } });
    crash(true);
    expect(health.isConsuming()).toEqual({ consumer: { status: 'up' } });
    crash(false);
    expect(server.failure).toBe('MESSAGE_TOO_LARGE');
    expect(health.isConsuming()).toEqual({ consumer: { status: 'down', message: 'the event consumer stopped for good: MESSAGE_TOO_LARGE' } });
    await server.close();
  });
});
