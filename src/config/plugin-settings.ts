import { PluginConfigError } from '../errors.js';
import type { PluginList } from '../plugin-api.js';
import { describeValue } from '../registry/plugin-meta.js';

/** name → `true` (defaults), an options object, or `false` (opted out). Insertion order is declaration order. */
export type SettingsMap = Map<string, unknown>;

/**
 * Folds lists in order: later lists add plugins, merge options into earlier ones, or opt out with `false`.
 * This is how global plugins, base classes and subclasses combine.
 */
export function mergePluginLists(lists: readonly PluginList[], entity: string): SettingsMap {
  const settings: SettingsMap = new Map();
  for (const list of lists) {
    for (const [name, value] of entriesOf(list, entity)) {
      const previous = settings.get(name);
      settings.set(name, isObject(previous) && isObject(value) ? { ...previous, ...value } : value);
    }
  }
  return settings;
}

function* entriesOf(list: PluginList, entity: string): Generator<[string, unknown]> {
  const items: readonly unknown[] = Array.isArray(list) ? list : [list];
  for (const item of items) {
    if (typeof item === 'string') yield [item, true];
    else if (isObject(item)) yield* Object.entries(item);
    else {
      throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `Entity '${entity}': a plugin list holds ${describeValue(item)}; expected a plugin name or { name: options }`, {
        entity,
      });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
