/**
 * The wall clock, held back from ever running backwards (NTP steps), so "newest first" by
 * `(recordedAt, id)` matches write order within a process.
 */
export class MonotonicClock {
  #last = 0;

  constructor(private readonly now: () => number = Date.now) {}

  read(): Date {
    const now = this.now();
    if (now > this.#last) this.#last = now;
    return new Date(this.#last);
  }
}

const shared = new MonotonicClock();

/** The time an audit row records. */
export function auditClock(): Date {
  return shared.read();
}
