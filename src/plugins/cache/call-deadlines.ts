interface InFlight {
  readonly deadline: number;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/**
 * Fails calls still unanswered `ms` after they started, with one timer for all the calls in flight: a
 * timer armed and cleared per call costs about a microsecond, on every cache hit. Every call gets the
 * same `ms`, so calls expire in the order they started, and the timer only looks at the oldest. The
 * timer is unref'd: it outlives the calls, and must not keep a process that closed its client alive.
 */
export class CallDeadlines {
  readonly #ms: number;
  readonly #message: string;
  /** Calls in start order; the answered ones are dropped when the timer fires. */
  #inFlight: InFlight[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number, message: string) {
    this.#ms = ms;
    this.#message = message;
  }

  /** `call`'s outcome, or a rejection with the message once `ms` passed without one. */
  within<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { deadline: performance.now() + this.#ms, reject, settled: false };
      this.#inFlight.push(entry);
      this.#timer ??= setTimeout(this.#expire, this.#ms).unref();
      call.then(
        value => {
          entry.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          entry.settled = true;
          reject(error);
        },
      );
    });
  }

  readonly #expire = (): void => {
    const now = performance.now();
    const calls = this.#inFlight;
    let first = 0;
    for (; first < calls.length; first++) {
      const call = calls[first]!;
      if (call.settled) continue;
      if (call.deadline > now) break;
      call.settled = true;
      call.reject(new Error(this.#message));
    }
    const waiting = calls.slice(first).filter(call => !call.settled);
    this.#inFlight = waiting;
    this.#timer = waiting.length > 0 ? setTimeout(this.#expire, Math.max(1, waiting[0]!.deadline - now)).unref() : undefined;
  };
}
