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
 * What the published JSON Schemas find wrong with the events recorded on a topic (one line
 * per event they refuse), the types they were checked for and the types the catalogue puts
 * on the topic: a type never sent was never checked.
 */
export function schemaCheck(messages: KafkaMessage[], topic: EventTopicKey): { checkedTypes: string[]; topicTypes: string[]; violations: string[] } {
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
  const topicTypes = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((type) => EVENT_CATALOGUE[type].topic === topic).sort();
  return { checkedTypes: [...checked].sort(), topicTypes, violations };
}
