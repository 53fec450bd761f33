/** A clock tests move by hand, shaped like the api's injected `Clock`. */
export class ManualClock {
  constructor(private current = Date.parse('2026-01-01T00:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  isoNow(): string {
    return new Date(this.current).toISOString();
  }

  set(iso: string | number): void {
    this.current = typeof iso === 'number' ? iso : Date.parse(iso);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
