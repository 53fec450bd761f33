import { Clock } from '../../common/clock';

/** A clock that moves only when told to. */
export class ManualClock extends Clock {
  constructor(private current = Date.parse('2026-03-01T12:00:00.000Z')) {
    super();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
