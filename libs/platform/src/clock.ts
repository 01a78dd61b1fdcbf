import { today } from '@antq/contracts';

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
