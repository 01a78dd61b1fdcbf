import { addDays, assess, daysBetween, evaluationDate } from './progress';

const YEAR_2024 = { start: '2024-01-01', end: '2024-12-31' };

describe('target progress', () => {
  it('counts days with both ends included, across a leap year', () => {
    expect(daysBetween('2024-01-01', '2024-12-31')).toBe(366);
    expect(daysBetween('2024-03-01', '2024-03-01')).toBe(1);
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
  });

  it('measures on today within the period, on its last day after it, and not before it', () => {
    expect(evaluationDate(YEAR_2024, '2023-12-31')).toBeNull();
    expect(evaluationDate(YEAR_2024, '2024-06-30')).toBe('2024-06-30');
    expect(evaluationDate(YEAR_2024, '2026-11-26')).toBe('2024-12-31');
  });

  it('projects the trend so far to the end of the period', () => {
    // Half the year gone (183 of 366 days), 40 gained from a base of 10: 90 by the end.
    const p = assess(YEAR_2024, '2024-07-01', { base: 10, value: 50, goal: 100 });
    expect(p).toMatchObject({ evaluatedOn: '2024-07-01', value: 50, goal: 100, shareDone: 0.5, projection: 90, state: 'at-risk' });
    expect(assess(YEAR_2024, '2024-07-01', { base: 0, value: 60, goal: 105 }).state).toBe('on-track');
  });

  it('waits a tenth of the period before calling a slow start at risk', () => {
    expect(assess(YEAR_2024, '2024-01-20', { base: 0, value: 0, goal: 105 }).state).toBe('on-track');
    expect(assess(YEAR_2024, '2024-02-10', { base: 0, value: 0, goal: 105 }).state).toBe('at-risk');
  });

  it('is achieved once the goal is reached, even early, and missed once the period is over without it', () => {
    expect(assess(YEAR_2024, '2024-03-01', { base: 0, value: 6, goal: 6, ceiling: 6 })).toMatchObject({ state: 'achieved', shareDone: 1, projection: 6 });
    expect(assess(YEAR_2024, '2024-12-31', { base: 0, value: 104, goal: 105 }).state).toBe('at-risk');
    expect(assess(YEAR_2024, '2025-01-01', { base: 0, value: 104, goal: 105 })).toMatchObject({ evaluatedOn: '2024-12-31', state: 'missed' });
    expect(assess(YEAR_2024, '2025-01-01', { base: 0, value: 105, goal: 105 }).state).toBe('achieved');
  });

  it('caps the projection of a bounded target', () => {
    expect(assess(YEAR_2024, '2024-02-01', { base: 0, value: 50, goal: 60, ceiling: 100 }).projection).toBe(100);
  });
});
