import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { PluginError } from '../../errors.js';
import type { StateChangePublisher } from '../state/publisher.js';
import type { PluginStateStore } from '../state/store.js';
import type { ChangeListener } from './change-listener.js';
import { stateChannel } from './channel.js';
import type { NotifySettings, PluginStatePropagation } from './notify-options.js';
import { isPostgreSql, pgClientFactory } from './pg-native.js';
import { PgChangeListener } from './pg-listener.js';
import { RedisChangeListener } from './redis-listener.js';

/** How long start-up waits for the listener's first connection attempt before going on with polling. */
const FIRST_ATTEMPT_MS = 5_000;

export interface PropagationSettings {
  /** Polling when no notification is in use (or while the listener is down). */
  readonly pollInterval: number | false;
  readonly notify: NotifySettings;
  readonly onError: (error: unknown) => void;
}

/**
 * How one ORM's plugin state follows other instances: a listener (PostgreSQL LISTEN/NOTIFY or Redis
 * pub/sub) that refreshes on each notification, with a slow safety poll while it listens and the
 * configured poll while it is down; or polling alone. It also tells the others of this instance's changes.
 */
export class StatePropagation implements StateChangePublisher {
  readonly #orm: MikroORM;
  readonly #store: PluginStateStore;
  readonly #settings: PropagationSettings;
  /** Sent with every notification, so this instance skips its own. */
  readonly #id = randomUUID();
  #postgres = false;
  #channel = '';
  #listener: ChangeListener | undefined;
  #started = false;
  #closed = false;
  /** Whether the current outage was reported (once per outage, not once per reconnect attempt). */
  #downReported = false;
  #refreshing: Promise<void> | undefined;
  #again = false;
  readonly #refreshListeners = new Set<() => void>();

  constructor(orm: MikroORM, store: PluginStateStore, settings: PropagationSettings) {
    this.#orm = orm;
    this.#store = store;
    this.#settings = settings;
  }

  /** Reads the platform and channel; publishing works from here on (the CLI goes no further). */
  prepare(): void {
    this.#postgres = isPostgreSql(this.#orm);
    this.#channel = stateChannel(this.#orm, this.#store, this.#settings.notify, this.#postgres);
    this.#store.setPublisher(this);
    const notify = this.#settings.notify;
    if (notify.kind === 'redis') this.#listener = new RedisChangeListener(notify.redis!, this.#channel, this.#events);
  }

  /** What is in use now; in the CLI (which starts nothing), what the app's instances use when their listener is up. */
  get mode(): PluginStatePropagation {
    if (this.#closed) return 'none';
    const configured = this.#configuredListener();
    if (configured && (!this.#started || this.#listener?.listening)) return configured;
    const poll = this.#settings.pollInterval;
    return poll !== false && poll > 0 ? 'polling' : 'none';
  }

  /** Called after each refresh a notification (or reconnect) caused: for tests and consoles that wait for one. */
  onRefresh(listener: () => void): () => void {
    this.#refreshListeners.add(listener);
    return () => this.#refreshListeners.delete(listener);
  }

  /** Opens the listener (waiting for its first attempt, within bounds) and starts the right poll. */
  async start(): Promise<void> {
    this.#started = true;
    const notify = this.#settings.notify;
    if (notify.kind === 'auto' && this.#postgres) {
      const factory = await pgClientFactory(this.#orm).catch(() => undefined);
      if (factory) this.#listener = new PgChangeListener(factory, this.#channel, this.#events);
      // Never silently: a driver whose native client is not a `pg` pool leaves this instance polling.
      else this.#report("PostgreSQL LISTEN/NOTIFY is unavailable: the driver's native client is not a 'pg' pool; this instance polls instead");
    }
    this.#poll();
    if (!this.#listener) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>(resolve => (timer = setTimeout(resolve, FIRST_ATTEMPT_MS)));
    timer?.unref?.();
    await Promise.race([this.#listener.start(), bound]);
    clearTimeout(timer);
    // The refresh its connection started: init resolves with what was stored when the listener came up.
    await this.#refreshing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#store.close();
    await this.#listener?.close();
    await this.#refreshing;
  }

  // StateChangePublisher: the store calls these around every change it commits.
  async inTransaction(em: EntityManager): Promise<void> {
    // Every PostgreSQL writer notifies, whatever its own listener: the CLI and instances with `notify: false` included.
    // NOTIFY is transactional: delivered on commit, dropped on rollback.
    if (this.#postgres && this.#settings.notify.kind !== 'redis') await em.getConnection().execute('select pg_notify(?, ?)', [this.#channel, this.#id], 'run', em.getTransactionContext());
  }

  async afterCommit(): Promise<void> {
    const listener = this.#listener;
    if (!listener?.publish || this.#closed) return;
    try {
      await listener.publish(this.#id);
    } catch (error) {
      this.#report(`${(error as Error).message}; other instances see the change at their next poll`);
    }
  }

  readonly #events = {
    notified: (payload: string) => {
      if (payload !== this.#id) this.#requestRefresh();
    },
    up: () => {
      this.#downReported = false;
      this.#poll();
      // Whatever changed while nobody listened.
      this.#requestRefresh();
    },
    down: (message: string) => {
      this.#poll();
      if (this.#downReported || this.#closed) return;
      this.#downReported = true;
      const poll = this.#settings.pollInterval;
      const fallback = poll !== false && poll > 0 ? `polling every ${poll} ms until it is back` : 'no polling meanwhile (pollInterval is off)';
      this.#report(`plugin-state notifications (${this.#listener?.kind}) are not connected: ${message}; reconnecting, ${fallback}`);
    },
  };

  /** The listener this instance is set up to use, connected or not (undefined: polling or nothing by design). */
  get configured(): 'postgres-notify' | 'redis' | undefined {
    return this.#closed ? undefined : this.#configuredListener();
  }

  #configuredListener(): 'postgres-notify' | 'redis' | undefined {
    const notify = this.#settings.notify;
    if (notify.kind === 'redis') return 'redis';
    if (notify.kind === 'auto' && this.#postgres) return this.#started ? this.#listener?.kind : 'postgres-notify';
    return undefined;
  }

  /** Safety poll while listening; the configured poll otherwise. */
  #poll(): void {
    if (this.#closed) return;
    const notify = this.#settings.notify;
    const interval = this.#listener?.listening && notify.kind !== 'off' ? notify.safetyPollInterval : this.#settings.pollInterval;
    this.#store.startPolling(interval === false ? 0 : interval, this.#settings.onError);
  }

  /** One refresh at a time; notifications arriving meanwhile make one more, not one each. */
  #requestRefresh(): void {
    if (this.#closed) return;
    if (this.#refreshing) {
      this.#again = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          await this.#store.refresh();
        } catch (error) {
          if (!this.#closed) this.#settings.onError(error);
        }
        for (const listener of this.#refreshListeners) listener();
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#refreshing = undefined;
    });
  }

  #report(message: string): void {
    this.#settings.onError(new PluginError('MOP_STATE_NOTIFY_FAILED', message));
  }
}
