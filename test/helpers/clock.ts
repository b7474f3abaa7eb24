import type { Clock } from '../../src/infra/clock.js';

/** A clock tests move by hand: no test waits for wall-clock time. */
export class FakeClock implements Clock {
  constructor(private ms: number = Date.parse('2026-11-25T15:00:00Z')) {}

  now(): number {
    return this.ms;
  }

  set(iso: string | number): void {
    this.ms = typeof iso === 'number' ? iso : Date.parse(iso);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
