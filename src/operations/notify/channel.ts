import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { PluginStateStore } from '../state/store.js';
import type { NotifySettings } from './notify-options.js';

/** PostgreSQL channel names are identifiers: at most 63 bytes. */
const MAX_CHANNEL_BYTES = 63;

/**
 * The channel instances sharing one plugin_state table meet on: the table (with its schema) names it.
 * NOTIFY reaches one database only; a Redis server may serve several, so its channel adds the database name.
 */
export function stateChannel(orm: MikroORM, store: PluginStateStore, notify: NotifySettings, postgres: boolean): string {
  if (notify.kind !== 'off' && notify.channel !== undefined) return notify.channel;
  const meta = orm.em.getMetadata().find(store.entities.PluginState);
  const schema = meta?.schema ?? orm.config.get('schema');
  const table = [schema, meta?.tableName ?? 'plugin_state'].filter(Boolean).join('.');
  const name = postgres && notify.kind !== 'redis' ? `mop:${table}` : `mop:${orm.config.get('dbName') ?? ''}:${table}`;
  if (Buffer.byteLength(name) <= MAX_CHANNEL_BYTES) return name;
  return `mop:${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}
