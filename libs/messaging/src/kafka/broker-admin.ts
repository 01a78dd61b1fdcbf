import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { withTimeout } from './timeout';
import { KAFKA_CLIENT } from './tokens';

/**
 * The one admin connection a service keeps for what asks the broker on a probe or a scrape
 * (readiness, consumer lag): connected on first use, and dropped after a failure so that
 * the next use connects afresh.
 */
@Injectable()
export class BrokerAdmin implements OnApplicationShutdown {
  private admin?: Admin;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  /** Runs `work` on the connection, failing after `timeoutMs` (a broker away must not hold up a probe). */
  async use<T>(work: (admin: Admin) => Promise<T>, timeoutMs: number): Promise<T> {
    const admin = (this.admin ??= this.kafka.admin());
    try {
      return await withTimeout(
        (async () => {
          await admin.connect();
          return work(admin);
        })(),
        timeoutMs,
      );
    } catch (error) {
      if (this.admin === admin) this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
