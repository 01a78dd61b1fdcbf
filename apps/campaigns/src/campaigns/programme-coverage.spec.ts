import { kindsCoveredDuring, type CoverageVersion } from './programme-coverage';

const v1: CoverageVersion = { version: 1, validFrom: '2020-01-01', kinds: ['commune', 'district'] };
const v2: CoverageVersion = { version: 2, validFrom: '2025-07-01', kinds: ['commune', 'school'] };

describe('kindsCoveredDuring', () => {
  it('knows nothing before any version is known', () => {
    expect(kindsCoveredDuring([], '2024-01-01', '2024-12-31')).toBeNull();
  });

  it('reads the version in force during the period, the first also before its own date', () => {
    expect([...(kindsCoveredDuring([v2, v1], '2024-01-01', '2024-12-31') ?? [])].sort()).toEqual(['commune', 'district']);
    expect([...(kindsCoveredDuring([v1, v2], '2010-01-01', '2010-12-31') ?? [])].sort()).toEqual(['commune', 'district']);
    expect([...(kindsCoveredDuring([v1, v2], '2026-01-01', '2026-12-31') ?? [])].sort()).toEqual(['commune', 'school']);
  });

  it('joins the versions of a period that spans a change, to the day', () => {
    expect([...(kindsCoveredDuring([v1, v2], '2025-01-01', '2025-07-01') ?? [])].sort()).toEqual(['commune', 'district', 'school']);
    expect([...(kindsCoveredDuring([v1, v2], '2025-01-01', '2025-06-30') ?? [])].sort()).toEqual(['commune', 'district']);
    expect([...(kindsCoveredDuring([v1, v2], '2025-07-01', '2025-12-31') ?? [])].sort()).toEqual(['commune', 'school']);
  });

  it('passes over a version replaced on the day it started', () => {
    const same: CoverageVersion = { version: 3, validFrom: '2025-07-01', kinds: ['province'] };
    expect([...(kindsCoveredDuring([v1, v2, same], '2025-07-01', '2025-12-31') ?? [])].sort()).toEqual(['province']);
  });
});
