import { cacheMetrics, cacheStores, clearCache } from '../plugins/cache/index.js';
import { entityMeta, primaryKey } from './audit.js';
import { invalidField, notFound } from './errors.js';
import { bodyObject, onlyFields, requiredName } from './fields.js';
import type { Route } from './router.js';

/** `api/cache`: each cached entity's counters and store; clearing one entity, or one row of it. */
export function cacheRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/cache',
      changes: false,
      run: ({ orm }) => {
        const stores = cacheStores(orm);
        const entities = Object.entries(cacheMetrics(orm))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([entity, m]) => ({ entity, ...m, store: stores[entity] ?? null }));
        return { json: { entities } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/cache/clear',
      changes: true,
      run: async ({ orm, body }) => {
        const input = bodyObject(body);
        onlyFields(input, ['entity', 'key']);
        const entity = requiredName(input, 'entity');
        if (!(entity in cacheStores(orm))) throw notFound(`no cached entity named '${entity.slice(0, 100)}'`);
        const meta = entityMeta(orm, entity);
        let id: unknown;
        if (input.key !== undefined) {
          const key = input.key;
          if (typeof key === 'number' && Number.isFinite(key)) id = primaryKey(meta, String(key));
          else if (typeof key === 'string' && key !== '' && key.length <= 255) id = primaryKey(meta, key);
          else throw invalidField('key', `a primary key of ${meta.className}`);
        }
        await clearCache(orm, { entity: meta.className, ...(id !== undefined && { id }) });
        return { json: { cleared: true }, change: { subjectId: meta.className, action: 'clearCache', details: input.key === undefined ? {} : { key: input.key } } };
      },
    },
  ];
}
