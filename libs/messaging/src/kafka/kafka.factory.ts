import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';
import type { MessagingOptions } from '../messaging.options';

const logger = new Logger('Kafka');

/**
 * Deliberate choices kafkajs warns about: producer retries are bounded so that the outbox
 * relay regains control while the broker is away (delivery is at least once, consumers
 * drop duplicates).
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/** Routes kafkajs logs into the service logger instead of the console. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (EXPECTED_WARNINGS.some((w) => message.startsWith(w))) return;
    const text = `${message}${Object.keys(extra).length ? ' ' + JSON.stringify(extra) : ''}`;
    if (level === logLevel.ERROR) logger.error(text);
    else if (level === logLevel.WARN) logger.warn(text);
    else logger.debug(text);
  };
}

export function createKafka(options: Pick<MessagingOptions, 'brokers' | 'clientId' | 'ssl' | 'sasl'>): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    connectionTimeout: 3_000,
  };
  if (options.ssl) config.ssl = true;
  if (options.sasl) config.sasl = options.sasl as KafkaConfig['sasl'];
  return new Kafka(config);
}
