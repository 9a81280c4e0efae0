import { messageOf } from '../../registry/plugin-meta.js';
import { scrubSecrets } from '../../registry/secrets.js';
import { reconnectDelay, type ChangeEvents, type ChangeListener } from './change-listener.js';
import { unrefPgClient, type PgClient, type PgClientFactory } from './pg-native.js';

/** `LISTEN channel` on a connection of its own; reconnects with backoff after any failure or drop. */
export class PgChangeListener implements ChangeListener {
  readonly kind = 'postgres-notify';
  readonly #factory: PgClientFactory;
  readonly #channel: string;
  readonly #events: ChangeEvents;
  #client: PgClient | undefined;
  #listening = false;
  #closed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(factory: PgClientFactory, channel: string, events: ChangeEvents) {
    this.#factory = factory;
    this.#channel = channel;
    this.#events = events;
  }

  get listening(): boolean {
    return this.#listening;
  }

  start(): Promise<void> {
    return this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listening = false;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = this.#factory.create();
    this.#client = client;
    client.on('error', error => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    client.on('notification', message => {
      if (message.channel === this.#channel) this.#events.notified(message.payload ?? '');
    });
    try {
      await client.connect();
      unrefPgClient(client);
      await client.query(`LISTEN "${this.#channel.replaceAll('"', '""')}"`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#client !== client) return;
    this.#attempt = 0;
    this.#listening = true;
    this.#events.up();
  }

  /** The current client failed or ended: drop it, and try again after a while (unless closed). */
  #lost(client: PgClient, error?: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#listening = false;
    client.removeAllListeners();
    // A late 'error' from the dropped client must not become an uncaught exception.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.#closed) return;
    const reason = error === undefined ? 'the connection ended' : messageOf(error);
    this.#events.down(scrubSecrets(reason, this.#factory.secrets));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, reconnectDelay(this.#attempt++));
    this.#timer.unref?.();
  }
}
