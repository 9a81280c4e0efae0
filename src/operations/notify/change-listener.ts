/** What a notifier reports to the propagation: a change elsewhere, and its connection coming and going. */
export interface ChangeEvents {
  /** A notification arrived (payload: the sender's id). */
  notified(payload: string): void;
  /** Listening (again): changes made while it was down have to be read now. */
  up(): void;
  /** The connection failed or dropped; it reconnects by itself. The message carries no secret. */
  down(message: string): void;
}

/** A connection that hears of plugin-state changes and reconnects by itself until closed. */
export interface ChangeListener {
  readonly kind: 'postgres-notify' | 'redis';
  /** Connected and listening now. */
  readonly listening: boolean;
  /** Starts connecting; resolves when the first attempt succeeded or failed (retries go on in the background). */
  start(): Promise<void>;
  /** Sends a notification outside any transaction (Redis); PostgreSQL's is sent by the writing transaction instead. */
  publish?(payload: string): Promise<void>;
  /** Stops reconnecting and closes every connection it opened. */
  close(): Promise<void>;
}

/** Wait before reconnect attempt `n` (0-based): 100 ms doubling to 30 s, with jitter so instances do not reconnect in step. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(30_000, 100 * 2 ** Math.min(attempt, 9));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
