import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EventConsumer } from './event-consumer.server';

/**
 * Liveness: the consumer has not stopped for good. kafkajs gives up on a consumer after an
 * error it does not retry; the service would go on answering HTTP while its replicas and
 * aggregates froze, so it reports itself dead and its orchestrator restarts it.
 */
@Injectable()
export class ConsumerHealthIndicator {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly health: HealthIndicatorService,
  ) {}

  isConsuming(key = 'consumer') {
    const indicator = this.health.check(key);
    const failure = this.consumer.failure;
    return failure ? indicator.down({ message: `the event consumer stopped for good: ${failure}` }) : indicator.up();
  }
}
