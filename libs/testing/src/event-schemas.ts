import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { KafkaMessage } from 'kafkajs';
import { EVENT_CATALOGUE, eventJsonSchema, isKnownEventType, type EventTopicKey, type EventType } from '@antq/contracts';

/** The published JSON Schemas, read by a validator an integrator would use: they must accept what the platform sends. */
const ajv = addFormats(new Ajv({ allErrors: true }));
const validators = new Map<string, ValidateFunction>();

function validatorOf(type: string): ValidateFunction | undefined {
  if (!isKnownEventType(type)) return undefined;
  let validate = validators.get(type);
  if (!validate) {
    validate = ajv.compile(eventJsonSchema(type));
    validators.set(type, validate);
  }
  return validate;
}

/**
 * What the published JSON Schemas find wrong with recorded events (one line per event they
 * refuse), and the types they were checked for: a check that met no event checked nothing.
 */
export function schemaViolations(messages: KafkaMessage[]): { checkedTypes: string[]; violations: string[] } {
  const checked = new Set<string>();
  const violations: string[] = [];
  for (const message of messages) {
    const event: unknown = JSON.parse(message.value?.toString() ?? 'null');
    const { type = 'no type', id } = (event ?? {}) as { type?: string; id?: string };
    const validate = validatorOf(type);
    if (!validate) {
      violations.push(`${type}: not in the catalogue`);
      continue;
    }
    checked.add(type);
    if (!validate(event)) violations.push(`${type} ${id}: ${ajv.errorsText(validate.errors)}`);
  }
  return { checkedTypes: [...checked].sort(), violations };
}

/** Every event type the catalogue puts on a topic, sorted as `schemaViolations` lists the checked ones. */
export function topicEventTypes(topic: EventTopicKey): string[] {
  return (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((type) => EVENT_CATALOGUE[type].topic === topic).sort();
}
