import type { Redis } from 'ioredis';
import type { StoreCommands } from './redis-scripts.js';

/**
 * The run part of the Redis store's stamps (the server's run_id, as the scripts read it), learnt once
 * per connection instead of by every read: a restarted server is a new connection, so a connection
 * that closes forgets it, and the next one learns it again once it is ready. Reads check `epoch`
 * before and after their round trip: a reply that crossed a reconnection (ioredis resends unanswered
 * commands on the new connection) is not trusted with the old run id.
 *
 * What this does not see, and the old per-read check did: a proxy that keeps the client's connection
 * open while the server behind it restarts. Behind such a proxy, give the store its own ioredis client
 * that reconnects with the server (or use a store of your own).
 */
export class RunIdWatch {
  #runId: string | undefined;
  /** Counts connections closed: a change between a read's request and its reply invalidates the reply. */
  #epoch = 0;
  #learning: Promise<void> | undefined;
  readonly #client: Redis & StoreCommands;
  readonly #timeoutMs: number;
  readonly #lost = (): void => {
    this.#epoch++;
    this.#runId = undefined;
  };
  readonly #ready = (): void => void this.learn();

  constructor(client: Redis & StoreCommands, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    client.on('close', this.#lost);
    client.on('end', this.#lost);
    client.on('ready', this.#ready);
    if (client.status === 'ready') void this.learn();
  }

  /** The run id of the current connection, or undefined while it is not known (then the read script computes it). */
  get runId(): string | undefined {
    if (this.#runId === undefined && this.#learning === undefined && this.#client.status === 'ready') void this.learn();
    return this.#runId;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Asks the server for its run id (one at a time); a failure leaves it unknown until the next read asks again. */
  learn(): Promise<void> {
    if (this.#learning) return this.#learning;
    const epoch = this.#epoch;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.#timeoutMs);
    });
    const learning = Promise.race([this.#client.mopCacheRunId(), timeout])
      .then(
        runId => {
          // Only for the connection it was asked on.
          if (this.#epoch === epoch && typeof runId === 'string') this.#runId = runId;
        },
        () => {},
      )
      .finally(() => {
        clearTimeout(timer);
        if (this.#learning === learning) this.#learning = undefined;
      });
    return (this.#learning = learning);
  }

  /** Stops watching the client (a client of yours outlives the store). */
  detach(): void {
    this.#client.off('close', this.#lost);
    this.#client.off('end', this.#lost);
    this.#client.off('ready', this.#ready);
    this.#lost();
  }
}
