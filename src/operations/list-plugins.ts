import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { findOperations } from './extension.js';
import { jsonSafe } from './json-values.js';
import { maskOptions } from './masked-options.js';
import { GLOBAL, type PluginStatus } from './state/entities.js';
import type { PluginStatePropagation } from './notify/notify-options.js';

export interface EntityUse {
  readonly entity: string;
  /** Effective status on this entity (registry, then stored state). */
  readonly status: PluginStatus;
  /** The stored priority replacing the hook priorities, or null. */
  readonly priority: number | null;
  /** Options with secrets shown as `***`. */
  readonly options: unknown;
}

export interface PluginListing {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** The npm package that provides the plugin (`@plugin({ package })`); null for the application's own. */
  readonly package: string | null;
  /** The plugins this one `requires`. */
  readonly requires: readonly string[];
  /** Effective status for the plugin as a whole: `disabled` when the registry disabled it, else the stored `*` row, else `active`. */
  readonly status: PluginStatus;
  readonly statusSource: 'code' | 'registry' | 'stored';
  readonly priority: number | null;
  readonly hooks: readonly { event: string; method: string; priority: number }[];
  readonly entities: readonly EntityUse[];
}

export interface ImplementationListing {
  readonly name: string;
  readonly key: string;
  readonly status: PluginStatus;
  readonly priority: number;
  readonly chosen: boolean;
}

export interface TypeListing {
  readonly type: string;
  readonly methods: readonly string[];
  readonly implementations: readonly ImplementationListing[];
}

export interface PluginInventory {
  readonly plugins: readonly PluginListing[];
  readonly types: readonly TypeListing[];
  readonly state: {
    readonly installed: boolean;
    readonly available: boolean;
    readonly version: number | null;
    readonly rows: number;
    /** How other instances' changes reach this one (`pluginStatePropagation`). */
    readonly propagation: PluginStatePropagation;
  };
}

/** What `list` prints: plugins, versions, status and the entities each applies to; plugin types and their implementations. */
export function listPlugins(ormOrEm: MikroORM | EntityManager): PluginInventory {
  const runtime = runtimeOf(ormOrEm);
  const ops = findOperations(ormOrEm);
  const store = ops?.store;
  const registry = runtime.registry;
  const attachments = runtime.attachments();
  const plugins = registry.names().map((name): PluginListing => {
    const definition = registry.definition(name)!;
    const enabled = registry.isEnabled(name);
    const stored = store?.status(name, GLOBAL);
    const entities: EntityUse[] = [];
    for (const [entity, list] of [...attachments].sort(([a], [b]) => a.localeCompare(b))) {
      const use = list.find(p => p.plugin === name);
      if (!use) continue;
      entities.push({
        entity,
        status: !enabled ? 'disabled' : (store?.status(name, entity) ?? 'active'),
        priority: store?.priority(name, entity) ?? null,
        options: jsonSafe(maskOptions(definition.options, use.options)),
      });
    }
    return {
      name,
      version: definition.version,
      description: definition.description,
      package: definition.package ?? null,
      requires: [...definition.requires],
      status: !enabled ? 'disabled' : (stored ?? 'active'),
      statusSource: !enabled ? 'registry' : stored ? 'stored' : 'code',
      priority: store?.priority(name, GLOBAL) ?? null,
      hooks: definition.hooks.map(h => ({ event: h.event, method: String(h.method), priority: h.priority })),
      entities,
    };
  });
  // A type nothing implements has nothing to show or switch (the package's own AuditSink type, in an app without sinks).
  const types = (ops?.types() ?? []).filter(type => type.implementations().length > 0).map((type): TypeListing => {
    let chosen: string | undefined;
    try {
      chosen = type.chosen(store)?.key;
    } catch {
      // A custom selector that throws: nothing is marked chosen.
      chosen = undefined;
    }
    return {
      type: type.name,
      methods: type.methods,
      // By key, not by instance: reading `implementation` would instantiate every class implementation.
      implementations: type.implementations(store).map(i => ({ name: i.name, key: i.key, status: i.status, priority: i.priority, chosen: i.key === chosen })),
    };
  });
  return {
    plugins,
    types,
    state: {
      installed: store !== undefined,
      available: store?.available ?? false,
      version: store?.version ?? null,
      rows: store?.rows().length ?? 0,
      propagation: ops?.propagation?.mode ?? 'none',
    },
  };
}
