import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { CloudEventEnvelope, EVENT_CATALOGUE, isKnownEventType, type CloudEvent } from '@antq/contracts';
import { InvalidEventError } from './event-errors';

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const here = path ? `${path}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
    return [...own, ...describe(error.children ?? [], here)];
  });
}

/** Keys a record may carry that would reach an instance's prototype chain if set on it. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The envelope as an instance of its class, for validation: it is flat and converts nothing,
 * so copying its fields is all class-transformer would do, at a third of the cost. Keys that
 * would replace the instance's class or prototype (and with it the rules that apply) are left
 * out, as class-transformer leaves them.
 */
function envelopeInstance(envelope: object): CloudEventEnvelope {
  const instance = new CloudEventEnvelope() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(envelope)) if (!PROTOTYPE_KEYS.has(key)) instance[key] = value;
  return instance as unknown as CloudEventEnvelope;
}

/**
 * Parses a record value into a CloudEvent and checks it against the catalogue: the
 * envelope, and for known types the payload class. Throws InvalidEventError saying what is
 * wrong.
 */
export function decodeEvent(value: Buffer | string | null, key?: string | null): CloudEvent {
  if (value === null || value.length === 0) throw new InvalidEventError('record has no value');
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString());
  } catch (error) {
    throw new InvalidEventError(`record value is not JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidEventError('record value is not a JSON object');
  }
  const event = raw as CloudEvent;
  // The envelope alone: a payload object is checked against its own class below, not copied twice.
  const data = event.data as unknown;
  const envelope = data && typeof data === 'object' && !Array.isArray(data) ? { ...event, data: {} } : event;
  const problems = describe(validateSync(envelopeInstance(envelope), { forbidUnknownValues: false }));
  if (!problems.length && isKnownEventType(event.type)) {
    const payload = plainToInstance(EVENT_CATALOGUE[event.type].dataClass as new () => object, event.data);
    problems.push(...describe(validateSync(payload, { forbidUnknownValues: false }), 'data'));
  }
  if (!problems.length && key != null && key !== event.subject) {
    problems.push(`record key ${key} differs from subject ${event.subject}`);
  }
  if (problems.length) throw new InvalidEventError(`invalid event: ${problems.join('; ')}`);
  // Its id as PostgreSQL writes it, so that the inbox and every event caused by it hold the same text.
  const id = event.id.toLowerCase();
  return id === event.id ? event : { ...event, id };
}
