import { today } from '@antq/contracts';
import { Clock } from '@antq/platform';

/** A business clock a scenario moves by hand (a replayed year, a job run on a given day); the system date until set. */
export class SettableClock extends Clock {
  constructor(public date?: string) {
    super();
  }

  today(): string {
    return this.date ?? today();
  }
}
