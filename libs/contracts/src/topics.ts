/** The services that own topics and consume events. */
export const SERVICES = ['units-registry', 'assessments', 'campaigns', 'notifications'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface TopicDefinition {
  name: string;
  partitions: number;
  description: string;
  /** Retention in milliseconds; -1 keeps records forever (event log topics). */
  retentionMs: number;
}

/** Each service publishes its events on one topic, keyed by the aggregate (unit) id. */
export const EVENT_TOPICS = {
  units: {
    name: 'antq.units-registry.events',
    partitions: 6,
    retentionMs: -1,
    description: 'Unit registry changes, keyed by unit id.',
  },
  assessments: {
    name: 'antq.assessments.events',
    partitions: 6,
    retentionMs: -1,
    description: 'Assessment workflow steps and unit status changes, keyed by unit id.',
  },
  campaigns: {
    name: 'antq.campaigns.events',
    partitions: 6,
    retentionMs: -1,
    description: 'Scoreboards (keyed by unit id) and target progress (keyed by the campaign scope unit id).',
  },
  notifications: {
    name: 'antq.notifications.events',
    partitions: 6,
    retentionMs: -1,
    description: 'Alerts raised and notifications delivered or failed, keyed by the unit the alert is about.',
  },
} as const satisfies Record<string, TopicDefinition>;

export type EventTopicKey = keyof typeof EVENT_TOPICS;

/** Where a consumer parks messages it cannot process, with the error in the headers. */
export function deadLetterTopic(consumer: ServiceName): TopicDefinition {
  return {
    name: `antq.${consumer}.dlq`,
    partitions: 1,
    retentionMs: 30 * 24 * 3600 * 1000,
    description: `Messages the ${consumer} service could not process, with the error attached.`,
  };
}

/** Every topic the platform declares; the local stack and deployments create them. */
export function allTopics(): TopicDefinition[] {
  return [...Object.values(EVENT_TOPICS), ...SERVICES.map(deadLetterTopic)];
}

/** Deployments and test runs may share a cluster by prefixing every topic name. */
export function prefixedTopic(prefix: string, name: string): string {
  return prefix ? `${prefix}${name}` : name;
}
