import type { EventType } from '@antq/contracts';
import { fieldPaths, readPath, resolveField, type FieldInfo } from './event-fields';

export const CONDITION_OPERATORS = ['eq', 'ne', 'in', 'not-in', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export interface Comparison {
  field: string;
  op: ConditionOperator;
  value?: unknown;
}

/**
 * A rule's condition: comparisons of the event's data fields, combined with `all`, `any`
 * and `not`. `{ "all": [] }` matches every event of the rule's type.
 */
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

const MAX_DEPTH = 6;
const MAX_NODES = 100;
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

const TYPE_NAMES: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false' };

/** Whether a value can be what the field holds: its schema type, or null where the schema allows it. */
function fitsType(value: unknown, info: FieldInfo): boolean {
  // Null where the schema allows it, or says nothing of the field's type.
  if (value === null) return !!info.nullable || info.type === undefined;
  switch (info.type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case undefined:
    default:
      // A field the schema leaves untyped (or a key of a map): any single value.
      return isScalar(value);
  }
}

/** What fitsType accepts, as messages say it. */
function expectedType(info: FieldInfo): string {
  const name = info.type && TYPE_NAMES[info.type];
  if (!name) return 'a string, number, boolean or null value';
  return info.nullable ? `${name} or null` : name;
}

/**
 * Checks a condition against the data schema of its event type; returns every problem
 * (empty when valid), each naming where in the condition it is.
 */
export function validateCondition(type: EventType, condition: unknown): string[] {
  const problems: string[] = [];
  let nodes = 0;
  const visit = (node: unknown, at: string, depth: number) => {
    if (++nodes > MAX_NODES) return void (nodes === MAX_NODES + 1 && problems.push(`condition: more than ${MAX_NODES} parts`));
    if (depth > MAX_DEPTH) return void problems.push(`${at}: nested more than ${MAX_DEPTH} levels`);
    if (!node || typeof node !== 'object' || Array.isArray(node)) {
      return void problems.push(`${at}: must be an object with "all", "any", "not" or "field"/"op"/"value"`);
    }
    const keys = Object.keys(node);
    const record = node as Record<string, unknown>;
    for (const combinator of ['all', 'any'] as const) {
      if (combinator in record) {
        if (keys.length !== 1) return void problems.push(`${at}: "${combinator}" stands alone (found ${keys.join(', ')})`);
        const list = record[combinator];
        if (!Array.isArray(list)) return void problems.push(`${at}.${combinator}: must be a list of conditions`);
        list.forEach((child, i) => visit(child, `${at}.${combinator}[${i}]`, depth + 1));
        return;
      }
    }
    if ('not' in record) {
      if (keys.length !== 1) return void problems.push(`${at}: "not" stands alone (found ${keys.join(', ')})`);
      return visit(record['not'], `${at}.not`, depth + 1);
    }
    const unknownKeys = keys.filter((k) => !['field', 'op', 'value'].includes(k));
    if (unknownKeys.length) problems.push(`${at}: unknown keys ${unknownKeys.join(', ')} (a comparison has field, op, value)`);
    const { field, op, value } = record;
    if (typeof field !== 'string' || !field) return void problems.push(`${at}.field: must be a field path such as "after.status"`);
    if (typeof op !== 'string' || !(CONDITION_OPERATORS as readonly string[]).includes(op)) {
      problems.push(`${at}.op: must be one of ${CONDITION_OPERATORS.join(', ')} (got ${JSON.stringify(op)})`);
      return;
    }
    const info = resolveField(type, field);
    if (!info) {
      return void problems.push(`${at}.field: "${field}" is not a field of ${type} (its fields: ${fieldPaths(type).join(', ')})`);
    }
    if (op !== 'exists' && (info.type === 'array' || info.type === 'object')) {
      // A list or object is never equal to, nor ordered against, a single value: such a rule could never fire.
      return void problems.push(`${at}.op: "${op}" compares single values; ${field} is ${info.type === 'array' ? 'a list' : 'an object'} (use "exists", or a field within it)`);
    }
    const allowed = info.enum;
    // A value of another type than the field's never equals it: the rule would never fire (or, for ne, always).
    const checkValue = (v: unknown, part: string) => {
      if (!fitsType(v, info)) problems.push(`${part}: "${op}" on ${field} needs ${expectedType(info)} (got ${v === undefined ? 'no value' : JSON.stringify(v)})`);
      else if (allowed && v !== null && !allowed.includes(v)) problems.push(`${part}: ${JSON.stringify(v)} is not a possible value of ${field} (${allowed.join(', ')})`);
    };
    switch (op as ConditionOperator) {
      case 'eq':
      case 'ne':
        checkValue(value, `${at}.value`);
        break;
      case 'in':
      case 'not-in':
        if (!Array.isArray(value) || !value.length) problems.push(`${at}.value: "${op}" needs a non-empty list of values`);
        else value.forEach((v, i) => checkValue(v, `${at}.value[${i}]`));
        break;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const numeric = info.type === 'number' || info.type === 'integer';
        if (!numeric && info.type !== 'string') problems.push(`${at}.op: "${op}" compares numbers or dates; ${field} is ${info.type ?? 'not comparable'}`);
        // Null is never greater or less than anything.
        else if (value === null || !fitsType(value, info)) problems.push(`${at}.value: "${op}" on ${field} needs ${numeric ? expectedType({ type: info.type }) : 'a string (e.g. a date)'}`);
        break;
      }
      case 'exists':
        if ('value' in record && typeof value !== 'boolean') problems.push(`${at}.value: "exists" takes true or false (or nothing, meaning true)`);
        break;
    }
  };
  visit(condition, 'condition', 0);
  return problems;
}

/** Whether an event's data satisfies a (validated) condition. */
export function evaluateCondition(condition: Condition, data: unknown): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, data));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, data));
  if ('not' in condition) return !evaluateCondition(condition.not, data);
  const actual = readPath(data, condition.field);
  const expected = condition.value;
  switch (condition.op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'in':
      return (expected as unknown[]).includes(actual);
    case 'not-in':
      return !(expected as unknown[]).includes(actual);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (actual === null || actual === undefined || typeof actual !== typeof expected) return false;
      const a = actual as number | string;
      const b = expected as number | string;
      return condition.op === 'gt' ? a > b : condition.op === 'gte' ? a >= b : condition.op === 'lt' ? a < b : a <= b;
    }
    case 'exists':
      return (actual !== undefined && actual !== null) === (expected ?? true);
  }
}
