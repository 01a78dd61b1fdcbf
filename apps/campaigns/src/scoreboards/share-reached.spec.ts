import { shareReached } from './scoreboard.service';

describe('shareReached', () => {
  it('is the share recognised among all the units', () => {
    expect(shareReached('drug-free', { recognised: 3, 'not-recognised': 1, unassessed: 6 }, 10)).toBe(0.3);
    expect(shareReached('drug-free', {}, 0)).toBe(0);
  });

  it('is, for key complex areas, the share transformed among the designated', () => {
    const byStatus = { designated: 2, transformed: 3, 'followed-up': 2, removed: 1, revoked: 4, unassessed: 88 };
    expect(shareReached('key-complex-area', byStatus, 100)).toBe(6 / 8);
    expect(shareReached('key-complex-area', { recognised: 5, unassessed: 5 }, 10)).toBe(0);
    expect(shareReached('key-complex-area', { unassessed: 10 }, 10)).toBe(0);
  });
});
