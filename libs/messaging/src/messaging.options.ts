import type { ServiceName } from '@antq/contracts';

export interface MessagingOptions {
  /** The service publishing and consuming: names the event source, consumer group and DLQ. */
  service: ServiceName;
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name, so that deployments and test runs can share a cluster. */
  topicPrefix: string;
  /** Consumer group id; defaults to the service name (prefixed). */
  groupId?: string;
  /** Attempts for a failing handler before its message goes to the dead-letter topic. */
  maxAttempts: number;
  /** First retry delay; doubles with each attempt. */
  retryBackoffMs: number;
  /** How long the group waits for a silent member before taking its partitions. */
  sessionTimeoutMs: number;
  /** Partitions one instance processes at once. */
  partitionsConsumedConcurrently: number;
  outbox: {
    /** Whether this instance runs the relay (one instance at a time publishes, by lock). */
    relayEnabled: boolean;
    batchSize: number;
    /** Fallback poll interval; commits wake the relay at once through NOTIFY. */
    pollIntervalMs: number;
  };
  inbox: {
    /** Processed event ids older than this are forgotten; 0 keeps them for ever. */
    retentionDays: number;
  };
  /** Optional TLS/SASL for managed clusters. */
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
