import { BUSINESS_TIME_ZONE, today } from '@antq/contracts';

/**
 * The business date: what "today" is for deadlines, evaluations and defaults. In service it is
 * the system's date; a scenario that replays a past period (a demo, a training environment)
 * supplies its own.
 */
export abstract class Clock {
  abstract today(): string;
}

export class SystemClock extends Clock {
  today(): string {
    return today();
  }
}

export interface PlatformOptions {
  clock?: Clock;
}

/**
 * When the daily jobs run (lapses and overdue reports, campaign evaluations): just after
 * midnight in Vietnam, when the business date turns, whatever the server's time zone (a
 * container's is usually UTC, where 01:00 would be 08:00 in Hà Nội). Tree changes dated
 * that day have come into force by then (hourly, on the hour).
 */
export const DAILY_JOBS_CRON = '0 5 0 * * *';
export const dailyJob = (name: string) => ({ name, timeZone: BUSINESS_TIME_ZONE });
