import { InvalidInputError } from '@antq/platform';
import { cycleBounds, cycleOf } from './programme-definition';
import { PROGRAMMES_V1 } from './programmes-v1';
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

  it('names every problem at once', () => {
    const attempt = () => evaluate('drug-free', PROGRAMMES_V1['drug-free'], 'commune', [{ criterion: 'no-addicts', value: 3 }, { criterion: 'x', value: true }]);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(/"no-addicts" takes true or false.*"x" is not one of drug-free's.*missing criteria: no-drug-crime/);
  });
});

describe('cycles', () => {
  it('runs 16 Nov - 15 Nov, named by the year it ends', () => {
    const definition = PROGRAMMES_V1['safe-security-order'];
    expect(cycleBounds(definition, 2024)).toEqual({ cycle: 2024, start: '2023-11-16', end: '2024-11-15' });
    expect(cycleOf(definition, '2024-11-15').cycle).toBe(2024);
    expect(cycleOf(definition, '2024-11-16').cycle).toBe(2025);
  });

  it('runs by calendar year where the programme says so', () => {
    expect(cycleBounds(PROGRAMMES_V1['drug-free'], 2024)).toEqual({ cycle: 2024, start: '2024-01-01', end: '2024-12-31' });
  });
});
