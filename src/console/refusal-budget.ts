/** How many requests without a grant are audited one by one per window, then counted into one summary row. */
export interface RefusalAuditLimit {
  /** Refusals without a grant audited individually per window. Default 20. */
  readonly perWindow: number;
  /** The window, in milliseconds. Default one minute. */
  readonly windowMs: number;
}

export const DEFAULT_REFUSAL_AUDIT: RefusalAuditLimit = { perWindow: 20, windowMs: 60_000 };

/** What the budget decides for one refusal: write its own row, or only count it. */
export type RefusalVerdict = 'record' | 'count';

/** The summary of a window's counted refusals: how many, from when to when (ISO). */
export interface RefusalSummary {
  readonly count: number;
  readonly from: string;
  readonly to: string;
}

/**
 * Anonymous traffic must not grow the audit table without bound: the first `perWindow` refusals of a
 * window are recorded individually, the rest counted, and when the window ends one summary row says how
 * many there were. Refusals of a known actor (403) are not limited: they name someone.
 */
export class RefusalBudget {
  readonly #limit: RefusalAuditLimit;
  readonly #summarize: (summary: RefusalSummary) => Promise<void>;
  #windowStart = 0;
  #recorded = 0;
  #counted = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limit: RefusalAuditLimit, summarize: (summary: RefusalSummary) => Promise<void>) {
    this.#limit = limit;
    this.#summarize = summarize;
  }

  take(now = Date.now()): RefusalVerdict {
    if (now - this.#windowStart >= this.#limit.windowMs) this.#open(now);
    if (this.#recorded < this.#limit.perWindow) {
      this.#recorded++;
      return 'record';
    }
    if (this.#counted++ === 0) {
      // The summary is written when the window ends, whether or not more traffic comes.
      this.#timer = setTimeout(() => this.#close(), this.#windowStart + this.#limit.windowMs - now);
      this.#timer.unref?.();
    }
    return 'count';
  }

  #open(now: number): void {
    if (this.#timer !== undefined) this.#close();
    this.#windowStart = now;
    this.#recorded = 0;
  }

  #close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const count = this.#counted;
    this.#counted = 0;
    if (count === 0) return;
    const from = new Date(this.#windowStart).toISOString();
    void this.#summarize({ count, from, to: new Date(this.#windowStart + this.#limit.windowMs).toISOString() });
  }
}
