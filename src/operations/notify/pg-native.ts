import type { MikroORM } from '@mikro-orm/core';

// The seam to the `pg` driver under MikroORM's PostgreSQL driver: its public `getNativeClient()` gives the
// pool, and the pool holds the client class and the options it opens its own connections with. Nothing here
// imports `pg`: an application without PostgreSQL never loads it, and the listener connects exactly as the pool does.

/** The members of a `pg` client the listener uses. */
export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export interface PgClientFactory {
  /** A new, unconnected client with the pool's own connection options. */
  create(): PgClient;
  /** The password, when the options hold one as text: taken out of every message. */
  readonly secrets: readonly string[];
}

interface PgPoolShape {
  Client: new (options: Record<string, unknown>) => PgClient;
  options: Record<string, unknown>;
}

/** Whether the ORM's platform is PostgreSQL (or one built on it), without loading the PostgreSQL driver. */
export function isPostgreSql(orm: MikroORM): boolean {
  for (let proto = Object.getPrototypeOf(orm.em.getPlatform()); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (/PostgreSql/i.test((proto as { constructor: { name: string } }).constructor.name)) return true;
  }
  return false;
}

/** Clients made as MikroORM's pool makes them; undefined when the driver's native client is not a `pg` pool. */
export async function pgClientFactory(orm: MikroORM): Promise<PgClientFactory | undefined> {
  const connection = orm.em.getConnection() as { getNativeClient?: () => Promise<unknown> };
  if (typeof connection.getNativeClient !== 'function') return undefined;
  const pool = (await connection.getNativeClient()) as Partial<PgPoolShape> | undefined;
  if (!pool || typeof pool.Client !== 'function' || typeof pool.options !== 'object' || pool.options === null) return undefined;
  const { Client, options } = pool as PgPoolShape;
  // One long-lived connection: keepalive finds a dead peer; a connect timeout keeps a hung attempt from blocking reconnects.
  const clientOptions = { ...options, keepAlive: true, connectionTimeoutMillis: Number(options.connectionTimeoutMillis) > 0 ? options.connectionTimeoutMillis : 10_000 };
  return {
    create: () => new Client(clientOptions),
    secrets: typeof options.password === 'string' && options.password !== '' ? [options.password] : [],
  };
}

/** Lets the process exit while only the listener is open (as the unref'd poll timer does); `orm.close()` still closes it. */
export function unrefPgClient(client: PgClient): void {
  (client as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
}
