import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BrokerAdmin } from './broker-admin';

/** Readiness: the broker answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly broker: BrokerAdmin,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka', timeoutMs = 2_000) {
    const indicator = this.health.check(key);
    try {
      await this.broker.use((admin) => admin.describeCluster(), timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
