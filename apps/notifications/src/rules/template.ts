import type { EventType } from '@antq/contracts';
import { readPath, resolveField } from './event-fields';

/** Placeholders every template may use besides the event's data fields. */
export const WELL_KNOWN_PLACEHOLDERS = [
  'unit.name',
  'unit.code',
  'unit.kind',
  'unit.path',
  'rule.name',
  'severity',
  'event.type',
  'event.time',
  'event.agency',
] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/;

/** Every problem of a template (empty when valid): unknown placeholders, stray braces. */
export function validateTemplate(type: EventType, template: unknown, at: string): string[] {
  if (typeof template !== 'string' || !template.trim()) return [`${at}: must be a non-empty text`];
  const problems: string[] = [];
  for (const [, path] of template.matchAll(PLACEHOLDER)) {
    if (!PATH.test(path)) problems.push(`${at}: "{{${path}}}" is not a placeholder (use {{field.path}})`);
    else if (!(WELL_KNOWN_PLACEHOLDERS as readonly string[]).includes(path) && !resolveField(type, path)) {
      problems.push(`${at}: unknown placeholder {{${path}}}: neither a field of ${type} nor one of ${WELL_KNOWN_PLACEHOLDERS.join(', ')}`);
    }
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push(`${at}: unbalanced "{{" or "}}"`);
  return problems;
}

export interface TemplateContext {
  data: unknown;
  known: Partial<Record<(typeof WELL_KNOWN_PLACEHOLDERS)[number], string>>;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Fills a (validated) template. */
export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_, path: string) =>
    Object.hasOwn(context.known, path) ? show(context.known[path as keyof TemplateContext['known']]) : show(readPath(context.data, path)),
  );
}
