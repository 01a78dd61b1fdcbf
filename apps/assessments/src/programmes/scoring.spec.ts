import { InvalidInputError } from '@antq/platform';
import { cycleBounds, cycleDeadline, cycleOf, recognitionValidUntil } from './programme-definition';
import { PROGRAMMES_V1 } from './programmes-v1';
import { PROGRAMMES_V2 } from './programmes-v2';
import { PROGRAMMES_V3 } from './programmes-v3';
import { evaluate } from './scoring';

describe('scoring', () => {
  const classification = PROGRAMMES_V1['movement-classification'];
  const sheet = (points: number[]) =>
    ['resolution-and-plan', 'participation', 'festival-day', 'models', 'security-situation', 'coordination'].map((criterion, i) => ({ criterion, value: points[i] }));

  it('grades a points sheet by its bands', () => {
    expect(evaluate('movement-classification', classification, 'agency', sheet([10, 15, 15, 20, 25, 15]))).toMatchObject({ score: 100, grade: 'excellent', recognisable: true });
    expect(evaluate('movement-classification', classification, 'agency', sheet([8, 12, 10, 15, 20, 10]))).toMatchObject({ score: 75, grade: 'good' });
    expect(evaluate('movement-classification', classification, 'agency', sheet([2, 2, 2, 2, 2, 2]))).toMatchObject({ score: 12, grade: 'weak', recognisable: false });
  });

  it('meets all criteria only when every one is met, thresholds included', () => {
    const safe = PROGRAMMES_V1['safe-security-order'];
    const base = [
      { criterion: 'first-quarter-resolution', value: true },
      { criterion: 'internal-protection-rules', value: true },
      { criterion: 'working-models', value: 2 },
    ];
    expect(evaluate('safe-security-order', safe, 'enterprise', [...base, { criterion: 'staff-briefed-percent', value: 100 }]).met).toBe(true);
    expect(evaluate('safe-security-order', safe, 'enterprise', [...base, { criterion: 'staff-briefed-percent', value: 95 }]).met).toBe(false);
  });

  it('refuses a number outside the bounds its criterion gives, and takes the bounds themselves', () => {
    const safe = PROGRAMMES_V3['safe-security-order']!.definition;
    const sheet = (briefed: number, models: number) => [
      { criterion: 'first-quarter-resolution', value: true },
      { criterion: 'internal-protection-rules', value: true },
      { criterion: 'staff-briefed-percent', value: briefed },
      { criterion: 'working-models', value: models },
    ];
    expect(evaluate('safe-security-order', safe, 'school', sheet(100, 0)).met).toBe(false);
    expect(evaluate('safe-security-order', safe, 'school', sheet(0, 1)).met).toBe(false);
    expect(() => evaluate('safe-security-order', safe, 'school', sheet(100.5, -1))).toThrow(
      'Invalid criteria for safe-security-order: criterion "staff-briefed-percent" takes a number from 0 to 100, not 100.5; criterion "working-models" takes a number of at least 0, not -1',
    );
    // Version 1 had no bounds, and assessments made under it are read as they were.
    expect(evaluate('safe-security-order', PROGRAMMES_V1['safe-security-order'], 'school', sheet(100.5, 2)).met).toBe(true);
  });

  it('names every problem at once', () => {
    const attempt = () => evaluate('drug-free', PROGRAMMES_V1['drug-free'], 'commune', [{ criterion: 'no-addicts', value: 3 }, { criterion: 'x', value: true }]);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(/"no-addicts" takes true or false.*"x" is not one of drug-free's.*missing criteria: no-drug-crime/);
  });

  it('refuses a value that is not finite (JSON reads 1e400 as Infinity), naming the criterion', () => {
    const safe = PROGRAMMES_V1['safe-security-order'];
    const base = [
      { criterion: 'first-quarter-resolution', value: true },
      { criterion: 'internal-protection-rules', value: true },
      { criterion: 'working-models', value: 2 },
    ];
    const huge = (JSON.parse('{"value": 1e400}') as { value: number }).value;
    for (const value of [huge, -huge, NaN]) {
      const attempt = () => evaluate('safe-security-order', safe, 'enterprise', [...base, { criterion: 'staff-briefed-percent', value }]);
      expect(attempt).toThrow(InvalidInputError);
      expect(attempt).toThrow(`Invalid criteria for safe-security-order: criterion "staff-briefed-percent" takes a finite number, not ${value}`);
    }
    const points = sheet([10, 15, 15, 20, 25, 15]).map((r, i) => (i === 0 ? { ...r, value: huge } : r));
    expect(() => evaluate('movement-classification', classification, 'agency', points)).toThrow(
      'Invalid criteria for movement-classification: criterion "resolution-and-plan" takes a finite number, not Infinity',
    );
  });
});

describe('cycles', () => {
  it('runs 16 Nov - 15 Nov, named by the year it ends', () => {
    const definition = PROGRAMMES_V1['safe-security-order'];
    expect(cycleBounds(definition, 'commune', 2024)).toEqual({ cycle: 2024, start: '2023-11-16', end: '2024-11-15' });
    expect(cycleOf(definition, 'commune', '2024-11-15').cycle).toBe(2024);
    expect(cycleOf(definition, 'commune', '2024-11-16').cycle).toBe(2025);
  });

  it('runs by calendar year where the programme says so', () => {
    expect(cycleBounds(PROGRAMMES_V1['drug-free'], 'commune', 2024)).toEqual({ cycle: 2024, start: '2024-01-01', end: '2024-12-31' });
    expect(cycleOf(PROGRAMMES_V1['drug-free'], 'commune', '2024-12-31').cycle).toBe(2024);
  });

  it("runs on a kind's own cycle where the version gives one, the programme's for the other kinds", () => {
    const definition = PROGRAMMES_V2['safe-security-order']!.definition;
    expect(cycleBounds(definition, 'residential-area', 2026)).toEqual({ cycle: 2026, start: '2025-11-01', end: '2026-10-31' });
    expect(cycleOf(definition, 'residential-area', '2026-10-31').cycle).toBe(2026);
    expect(cycleOf(definition, 'residential-area', '2026-11-01').cycle).toBe(2027);
    for (const kind of ['commune', 'agency', 'enterprise', 'school'] as const) {
      expect(cycleBounds(definition, kind, 2026)).toEqual({ cycle: 2026, start: '2025-11-16', end: '2026-11-15' });
    }
    // Version 1 keeps one cycle for every kind.
    expect(cycleBounds(PROGRAMMES_V1['safe-security-order'], 'residential-area', 2026)).toEqual({ cycle: 2026, start: '2025-11-16', end: '2026-11-15' });
  });

  it('takes the "*" cycle for kinds without their own', () => {
    const definition = { ...PROGRAMMES_V1['model-unit'], cycleByKind: { '*': { startMonth: 1, startDay: 1 }, school: { startMonth: 9, startDay: 5 } } };
    expect(cycleBounds(definition, 'commune', 2026)).toEqual({ cycle: 2026, start: '2026-01-01', end: '2026-12-31' });
    expect(cycleBounds(definition, 'school', 2026)).toEqual({ cycle: 2026, start: '2025-09-05', end: '2026-09-04' });
  });
});

describe('deadlines', () => {
  it("fall on the kind's day on or after the cycle's end", () => {
    const definition = PROGRAMMES_V2['movement-classification']!.definition;
    expect(cycleDeadline(definition, 'residential-area', 2026)).toBe('2026-11-20');
    for (const kind of ['commune', 'agency', 'enterprise', 'school'] as const) expect(cycleDeadline(definition, kind, 2026)).toBe('2026-11-30');
    expect(cycleDeadline(definition, 'district', 2026)).toBe('2026-12-15');
  });

  it("are the cycle's end without a deadline, and roll into the next year when the day comes earlier in the year", () => {
    expect(cycleDeadline(PROGRAMMES_V1['movement-classification'], 'district', 2026)).toBe('2026-11-15');
    expect(cycleDeadline(PROGRAMMES_V2['safe-security-order']!.definition, 'residential-area', 2026)).toBe('2026-10-31');
    const drugFree = { ...PROGRAMMES_V1['drug-free'], deadlines: { '*': { month: 1, day: 15 }, commune: { month: 12, day: 31 } } };
    expect(cycleDeadline(drugFree, 'commune', 2024)).toBe('2024-12-31');
    expect(cycleDeadline({ ...drugFree, deadlines: { '*': { month: 1, day: 15 } } }, 'commune', 2024)).toBe('2025-01-15');
  });
});

describe('a recognition holds', () => {
  it("until its cycle's end where decisions are due by then", () => {
    expect(recognitionValidUntil(PROGRAMMES_V1['drug-free'], 'commune', 2024)).toBe('2024-12-31');
    expect(recognitionValidUntil(PROGRAMMES_V2['safe-security-order']!.definition, 'residential-area', 2026)).toBe('2026-10-31');
    expect(recognitionValidUntil(PROGRAMMES_V1['movement-classification'], 'commune', 2025)).toBe('2025-11-15');
  });

  it("until the next cycle's deadline where decisions fall due after the cycle has ended", () => {
    const definition = PROGRAMMES_V2['movement-classification']!.definition;
    expect(recognitionValidUntil(definition, 'residential-area', 2026)).toBe('2027-11-20');
    expect(recognitionValidUntil(definition, 'commune', 2026)).toBe('2027-11-30');
    expect(recognitionValidUntil(definition, 'district', 2026)).toBe('2027-12-15');
  });
});
