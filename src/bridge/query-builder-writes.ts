import { Utils, type EntityMetadata } from '@mikro-orm/core';
import type { Chain } from '../chain/chain.js';
import { findRuntime } from './runtimes.js';
import { builderState, type Builder } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { builderError, type Recorded } from './query-builder-record.js';
import { unaliased } from './query-builder-where.js';

/** Runs an update()/delete() as em.nativeUpdate/nativeDelete when a plugin is concerned; undefined leaves it to MikroORM. */
export async function writeThroughPlugins(qb: Builder, recorded: Recorded, method: string | undefined): Promise<unknown> {
  const em = qb.em;
  const meta = qb.mainAlias.meta;
  const runtime = em && findRuntime(em);
  const kind = qb.type === 'UPDATE' ? 'update' : 'delete';
  if (!em || !meta || !runtime || !pluginsConcerned(runtime, meta, kind)) return undefined;
  const feature = unsupportedFeature(qb, recorded);
  const native = kind === 'update' ? 'em.nativeUpdate' : 'em.nativeDelete';
  if (feature) {
    throw builderError('MOP_QB_UNSUPPORTED', qb, `${kind}() uses ${feature}, which ${native} cannot express, so the plugins could not see it. Use ${native}, or switch the plugins off with withoutPlugins()`);
  }
  const where = unaliased(recorded.where ?? {}, qb.alias);
  const options: Record<string, unknown> = {};
  const schema = builderState(qb).schema;
  if (schema) options.schema = schema;
  if (recorded.options.filters !== undefined) options.filters = recorded.options.filters;
  if (recorded.options.hard) options.hard = true;
  const count = kind === 'update' ? await em.nativeUpdate(meta.class, where, recorded.data as never, options) : await em.nativeDelete(meta.class, where, options);
  // What MikroORM's builder returns for a write, by method.
  if (method === 'all') return [];
  if (method === 'get') return undefined;
  return { affectedRows: count, insertId: undefined, row: undefined, rows: [] };
}

/** Whether an active plugin hooks this bulk write or filters the entity. */
function pluginsConcerned(runtime: PluginRuntime, meta: EntityMetadata, kind: 'update' | 'delete'): boolean {
  const chains = runtime.chainsOf(meta);
  const active = (chain: Chain | null | undefined) => chain?.links.some(link => runtime.isActive(link.plugin, meta.className)) === true;
  if (chains && (kind === 'update' ? active(chains.beforeBulkUpdate) || active(chains.afterBulkUpdate) : active(chains.beforeBulkDelete) || active(chains.afterBulkDelete))) {
    return true;
  }
  return Object.keys(meta.filters).some(name => runtime.optionsFor(meta.className, name) !== undefined && runtime.isActive(name, meta.className));
}

function unsupportedFeature(qb: Builder, recorded: Recorded): string | undefined {
  const s = builderState(qb);
  if (recorded.where === 'raw') return 'a raw or string where-condition';
  if (recorded.explicitJoin) return 'an explicit join';
  if (s.limit != null || s.offset != null) return 'limit/offset';
  if (s.orderBy.length > 0) return 'orderBy';
  if (s.returning) return 'returning';
  if (s.ctes.length > 0) return 'a common table expression (with)';
  if (s.groupBy.length > 0 || Utils.hasObjectKeys(s.having)) return 'groupBy/having';
  if (s.lockMode != null) return 'a lock mode';
  if (s.indexHint) return 'an index hint';
  if (s.unionQuery) return 'a union';
  if (Utils.hasObjectKeys(s.subQueries)) return 'a sub-query';
  return undefined;
}
