import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import { PluginConfigError } from '../../errors.js';
import { messageOf } from '../../registry/plugin-meta.js';
import { scrubSecrets, urlPasswords } from '../../registry/secrets.js';
import { reconnectDelay, type ChangeEvents, type ChangeListener } from './change-listener.js';
import type { RedisNotifyClient } from './notify-options.js';

/** How long a PUBLISH may take before it is reported as failed (the change itself is committed by then). */
const PUBLISH_TIMEOUT_MS = 2_000;

/** ioredis, loaded only when a Redis URL is configured: it is an optional dependency. */
function loadRedisClass(): typeof Redis {
  try {
    return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'ioredis'");
    if (!missing) throw error;
    throw new PluginConfigError('MOP_MISSING_DEPENDENCY', 'Plugin-state notifications over Redis need the ioredis package, which is not installed: run `npm install ioredis`', {
      option: 'state.notify.redis',
      cause: error,
    });
  }
}

const OWN_OPTIONS: RedisOptions = {
  lazyConnect: true,
  // Resubscribing is done here on every 'ready', so that the refresh after it sees everything since.
  autoResubscribe: false,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: times => reconnectDelay(times - 1),
};

/**
 * SUBSCRIBE on a connection of its own (a `duplicate()` of your client, or one made from the URL), PUBLISH
 * on another (your client itself, or one made from the URL). ioredis reconnects both, with backoff.
 */
export class RedisChangeListener implements ChangeListener {
  readonly kind = 'redis';
  readonly #channel: string;
  readonly #events: ChangeEvents;
  readonly #secrets: string[];
  readonly #source: string | RedisNotifyClient;
  #subscriber: Redis | undefined;
  #publisher: Redis | RedisNotifyClient | undefined;
  #listening = false;
  #closed = false;
  #settleFirst: (() => void) | undefined;

  constructor(source: string | RedisNotifyClient, channel: string, events: ChangeEvents) {
    this.#source = source;
    this.#channel = channel;
    this.#events = events;
    this.#secrets = urlPasswords(source);
    if (typeof source === 'string') loadRedisClass();
  }

  get listening(): boolean {
    return this.#listening;
  }

  start(): Promise<void> {
    const subscriber = this.#connection();
    this.#subscriber = subscriber;
    // Settles when the first attempt did: subscribed (after `up`), or failed.
    const first = new Promise<void>(resolve => (this.#settleFirst = resolve));
    subscriber.on('connect', () => subscriber.stream?.unref?.());
    subscriber.on('ready', () => void this.#subscribe(subscriber));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#events.notified(message);
    });
    subscriber.on('error', (error: unknown) => this.#down(error));
    subscriber.on('close', () => this.#down(undefined));
    subscriber.connect().catch(() => undefined);
    return first;
  }

  async publish(payload: string): Promise<void> {
    if (this.#closed) return;
    if (!this.#publisher) {
      if (typeof this.#source === 'string') {
        const own = this.#connection();
        own.on('connect', () => own.stream?.unref?.());
        own.on('error', () => undefined);
        this.#publisher = own;
      } else {
        this.#publisher = this.#source;
      }
    }
    const publisher = this.#publisher;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const owned = publisher !== this.#source;
      if (owned && (publisher as Redis).status === 'wait') await (publisher as Redis).connect();
      await Promise.race([
        publisher.publish(this.#channel, payload),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS))),
      ]);
    } catch (error) {
      throw new Error(this.#scrub(`publishing a plugin-state change on Redis failed: ${messageOf(error)}`));
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#settle();
    this.#listening = false;
    const owned = [this.#subscriber, this.#publisher === this.#source ? undefined : (this.#publisher as Redis | undefined)];
    this.#subscriber = undefined;
    this.#publisher = undefined;
    for (const client of owned) {
      if (!client) continue;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.disconnect();
    }
  }

  #connection(): Redis {
    // Named after the channel, so `CLIENT LIST` shows what each connection is for.
    const options = { ...OWN_OPTIONS, connectionName: `mop-state:${this.#channel.replace(/[^\w:.-]/g, '_')}` };
    const source = this.#source;
    if (typeof source !== 'string') return source.duplicate(options) as Redis;
    const RedisClass = loadRedisClass();
    return new RedisClass(source, options);
  }

  async #subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.#channel);
    } catch (error) {
      this.#down(error);
      return;
    }
    if (this.#closed || subscriber !== this.#subscriber) return;
    this.#listening = true;
    this.#events.up();
    this.#settle();
  }

  #settle(): void {
    this.#settleFirst?.();
    this.#settleFirst = undefined;
  }

  #down(error: unknown): void {
    if (this.#closed) return;
    this.#listening = false;
    this.#events.down(this.#scrub(error === undefined ? 'the connection closed' : messageOf(error)));
    this.#settle();
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }
}
