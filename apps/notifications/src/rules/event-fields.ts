import { EVENT_CATALOGUE, EVENT_TOPICS, eventJsonSchema, isUnitEvent, PROGRAMME_CODES, type EventType, type JsonSchema } from '@antq/contracts';

/** What a field of an event's data holds, as far as its JSON Schema says. */
export interface FieldInfo {
  type?: string;
  enum?: unknown[];
  /** The schema allows null for the field itself (an optional field). */
  nullable?: boolean;
  /** An object whose keys are free (a map): any sub-path is accepted. */
  open?: boolean;
}

/**
 * Event types alert rules may be written for: what the assessments and campaigns services
 * publish about units, whose ancestors' agencies are told. (Unit events feed the replica;
 * the notifications service's own events never trigger alerts, so an alert cannot cause
 * another; a programme version concerns no unit.)
 */
export const ALERTABLE_EVENT_TYPES = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter(
  (type) => (['assessments', 'campaigns'] as (keyof typeof EVENT_TOPICS)[]).includes(EVENT_CATALOGUE[type].topic) && isUnitEvent(type),
);

export function isAlertableEventType(type: string): type is EventType {
  return (ALERTABLE_EVENT_TYPES as string[]).includes(type);
}

const schemas = new Map<EventType, { data: JsonSchema; definitions: Record<string, JsonSchema> }>();

function dataSchema(type: EventType) {
  let entry = schemas.get(type);
  if (!entry) {
    const full = eventJsonSchema(type);
    entry = {
      data: (full['properties'] as Record<string, JsonSchema>)['data'],
      definitions: (full['definitions'] as Record<string, JsonSchema> | undefined) ?? {},
    };
    schemas.set(type, entry);
  }
  return entry;
}

/**
 * Shared vocabulary the contracts type as a plain string: a field of this name holds one of
 * these codes, and a comparison with any other could never hold.
 */
const VOCABULARIES: Record<string, readonly string[]> = { programme: PROGRAMME_CODES };

/** Follows `$ref`s and drops the `null` branch that optional fields carry, saying whether there was one. */
function unwrapped(node: JsonSchema, definitions: Record<string, JsonSchema>): { node: JsonSchema; nullable: boolean } {
  let current = node;
  let nullable = false;
  for (let i = 0; i < 10; i++) {
    const ref = current['$ref'];
    if (typeof ref === 'string') {
      current = definitions[ref.replace('#/definitions/', '')] ?? {};
      continue;
    }
    const anyOf = current['anyOf'] as JsonSchema[] | undefined;
    if (anyOf) {
      nullable ||= anyOf.some((branch) => branch['type'] === 'null');
      current = anyOf.find((branch) => branch['type'] !== 'null') ?? {};
      continue;
    }
    return { node: current, nullable };
  }
  return { node: current, nullable };
}

function unwrap(node: JsonSchema, definitions: Record<string, JsonSchema>): JsonSchema {
  return unwrapped(node, definitions).node;
}

/** The schema of `path` (dot-separated) in the data of `type`, or undefined when there is no such field. */
export function resolveField(type: EventType, path: string): FieldInfo | undefined {
  const { data, definitions } = dataSchema(type);
  let node = unwrap(data, definitions);
  let nullable = false;
  const segments = path.split('.');
  for (const [i, segment] of segments.entries()) {
    const properties = node['properties'] as Record<string, JsonSchema> | undefined;
    if (!properties) {
      // A map (Record<string, ...>): its keys are data, not schema.
      return node['type'] === 'object' && i > 0 ? { open: true } : undefined;
    }
    // Own properties only: `constructor` or `toString` are no field of any event.
    const next = Object.hasOwn(properties, segment) ? properties[segment] : undefined;
    if (!next) return undefined;
    // Only the field's own null branch counts: under a null parent the path reads as absent, not null.
    ({ node, nullable } = unwrapped(next, definitions));
  }
  const info: FieldInfo = {};
  if (typeof node['type'] === 'string') info.type = node['type'];
  if (Array.isArray(node['enum'])) info.enum = node['enum'] as unknown[];
  else {
    const name = segments[segments.length - 1];
    if (info.type === 'string' && Object.hasOwn(VOCABULARIES, name)) info.enum = [...VOCABULARIES[name]];
  }
  if (nullable) info.nullable = true;
  if (node['type'] === 'object' && !node['properties']) info.open = true;
  return info;
}

/** Every leaf field path of an event type's data, for error messages and the API. */
export function fieldPaths(type: EventType): string[] {
  const { data, definitions } = dataSchema(type);
  const paths: string[] = [];
  const walk = (node: JsonSchema, prefix: string, depth: number) => {
    const properties = node['properties'] as Record<string, JsonSchema> | undefined;
    if (!properties || depth > 5) {
      if (prefix) paths.push(prefix);
      return;
    }
    for (const [name, child] of Object.entries(properties)) walk(unwrap(child, definitions), prefix ? `${prefix}.${name}` : name, depth + 1);
  };
  walk(unwrap(data, definitions), '', 0);
  return paths;
}

/** Reads a dot-separated path from an event's data. */
export function readPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
