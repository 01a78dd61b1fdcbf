import type { IHeaders } from 'kafkajs';

/** What a consumer attaches to a record it parks on its dead-letter topic; the dead-letter command reads them back. */
export const DLQ_HEADERS = {
  error: 'dlq-error',
  errorType: 'dlq-error-type',
  attempts: 'dlq-attempts',
  consumer: 'dlq-consumer',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
} as const;

/** A record header as text (kafkajs gives Buffers, or arrays of them). */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}
