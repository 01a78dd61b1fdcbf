import { UnitCreatedData } from './events/units.events';
import { EVENT_TOPICS, type EventTopicKey, type ServiceName } from './topics';

type DataClass<T> = new () => T;

export interface EventDefinition<T = unknown> {
  /** The topic the event travels on. */
  topic: EventTopicKey;
  /** The service that publishes the event. */
  producer: ServiceName;
  /** The class-validator class of `data`: the single source of its JSON Schema. */
  dataClass: DataClass<T>;
  summary: string;
}

function define<T>(definition: EventDefinition<T>): EventDefinition<T> {
  return definition;
}

/**
 * The event catalogue: every event type the platform publishes, its payload class and
 * topic. JSON Schemas and the AsyncAPI document are generated from this map.
 */
export const EVENT_CATALOGUE = {
  'antq.units.unit-created.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitCreatedData,
    summary: 'A unit was added to the registry.',
  }),
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventData<T extends EventType> =
  (typeof EVENT_CATALOGUE)[T] extends EventDefinition<infer D> ? D : never;

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type);
}

export function topicOf(type: EventType): string {
  return EVENT_TOPICS[EVENT_CATALOGUE[type].topic].name;
}
