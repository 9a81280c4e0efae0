import type { MikroORM } from '@mikro-orm/core';
import { eventKind, metadataOf, pluginOptions, runtimeOf } from '../core.js';
import { explainChains, formatExplainMermaid } from '../operations/index.js';
import { notFound } from './errors.js';
import { queryValue } from './fields.js';
import type { Route } from './router.js';

/** `api/chains` (the hooks of each entity and event in run order, as `explain` shows them) and `api/entities`. */
export function chainRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/chains',
      changes: false,
      run: ({ orm, query }) => {
        const entity = queryValue(query, 'entity');
        const format = queryValue(query, 'format');
        if (entity !== undefined && !attachedEntities(orm).includes(entity)) throw notFound(`no entity with plugins named '${entity.slice(0, 100)}'`);
        const explained = explainChains(orm, entity === undefined ? {} : { entity });
        const chains = explained.map(chain => ({
          entity: chain.entity,
          event: chain.event,
          kind: eventKind(chain.event),
          hooks: chain.hooks.map(h => ({
            position: h.position,
            plugin: h.plugin,
            hook: h.method,
            declaredOn: h.declaredOn,
            kind: eventKind(h.declaredOn),
            priority: h.priority,
            source: h.prioritySource,
            rule: h.rule,
            reason: h.reason,
          })),
        }));
        return { json: { chains, ...(format === 'mermaid' && { mermaid: formatExplainMermaid(explained) }) } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/entities',
      changes: false,
      run: ({ orm }) => ({ json: { entities: consoleEntities(orm) } }),
    },
  ];
}

export interface ConsoleEntity {
  readonly name: string;
  readonly plugins: readonly string[];
  readonly audited: boolean;
  readonly softDelete: boolean;
  readonly cached: boolean;
  readonly primaryKeys: readonly string[];
}

/** The entities with plugins, with what the console can show of each. */
export function consoleEntities(orm: MikroORM): ConsoleEntity[] {
  const em = orm.em;
  return [...runtimeOf(orm).attachments()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => ({
      name,
      plugins: list.map(p => p.plugin),
      audited: list.some(p => p.plugin === 'audit'),
      softDelete: pluginOptions(em, name, 'softDelete' as never) !== undefined,
      cached: list.some(p => p.plugin === 'cache'),
      primaryKeys: [...metadataOf(em, name).primaryKeys],
    }));
}

export function attachedEntities(orm: MikroORM): string[] {
  return [...runtimeOf(orm).attachments().keys()];
}
