import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/** A calendar date, YYYY-MM-DD from year 0001 (there is no year 0): effective dates, as-of dates, decision dates. */
export const ISO_DATE_PATTERN = /^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Whether `value` is a YYYY-MM-DD date that exists on the calendar (no 30 February). */
export const isCalendarDate = (value: unknown): value is string =>
  typeof value === 'string' && ISO_DATE_PATTERN.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** Validates a YYYY-MM-DD date that exists on the calendar: a 400 rather than a database error. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: buildMessage((each) => `${each}$property must be a date that exists on the calendar (YYYY-MM-DD)`, options),
      },
    },
    options,
  );
}

/**
 * A date from `from` to `to` (YYYY-MM-DD, both included): for dates that would otherwise fix
 * the record far off (a change dated 9999-12-31 bars every later change of its unit). Checked
 * on dates that exist; IsCalendarDate says when one does not.
 */
export function IsDateWithin(from: string, to: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateWithin',
      constraints: [from, to],
      validator: {
        validate: (value: unknown) => !isCalendarDate(value) || (value >= from && value <= to),
        defaultMessage: buildMessage((each) => `${each}$property must be a date from ${from} to ${to}`, options),
      },
    },
    options,
  );
}

/**
 * The time zone whose calendar the platform's dates follow: Vietnam's (UTC+7 all year). A
 * decision taken at 06:30 in Hà Nội is dated that day, not the day before as in UTC.
 */
export const BUSINESS_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const businessDate = new Intl.DateTimeFormat('en-CA', { timeZone: BUSINESS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar date in Vietnam (or the date at `at`), as YYYY-MM-DD. */
export const today = (at: Date = new Date()): string => businessDate.format(at);
