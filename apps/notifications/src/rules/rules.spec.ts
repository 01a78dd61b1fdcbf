import { evaluateCondition, validateCondition, type Condition } from './condition';
import { DEFAULT_RULES, LATER_RULES } from './default-rules';
import { fieldPaths, resolveField } from './event-fields';
import { ruleProblems } from './rules.service';
import { renderTemplate, validateTemplate } from './template';

const STATUS = 'antq.assessments.unit-status-changed.v1';

const statusChange = (before: string, after: string, programme = 'drug-free') => ({
  unitId: '7f0d3c1e-4c1a-4a57-8f7e-1f4f0f0f0f0f',
  unitKind: 'commune',
  programme,
  before: { status: before, grade: null, score: null, since: '2024-06-01', validUntil: '2024-12-31' },
  after: { status: after, grade: null, score: null, since: '2024-09-01', validUntil: null },
  effectiveFrom: '2024-09-01',
  source: 'assessment',
  assessmentId: null,
  sequence: 2,
});

describe('event fields', () => {
  it('resolves nested fields through references and optional wrappers, with their enums', () => {
    expect(resolveField(STATUS, 'before.status')?.enum).toContain('recognised');
    expect(resolveField(STATUS, 'after.score')).toEqual({ type: 'number' });
    expect(resolveField(STATUS, 'before.statu')).toBeUndefined();
    expect(resolveField(STATUS, 'programme.code')).toBeUndefined();
    // Names every object has are no fields of an event.
    for (const path of ['constructor', 'toString', '__proto__', 'after.hasOwnProperty']) expect(resolveField(STATUS, path)).toBeUndefined();
    expect(fieldPaths(STATUS)).toEqual(expect.arrayContaining(['programme', 'before.status', 'after.validUntil', 'sequence']));
  });
});

describe('conditions', () => {
  const lost = DEFAULT_RULES[0].condition;

  it('match the facts they describe, and only those', () => {
    expect(evaluateCondition(lost, statusChange('recognised', 'revoked'))).toBe(true);
    expect(evaluateCondition(lost, statusChange('recognised', 'not-recognised'))).toBe(true);
    expect(evaluateCondition(lost, statusChange('unassessed', 'recognised'))).toBe(false);
    expect(evaluateCondition(lost, statusChange('recognised', 'revoked', 'model-unit'))).toBe(false);
  });

  it('support any, not, comparisons and exists', () => {
    const condition: Condition = {
      any: [{ field: 'sequence', op: 'gte', value: 5 }, { not: { field: 'assessmentId', op: 'exists' } }],
    };
    expect(evaluateCondition(condition, statusChange('a', 'b'))).toBe(true);
    expect(evaluateCondition(condition, { ...statusChange('a', 'b'), assessmentId: 'x', sequence: 4 })).toBe(false);
    expect(evaluateCondition(condition, { ...statusChange('a', 'b'), assessmentId: 'x', sequence: 5 })).toBe(true);
    expect(evaluateCondition({ all: [] }, {})).toBe(true);
    expect(evaluateCondition({ field: 'effectiveFrom', op: 'lt', value: '2025-01-01' }, statusChange('a', 'b'))).toBe(true);
  });

  it('are refused when they name fields the event does not have, say so and list the fields', () => {
    const problems = validateCondition(STATUS, { all: [{ field: 'before.statut', op: 'eq', value: 'recognised' }] });
    expect(problems).toEqual([expect.stringMatching(/^condition\.all\[0\]\.field: "before\.statut" is not a field of antq\.assessments\.unit-status-changed\.v1 \(its fields: .*before\.status/)]);
  });

  it('name every other problem: operators, values outside an enum, types, shapes', () => {
    expect(validateCondition(STATUS, { all: [{ field: 'programme', op: 'like', value: 'x' }] })).toEqual([expect.stringMatching(/all\[0\]\.op: must be one of eq, ne/)]);
    expect(validateCondition(STATUS, { field: 'after.status', op: 'eq', value: 'recognized' })).toEqual([
      expect.stringMatching(/"recognized" is not a possible value of after\.status \(unassessed, recognised/),
    ]);
    expect(validateCondition(STATUS, { field: 'sequence', op: 'gt', value: 'two' })).toEqual([expect.stringMatching(/needs a number/)]);
    expect(validateCondition(STATUS, { field: 'after.status', op: 'in', value: [] })).toEqual([expect.stringMatching(/non-empty list/)]);
    expect(validateCondition(STATUS, { all: {}, any: [] })).toEqual([expect.stringMatching(/stands alone/)]);
    expect(validateCondition(STATUS, 'programme = drug-free')).toEqual([expect.stringMatching(/^condition: must be an object/)]);
    expect(validateCondition(STATUS, { field: 'programme', op: 'eq', value: 'x', extra: 1 })).toEqual([expect.stringMatching(/unknown keys extra/)]);
    expect(validateCondition(STATUS, { field: 'toString', op: 'exists' })).toEqual([expect.stringMatching(/"toString" is not a field of/)]);
  });
});

describe('templates', () => {
  it('fill data fields and well-known placeholders', () => {
    const text = renderTemplate('{{unit.name}}: {{ before.status }} -> {{after.status}} ({{after.grade}})', {
      data: statusChange('recognised', 'revoked'),
      known: { 'unit.name': 'Xã Nghi Lộc' },
    });
    expect(text).toBe('Xã Nghi Lộc: recognised -> revoked (—)');
  });

  it('refuse unknown placeholders and stray braces, saying which', () => {
    expect(validateTemplate(STATUS, 'Hello {{unit.name}} {{unit.mayor}}', 'template.en')).toEqual([
      expect.stringMatching(/^template\.en: unknown placeholder \{\{unit\.mayor\}\}/),
    ]);
    expect(validateTemplate(STATUS, 'Oops {{after.status}', 'template.vi')).toEqual([expect.stringMatching(/unbalanced/)]);
    expect(validateTemplate(STATUS, '', 'template.vi')).toEqual(['template.vi: must be a non-empty text']);
    expect(validateTemplate(STATUS, 'Bad {{constructor}}', 'template.en')).toEqual([expect.stringMatching(/unknown placeholder \{\{constructor\}\}/)]);
    expect(renderTemplate('{{toString}} {{after.constructor}}', { data: statusChange('a', 'b'), known: {} })).toBe('— —');
  });
});

describe('rules', () => {
  it('the seeded rules are valid against their event schemas', () => {
    for (const rule of [...DEFAULT_RULES, ...LATER_RULES]) expect(ruleProblems({ eventType: rule.eventType, condition: rule.condition, template: rule.template })).toEqual([]);
  });

  it('refuse unknown event types and event types alerts are not raised on', () => {
    expect(ruleProblems({ eventType: 'antq.assessments.unit-exploded.v1', condition: { all: [] }, template: { vi: 'x', en: 'y' } })).toEqual([
      expect.stringMatching(/eventType: "antq\.assessments\.unit-exploded\.v1" is not an event type alerts can be raised on \(known: .*unit-status-changed/),
    ]);
    expect(ruleProblems({ eventType: 'antq.units.unit-created.v1', condition: { all: [] }, template: { vi: 'x', en: 'y' } })).toHaveLength(1);
  });
});
