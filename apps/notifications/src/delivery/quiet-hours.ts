const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface QuietHours {
  /** Local time `HH:MM` when quiet starts; may be after `end` (overnight). */
  start: string;
  end: string;
}

/** A subscriber's quiet hours as its preferences row holds them; null without both ends. */
export function quietHoursOf(row: { quiet_start: string | null; quiet_end: string | null } | undefined): QuietHours | null {
  return row?.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null;
}

export function isTimeOfDay(value: unknown): value is string {
  return typeof value === 'string' && TIME.test(value);
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes past local midnight in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** The local calendar date (YYYY-MM-DD) in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * When a non-critical notification due `at` may go out: `at` itself outside quiet hours,
 * else the end of the quiet period (local time in `timeZone`, daylight saving included).
 */
export function releaseTime(at: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet || quiet.start === quiet.end) return at;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const inside = (when: Date) => {
    const local = localMinutes(when, timeZone);
    return start < end ? local >= start && local < end : local >= start || local < end;
  };
  if (!inside(at)) return at;
  const shifted = (when: Date, by: number) => new Date(when.getTime() + by * 60_000);
  // The local minutes until the end, as absolute time...
  let released = shifted(at, (end - localMinutes(at, timeZone) + 1440) % 1440);
  released.setUTCSeconds(0, 0);
  // ...then corrected by the hour a daylight-saving switch on the way adds or removes.
  const drift = ((end - localMinutes(released, timeZone) + 2160) % 1440) - 720;
  if (drift !== 0 && !inside(shifted(released, drift))) released = shifted(released, drift);
  // An end the switch skips (02:30 when 02:00 becomes 03:00): the first minute after the jump.
  for (let step = 0; drift !== 0 && step < 120 && !inside(shifted(released, -1)); step++) released = shifted(released, -1);
  return released;
}
