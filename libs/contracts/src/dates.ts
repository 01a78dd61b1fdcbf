import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

/** A calendar date, YYYY-MM-DD: effective dates, as-of dates, decision dates. */
export const ISO_DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

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

/** Today's calendar date (UTC) as YYYY-MM-DD. */
export const today = (): string => new Date().toISOString().slice(0, 10);
