import { SystemClock } from '@antq/platform';

/** A business clock a scenario moves by hand (a replayed year, a job run on a given day); the system date until set. */
export class SettableClock extends SystemClock {
  constructor(public date?: string) {
    super();
  }

  override today(): string {
    return this.date ?? super.today();
  }
}
