import type { TargetState } from '@antq/contracts';

/** Until this share of the period has passed, a trend says too little to call a target at risk. */
export const GRACE_SHARE = 0.1;

export interface Period {
  start: string;
  end: string;
}

export interface Measurement {
  /** Where the trend starts from: the value the day before the period. */
  base: number;
  value: number;
  goal: number;
  /** The most the value can reach (a list's length, 100 per cent), if bounded. */
  ceiling?: number;
}

export interface Progress {
  /** The date the target is measured on: today, or the end of the period once it has passed. */
  evaluatedOn: string;
  value: number;
  goal: number;
  shareDone: number;
  projection: number;
  state: TargetState;
}

const DAY = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY) + 1;
}

/** The date a target is measured on when it is `today`; null before the period starts. */
export function evaluationDate(period: Period, today: string): string | null {
  if (today < period.start) return null;
  return today < period.end ? today : period.end;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** How much of the goal is done, 0..1. */
export function shareDone(value: number, goal: number): number {
  return round2(Math.min(1, Math.max(0, value / goal)));
}

/**
 * Progress on a date: the value against the goal, a straight-line projection of the trend so
 * far to the end of the period, and the state. Achieved as soon as the goal is reached;
 * missed once the period is over without it; at risk while the projection falls short
 * (after a grace of the first tenth of the period); on track otherwise.
 */
export function assess(period: Period, today: string, m: Measurement): Progress {
  const on = evaluationDate(period, today);
  if (!on) throw new Error(`The period starts on ${period.start}, after ${today}`);
  const elapsed = daysBetween(period.start, on);
  const total = daysBetween(period.start, period.end);
  let projection = m.base + ((m.value - m.base) * total) / elapsed;
  if (m.ceiling !== undefined) projection = Math.min(projection, m.ceiling);
  let state: TargetState;
  if (m.value >= m.goal) state = 'achieved';
  else if (today > period.end) state = 'missed';
  else if (elapsed / total >= GRACE_SHARE && projection < m.goal) state = 'at-risk';
  else state = 'on-track';
  return { evaluatedOn: on, value: round2(m.value), goal: m.goal, shareDone: shareDone(m.value, m.goal), projection: round2(projection), state };
}
