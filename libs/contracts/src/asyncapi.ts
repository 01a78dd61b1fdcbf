import { CLOUD_EVENTS_CONTENT_TYPE, REDRIVEN_FROM_HEADER } from './cloud-event';
import { EVENT_CATALOGUE, isUnitEvent, type EventType } from './event-catalogue';
import { eventJsonSchema } from './json-schemas';
import { EVENT_TOPICS } from './topics';

function camel(name: string): string {
  return name.replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' ? value.replace('#/definitions/', '#/components/schemas/') : rewriteRefs(value),
    ]),
  );
}

/** Message ids in the AsyncAPI document: `unitCreatedV1` for `antq.units.unit-created.v1`. */
export function messageId(type: EventType): string {
  return camel(type.split('.').slice(2).join('-'));
}

/**
 * The AsyncAPI 3.0 document integrators read: one channel per topic, one message per
 * event type, payload schemas generated from the event classes.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const types = Object.keys(EVENT_CATALOGUE) as EventType[];
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};

  for (const type of types) {
    // Nested definitions become shared component schemas, and references follow them.
    const { $schema: _draft, definitions, ...schema } = rewriteRefs(eventJsonSchema(type)) as Record<string, unknown>;
    Object.assign(schemas, definitions as Record<string, unknown> | undefined);
    schemas[messageId(type)] = schema;
    messages[messageId(type)] = {
      name: type,
      title: type,
      summary: EVENT_CATALOGUE[type].summary,
      contentType: CLOUD_EVENTS_CONTENT_TYPE.split(';')[0],
      headers: {
        type: 'object',
        properties: {
          'content-type': { type: 'string', const: CLOUD_EVENTS_CONTENT_TYPE },
          ce_type: { type: 'string', const: type },
          ce_id: { type: 'string', format: 'uuid' },
          [REDRIVEN_FROM_HEADER]: {
            type: 'string',
            description: 'Only on a record an operator put back from a dead-letter topic (<topic>[partition]@offset); the event is the original, so a consumer that applied it drops it by its id.',
          },
        },
        required: ['content-type', 'ce_type', 'ce_id'],
      },
      payload: { $ref: `#/components/schemas/${messageId(type)}` },
      bindings: {
        kafka: {
          key: { type: 'string', description: isUnitEvent(type) ? 'The unit (aggregate) id.' : 'The programme code (the aggregate), as the subject.' },
          bindingVersion: '0.5.0',
        },
      },
    };
  }

  for (const [key, topic] of Object.entries(EVENT_TOPICS)) {
    const channelId = camel(`${key}-events`);
    const channelTypes = types.filter((t) => EVENT_CATALOGUE[t].topic === key);
    channels[channelId] = {
      address: topic.name,
      description: topic.description,
      messages: Object.fromEntries(
        channelTypes.map((t) => [messageId(t), { $ref: `#/components/messages/${messageId(t)}` }]),
      ),
      bindings: { kafka: { topic: topic.name, partitions: topic.partitions, bindingVersion: '0.5.0' } },
    };
    operations[camel(`publish-${key}-events`)] = {
      action: 'send',
      summary: `The platform publishes ${key} events.`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: channelTypes.map((t) => ({ $ref: `#/channels/${channelId}/messages/${messageId(t)}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'ANTQ Platform events',
      version: '1.0.0',
      description:
        'Events of the ANTQ Platform. Every record is a CloudEvents 1.0 event in structured mode ' +
        '(the whole event is the JSON value; content-type application/cloudevents+json), keyed by ' +
        'the unit id so that one unit\'s events stay in order (programme versions: by the programme code). Extension attributes: agency (acting ' +
        'agency), principal, correlationid, causationid. A breaking change is a new versioned type.',
    },
    defaultContentType: CLOUD_EVENTS_CONTENT_TYPE.split(';')[0],
    servers: {
      local: {
        host: '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'The local single-node broker started by `npm run stack:up`.',
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}
