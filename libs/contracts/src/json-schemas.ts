import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

// class-transformer keeps the element types of nested arrays (@Type) here; it is not exported by name.
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import { defaultConverters, type ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters';
import { CloudEventEnvelope, EVENT_TYPE_PATTERN } from './cloud-event';
import { EVENT_CATALOGUE, type EventType } from './event-catalogue';

export type JsonSchema = Record<string, unknown>;

const SCHEMA_BASE_URI = 'https://antq.gov.vn/schemas/events/';

/** The `$id` under which an event type's JSON Schema is published. */
export function schemaUri(type: EventType): string {
  return `${SCHEMA_BASE_URI}${type}.schema.json`;
}

/** The platform's own validators, as JSON Schema says them; the library knows only class-validator's. */
const OWN_VALIDATORS: Record<string, JsonSchema> = {
  isCalendarDate: { type: 'string', format: 'date' },
};

const converters: ISchemaConverters = {
  [ValidationTypes.CUSTOM_VALIDATION]: (meta, options) => {
    const [constraint] = meta.constraintCls ? getMetadataStorage().getTargetValidatorConstraints(meta.constraintCls) : [];
    const own = constraint ? OWN_VALIDATORS[constraint.name] : undefined;
    if (own) return own;
    const fallback = defaultConverters[ValidationTypes.CUSTOM_VALIDATION];
    return typeof fallback === 'function' ? fallback(meta, options) : fallback;
  },
};

function classSchema(target: new () => unknown, definitions: Record<string, JsonSchema>): JsonSchema {
  const schema = targetConstructorToSchema(target, {
    classValidatorMetadataStorage: getMetadataStorage(),
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/definitions/',
    additionalConverters: converters,
  }) as JsonSchema;
  allowNullWhereOptional(schema);
  // Nested classes appear as $refs; inline their definitions so each file stands alone.
  for (const ref of collectRefs(schema)) {
    const name = ref.replace('#/definitions/', '');
    if (!definitions[name]) {
      const nested = findNestedClass(target, name);
      if (nested) definitions[name] = classSchema(nested, definitions);
    }
  }
  return schema;
}

/** class-validator's @IsOptional accepts null as well as absence; the schema says so too. */
function allowNullWhereOptional(schema: JsonSchema): void {
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const properties = (schema['properties'] as Record<string, JsonSchema> | undefined) ?? {};
  for (const [name, property] of Object.entries(properties)) {
    if (!required.has(name)) properties[name] = { anyOf: [property, { type: 'null' }] };
  }
}

function collectRefs(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => collectRefs(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value);
      else collectRefs(value, found);
    }
  }
  return found;
}

function findNestedClass(target: new () => unknown, name: string): (new () => unknown) | undefined {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  const types = metadata
    .map(
      (m) =>
        defaultMetadataStorage.findTypeMetadata(target, m.propertyName)?.typeFunction() ??
        (Reflect.getMetadata('design:type', target.prototype as object, m.propertyName) as unknown),
    )
    .filter((t): t is new () => unknown => typeof t === 'function');
  return types.find((t) => t.name === name);
}

/** The envelope attributes common to every event, as JSON Schema properties. */
function envelopeSchema(): JsonSchema {
  const schema = classSchema(CloudEventEnvelope, {});
  const properties = { ...(schema['properties'] as Record<string, JsonSchema>) };
  delete properties['data'];
  properties['type'] = { ...properties['type'], pattern: EVENT_TYPE_PATTERN.source };
  return { ...schema, properties };
}

/** A standalone JSON Schema (draft-07) for one event type: envelope plus its data. */
export function eventJsonSchema(type: EventType): JsonSchema {
  const definition = EVENT_CATALOGUE[type];
  const definitions: Record<string, JsonSchema> = {};
  const data = classSchema(definition.dataClass, definitions);
  const envelope = envelopeSchema();
  const envelopeProperties = envelope['properties'] as Record<string, JsonSchema>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: schemaUri(type),
    title: type,
    description: definition.summary,
    type: 'object',
    required: [...((envelope['required'] as string[]) ?? []).filter((r) => r !== 'data'), 'data'],
    properties: {
      ...envelopeProperties,
      type: { const: type },
      data,
    },
    ...(Object.keys(definitions).length ? { definitions } : {}),
  };
}

export function allEventJsonSchemas(): Record<EventType, JsonSchema> {
  return Object.fromEntries(
    (Object.keys(EVENT_CATALOGUE) as EventType[]).map((type) => [type, eventJsonSchema(type)]),
  ) as Record<EventType, JsonSchema>;
}
