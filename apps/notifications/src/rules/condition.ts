import type { EventType } from '@antq/contracts';
import { fieldPaths, readPath, resolveField } from './event-fields';

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
    const allowed = info.enum;
    const checkEnum = (v: unknown) => {
      if (allowed && v !== null && !allowed.includes(v)) problems.push(`${at}.value: ${JSON.stringify(v)} is not a possible value of ${field} (${allowed.join(', ')})`);
    };
    switch (op as ConditionOperator) {
      case 'eq':
      case 'ne':
        if (!('value' in record) || !isScalar(value)) problems.push(`${at}.value: "${op}" needs a string, number, boolean or null value`);
        else checkEnum(value);
        break;
      case 'in':
      case 'not-in':
        if (!Array.isArray(value) || !value.length || !value.every(isScalar)) problems.push(`${at}.value: "${op}" needs a non-empty list of values`);
        else value.forEach(checkEnum);
        break;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const numeric = info.type === 'number' || info.type === 'integer';
        if (!numeric && info.type !== 'string') problems.push(`${at}.op: "${op}" compares numbers or dates; ${field} is ${info.type ?? 'not comparable'}`);
        else if (numeric ? typeof value !== 'number' : typeof value !== 'string') problems.push(`${at}.value: "${op}" on ${field} needs a ${numeric ? 'number' : 'string (e.g. a date)'}`);
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
