/** Time source injected everywhere time matters, so tests can move it by hand instead of sleeping. */
export abstract class Clock {
  abstract now(): number;

  isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
