import { invalidArgument } from '../core.js';

/** A clock that moves only when told: the timestamp plugin's `now` option, for exact dates in assertions. */
export interface FakeClock {
  /** The clock's time, as a new `Date` on every call (a hook may keep it). Give it as `{ timestamp: { now: clock.now } }`. */
  readonly now: () => Date;
  /** Moves the clock by `ms` milliseconds (negative goes back) and returns the new time. */
  advance(ms: number): Date;
  /** Puts the clock at `time` and returns it. */
  set(time: Date | string | number): Date;
}

/** Where a clock starts unless told: a fixed, readable instant, so a test never depends on when it runs. */
const DEFAULT_START = '2024-01-01T00:00:00.000Z';

/** A fake clock starting at `start` (a `Date`, an ISO string or epoch milliseconds). */
export function fakeClock(start: Date | string | number = DEFAULT_START): FakeClock {
  let current = toTime(start, 'fakeClock(start)');
  return {
    // An arrow, so `{ now: clock.now }` works detached from the clock.
    now: () => new Date(current),
    advance(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalidArgument('fakeClock: advance', 'ms', 'a finite number of milliseconds', ms);
      current += ms;
      return new Date(current);
    },
    set(time) {
      current = toTime(time, 'fakeClock: set(time)');
      return new Date(current);
    },
  };
}

function toTime(value: Date | string | number, where: string): number {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(time)) throw invalidArgument(where, 'time', 'a Date, an ISO date string or epoch milliseconds', value);
  return time;
}
