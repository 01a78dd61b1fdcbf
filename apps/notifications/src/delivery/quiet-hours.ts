const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface QuietHours {
  /** Local time `HH:MM` when quiet starts; may be after `end` (overnight). */
  start: string;
  end: string;
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
 * else the end of the quiet period (local time in `timeZone`).
 */
export function releaseTime(at: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet || quiet.start === quiet.end) return at;
  const now = localMinutes(at, timeZone);
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return at;
  const wait = (end - now + 1440) % 1440;
  const released = new Date(at.getTime() + wait * 60_000);
  released.setUTCSeconds(0, 0);
  return released;
}
