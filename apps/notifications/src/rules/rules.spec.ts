import { PROGRAMME_CODES } from '@antq/contracts';
import { evaluateCondition, validateCondition, type Condition } from './condition';
import { DEFAULT_RULES, LATER_RULES, STATUS_LOST_WITHOUT_CLOSURES } from './default-rules';
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
    expect(resolveField(STATUS, 'after.score')).toEqual({ type: 'number', nullable: true });
    expect(resolveField(STATUS, 'sequence')).toEqual({ type: 'integer' });
    // The contracts type programme as a string; it holds a code of the shared list.
    expect(resolveField(STATUS, 'programme')).toEqual({ type: 'string', enum: [...PROGRAMME_CODES] });
    expect(resolveField('antq.campaigns.scoreboard-updated.v1', 'programme')?.enum).toEqual([...PROGRAMME_CODES]);
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

  it('tell of a drug-free status lost, since the revision not of a unit closed by a tree change', () => {
    const revised = STATUS_LOST_WITHOUT_CLOSURES.condition;
    expect(evaluateCondition(lost, statusChange('recognised', 'unit-closed'))).toBe(true);
    expect(evaluateCondition(revised, statusChange('recognised', 'unit-closed'))).toBe(false);
    for (const after of ['revoked', 'not-recognised', 'lapsed']) expect(evaluateCondition(revised, statusChange('recognised', after))).toBe(true);
    expect(ruleProblems({ eventType: DEFAULT_RULES[0].eventType, condition: revised, template: DEFAULT_RULES[0].template })).toEqual([]);
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
    expect(validateCondition(STATUS, { field: 'sequence', op: 'gt', value: 'two' })).toEqual(['condition.value: "gt" on sequence needs an integer']);
    expect(validateCondition(STATUS, { field: 'after.status', op: 'in', value: [] })).toEqual([expect.stringMatching(/non-empty list/)]);
    expect(validateCondition(STATUS, { all: {}, any: [] })).toEqual([expect.stringMatching(/stands alone/)]);
    expect(validateCondition(STATUS, 'programme = drug-free')).toEqual([expect.stringMatching(/^condition: must be an object/)]);
    expect(validateCondition(STATUS, { field: 'programme', op: 'eq', value: 'drug-free', extra: 1 })).toEqual([expect.stringMatching(/unknown keys extra/)]);
    expect(validateCondition(STATUS, { field: 'toString', op: 'exists' })).toEqual([expect.stringMatching(/"toString" is not a field of/)]);
  });
});

describe('condition values', () => {
  const DRAFTED = 'antq.assessments.assessment-drafted.v1';
  const PROGRESS = 'antq.campaigns.target-progress-changed.v1';
  const problemsOf = (field: string, op: string, value?: unknown, type: Parameters<typeof validateCondition>[0] = STATUS) =>
    validateCondition(type, { all: [value === undefined ? { field, op } : { field, op, value }] });

  it('refuse a value of another type than the field, for every operator, naming the part and the type expected', () => {
    expect(problemsOf('sequence', 'eq', '2')).toEqual(['condition.all[0].value: "eq" on sequence needs an integer (got "2")']);
    expect(problemsOf('sequence', 'ne', 2.5)).toEqual(['condition.all[0].value: "ne" on sequence needs an integer (got 2.5)']);
    expect(problemsOf('sequence', 'eq', null)).toEqual(['condition.all[0].value: "eq" on sequence needs an integer (got null)']);
    expect(problemsOf('sequence', 'eq')).toEqual(['condition.all[0].value: "eq" on sequence needs an integer (got no value)']);
    expect(problemsOf('sequence', 'in', [1, '2', null])).toEqual([
      'condition.all[0].value[1]: "in" on sequence needs an integer (got "2")',
      'condition.all[0].value[2]: "in" on sequence needs an integer (got null)',
    ]);
    expect(problemsOf('after.status', 'not-in', ['revoked', 3])).toEqual(['condition.all[0].value[1]: "not-in" on after.status needs a string (got 3)']);
    expect(problemsOf('after.status', 'eq', null)).toEqual(['condition.all[0].value: "eq" on after.status needs a string (got null)']);
    expect(problemsOf('after.score', 'eq', '7')).toEqual(['condition.all[0].value: "eq" on after.score needs a number or null (got "7")']);
    expect(problemsOf('after.score', 'in', [[7]])).toEqual(['condition.all[0].value[0]: "in" on after.score needs a number or null (got [7])']);
    expect(problemsOf('effectiveFrom', 'ne', { from: '2024-01-01' })).toEqual([expect.stringMatching(/^condition\.all\[0\]\.value: "ne" on effectiveFrom needs a string \(got/)]);
    expect(problemsOf('cycle', 'gte', '2024', DRAFTED)).toEqual(['condition.all[0].value: "gte" on cycle needs an integer']);
    expect(problemsOf('programmeVersion', 'lt', 1.5, DRAFTED)).toEqual(['condition.all[0].value: "lt" on programmeVersion needs an integer']);
    // Null is never greater or less than anything, even where the field may be null.
    expect(problemsOf('projection', 'gt', null, PROGRESS)).toEqual(['condition.all[0].value: "gt" on projection needs a number']);
    expect(problemsOf('sequence', 'in', 2)).toEqual(['condition.all[0].value: "in" needs a non-empty list of values']);
    expect(problemsOf('sequence', 'not-in', [])).toEqual(['condition.all[0].value: "not-in" needs a non-empty list of values']);
    // A field the schema leaves untyped (met) takes any single value, not a list.
    expect(problemsOf('met', 'eq', [true], DRAFTED)).toEqual(['condition.all[0].value: "eq" on met needs a string, number, boolean or null value (got [true])']);
  });

  it('refuse comparing a list or an object with a single value; exists still applies', () => {
    expect(problemsOf('evidence', 'eq', 'doc://a.pdf', DRAFTED)).toEqual([
      'condition.all[0].op: "eq" compares single values; evidence is a list (use "exists", or a field within it)',
    ]);
    expect(problemsOf('decision', 'in', ['QD-1'], DRAFTED)).toEqual([
      'condition.all[0].op: "in" compares single values; decision is an object (use "exists", or a field within it)',
    ]);
    expect(problemsOf('before', 'gt', 1)).toEqual([expect.stringMatching(/^condition\.all\[0\]\.op: "gt" compares single values; before is an object/)]);
    expect(problemsOf('decision', 'exists', undefined, DRAFTED)).toEqual([]);
    expect(problemsOf('decision.number', 'eq', 'QD-1', DRAFTED)).toEqual([]);
  });

  it('refuse a programme code that is not one, in any operator and event type that names a programme', () => {
    const known = PROGRAMME_CODES.join(', ');
    expect(problemsOf('programme', 'eq', 'drug-fre')).toEqual([`condition.all[0].value: "drug-fre" is not a possible value of programme (${known})`]);
    expect(problemsOf('programme', 'not-in', ['drug-free', 'model-units'])).toEqual([`condition.all[0].value[1]: "model-units" is not a possible value of programme (${known})`]);
    expect(problemsOf('programme', 'ne', 'Drug-Free', 'antq.assessments.assessment-overdue.v1')).toHaveLength(1);
    expect(problemsOf('programme', 'in', ['drug-fre'], 'antq.campaigns.scoreboard-updated.v1')).toHaveLength(1);
    expect(problemsOf('programme', 'eq', 'drug-fre', DRAFTED)).toHaveLength(1);
    expect(problemsOf('programme', 'eq', null)).toEqual([expect.stringMatching(/"eq" on programme needs a string \(got null\)/)]);
  });

  it('accept well-typed values, null where the field may be null, and such rules fire', () => {
    const accepted: [string, string, unknown, Parameters<typeof validateCondition>[0]?][] = [
      ['sequence', 'eq', 2],
      ['sequence', 'ne', 3],
      ['sequence', 'in', [1, 2]],
      ['sequence', 'not-in', [3]],
      ['sequence', 'gte', 2],
      ['programme', 'in', [...PROGRAMME_CODES]],
      ['programme', 'ne', 'model-unit'],
      ['after.score', 'eq', 7.5],
      ['after.score', 'eq', null],
      ['after.validUntil', 'in', ['2024-12-31', null]],
      ['assessmentId', 'eq', null],
      ['effectiveFrom', 'lt', '2025-01-01'],
      ['previousState', 'in', ['draft', null], DRAFTED],
      ['met', 'eq', true, DRAFTED],
      ['met', 'ne', null, DRAFTED],
      ['projection', 'gt', 50.5, PROGRESS],
      ['shareDone', 'lt', 1, PROGRESS],
    ];
    for (const [field, op, value, type] of accepted) expect({ field, op, value, problems: problemsOf(field, op, value, type) }).toEqual({ field, op, value, problems: [] });
    const data = statusChange('recognised', 'revoked');
    for (const condition of [
      { field: 'sequence', op: 'eq', value: 2 },
      { field: 'sequence', op: 'in', value: [1, 2] },
      { field: 'programme', op: 'eq', value: 'drug-free' },
      { field: 'after.validUntil', op: 'eq', value: null },
    ] satisfies Condition[]) {
      expect({ condition, fires: evaluateCondition(condition, data) }).toEqual({ condition, fires: true });
    }
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
