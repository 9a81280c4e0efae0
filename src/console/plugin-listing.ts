import type { MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../core.js';
import { listPlugins, MASK, optionsJsonSchema, readPluginState, type JsonSchema, type PluginStatus } from '../operations/index.js';

/** One plugin (or plugin-type implementation) as `api/plugins` lists it. Options are masked: no secret value, ever. */
export interface ConsolePlugin {
  readonly name: string;
  readonly version: string | null;
  readonly description: string;
  /** The plugin type an implementation belongs to; null for a plugin. */
  readonly type: string | null;
  /** The implementation's name within its type; null for a plugin. */
  readonly implementation: string | null;
  readonly status: PluginStatus;
  readonly priority: number | null;
  readonly dependencies: readonly string[];
  readonly entities: readonly string[];
  /** The effective status and the stored priority on each entity (the `entity` of a status or priority change). */
  readonly stateByEntity: Readonly<Record<string, { readonly status: PluginStatus; readonly priority: number | null }>>;
  /** The last health check the console ran: null when the plugin has none, `unknown` before the first. */
  readonly health: 'ok' | 'failing' | 'unknown' | null;
  /** The options on the first of `entities` (alphabetically), secrets as `***`. */
  readonly options: Record<string, unknown>;
  /** The options on each entity, secrets as `***`. */
  readonly optionsByEntity: Readonly<Record<string, Record<string, unknown>>>;
  /** Options stored through the console (or `sync`) per entity, secrets never among them; null where no row has any. */
  readonly storedOptions: Readonly<Record<string, Record<string, unknown> | null>>;
  /** Top-level option names whose values are secret (write-only, shown as `***`). */
  readonly secretOptions: readonly string[];
  /** Top-level option names an edit may change (the plugin declares them `live`): every instance runs the edit at once. Others are the code's. */
  readonly liveOptions: readonly string[];
  readonly optionsSchema: JsonSchema | null;
}

export type HealthMemory = Map<string, 'ok' | 'failing'>;

/** Every plugin, then every plugin-type implementation. */
export function consolePlugins(orm: MikroORM, health: HealthMemory): ConsolePlugin[] {
  const inventory = listPlugins(orm);
  let stored: ReturnType<typeof readPluginState> = [];
  try {
    stored = readPluginState(orm);
  } catch {
    // No pluginOperations() state: nothing stored.
  }
  const plugins = inventory.plugins.map((p): ConsolePlugin => {
    const schema = optionsJsonSchema(orm, p.name);
    const hasHealth = hasMethod(orm, p.name, 'healthCheck');
    const optionsByEntity = Object.fromEntries(p.entities.map(e => [e.entity, asObject(e.options)]));
    return {
      name: p.name,
      version: p.version,
      description: p.description,
      type: null,
      implementation: null,
      status: p.status,
      priority: p.priority,
      dependencies: p.requires,
      entities: p.entities.map(e => e.entity),
      stateByEntity: Object.fromEntries(p.entities.map(e => [e.entity, { status: e.status, priority: e.priority }])),
      health: hasHealth ? (health.get(p.name) ?? 'unknown') : null,
      options: asObject(p.entities[0]?.options),
      optionsByEntity,
      storedOptions: Object.fromEntries(p.entities.map(e => [e.entity, stored.find(r => r.plugin === p.name && r.entity === e.entity)?.options ?? null])),
      secretOptions: Object.entries(schema.properties).filter(([, prop]) => prop.writeOnly === true).map(([name]) => name),
      liveOptions: runtimeOf(orm).registry.definition(p.name)?.options.live ?? [],
      optionsSchema: schema,
    };
  });
  const implementations = inventory.types.flatMap(type =>
    type.implementations.map(
      (i): ConsolePlugin => ({
        name: i.key,
        version: null,
        description: `${type.type} implementation${i.chosen ? ' (chosen)' : ''}`,
        type: type.type,
        implementation: i.name,
        status: i.status,
        priority: i.priority,
        dependencies: [],
        entities: [],
        stateByEntity: {},
        health: null,
        options: {},
        optionsByEntity: {},
        storedOptions: {},
        secretOptions: [],
        liveOptions: [],
        optionsSchema: null,
      }),
    ),
  );
  return [...plugins, ...implementations];
}

export function consolePlugin(orm: MikroORM, health: HealthMemory, name: string): ConsolePlugin | undefined {
  return consolePlugins(orm, health).find(p => p.name === name);
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === true || value === undefined || value === null) return {};
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value: MASK };
}

export function hasMethod(orm: MikroORM, plugin: string, method: 'healthCheck' | 'testConnection'): boolean {
  const instance = runtimeOf(orm).instanceOf(plugin) as Record<string, unknown> | undefined;
  return typeof instance?.[method] === 'function';
}
