import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { withTimeout } from './timeout';
import { KAFKA_CLIENT } from './tokens';

interface Connection {
  admin: Admin;
  /** Calls using it now: a failed connection is closed once the last one is done. */
  users: number;
  failed: boolean;
}

/**
 * The one admin connection a service keeps for what asks the broker on a probe or a scrape
 * (readiness, consumer lag): connected on first use. After a failure the next use connects
 * afresh, while calls already on the failed connection finish on it.
 */
@Injectable()
export class BrokerAdmin implements OnApplicationShutdown {
  private current?: Connection;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  /** Runs `work` on the connection, failing after `timeoutMs` (a broker away must not hold up a probe). */
  async use<T>(work: (admin: Admin) => Promise<T>, timeoutMs: number): Promise<T> {
    const connection = (this.current ??= { admin: this.kafka.admin(), users: 0, failed: false });
    connection.users++;
    try {
      return await withTimeout(
        (async () => {
          await connection.admin.connect();
          return work(connection.admin);
        })(),
        timeoutMs,
      );
    } catch (error) {
      connection.failed = true;
      if (this.current === connection) this.current = undefined;
      throw error;
    } finally {
      connection.users--;
      if (connection.failed && connection.users === 0) await connection.admin.disconnect().catch(() => undefined);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.current;
    this.current = undefined;
    await connection?.admin.disconnect().catch(() => undefined);
  }
}
