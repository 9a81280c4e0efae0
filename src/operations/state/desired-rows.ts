import type { PluginRuntime } from '../../bridge/plugin-runtime.js';
import { jsonSafe } from '../json-values.js';
import { stripSecrets } from '../masked-options.js';
import type { PluginType } from '../plugin-types.js';
import { GLOBAL } from './entities.js';
import { rowKey, type DesiredRow } from './records.js';

/** What the code says the rows should be: one `*` row per plugin and implementation, one per plugin an entity uses. */
export function desiredRows(runtime: PluginRuntime, types: readonly PluginType<any>[]): Map<string, DesiredRow> {
  const desired = new Map<string, DesiredRow>();
  const registry = runtime.registry;
  for (const name of registry.names()) {
    const definition = registry.definition(name)!;
    desired.set(rowKey(name, GLOBAL), {
      plugin: name,
      entity: GLOBAL,
      status: 'active',
      priority: codePriority(definition.hooks.map(h => h.priority)),
      description: definition.description || null,
      options: null,
    });
  }
  for (const [entity, attached] of runtime.attachments()) {
    for (const { plugin } of attached) {
      // The code's options, not a live edit running now: `sync --mode update` puts the code's back.
      const options = runtime.codeOptionsFor(entity, plugin);
      desired.set(rowKey(plugin, entity), {
        plugin,
        entity,
        status: 'active',
        priority: null,
        description: registry.definition(plugin)?.description || null,
        // Secret options are never stored.
        options: jsonSafe(stripSecrets(registry.definition(plugin)?.options, options)) as Record<string, unknown> | null,
      });
    }
  }
  for (const type of types) {
    for (const impl of type.implementations()) {
      desired.set(rowKey(impl.key, GLOBAL), {
        plugin: impl.key,
        entity: GLOBAL,
        status: impl.codeStatus,
        priority: storable(impl.codePriority),
        description: impl.description || null,
        options: null,
      });
    }
  }
  return desired;
}

/** The priority a plugin's `*` row gets from code: the one its hooks share, or null (keep each hook's) when they differ. */
export function codePriority(priorities: readonly number[]): number | null {
  const unique = new Set(priorities);
  return unique.size === 1 ? storable([...unique][0]!) : null;
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** Whether the `priority` column (a 32-bit integer) holds the value. */
export function isStorablePriority(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX;
}

/** A code priority the column cannot hold is stored as null, which means the code's own: the same thing. */
function storable(priority: number): number | null {
  return isStorablePriority(priority) ? priority : null;
}
