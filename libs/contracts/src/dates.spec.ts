import { isCalendarDate, today } from './dates';

describe('isCalendarDate', () => {
  it('accepts dates that exist, leap days included', () => {
    for (const date of ['2024-01-01', '2024-02-29', '2025-07-01', '2000-02-29', '2024-12-31']) expect(isCalendarDate(date)).toBe(true);
  });

  it('refuses dates that do not exist and other shapes', () => {
    for (const date of ['2023-02-29', '2024-02-30', '2024-04-31', '1900-02-29', '2024-13-01', '2024-1-01', '2024-01-01T00:00:00Z', '', 20240101, null]) {
      expect(isCalendarDate(date)).toBe(false);
    }
  });
});

describe('today', () => {
  it("is Vietnam's calendar date, whatever the server's time zone", () => {
    expect(today(new Date('2026-11-26T16:59:59Z'))).toBe('2026-11-26');
    expect(today(new Date('2026-11-26T17:00:00Z'))).toBe('2026-11-27');
    expect(today(new Date('2024-12-31T17:30:00Z'))).toBe('2025-01-01');
  });
});
