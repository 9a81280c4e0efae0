import type { EntityManager, EntityName, MikroORM } from '@mikro-orm/core';
import { metadataOf, PluginConfigError, runtimeOf, type HookContext } from '../core.js';

/** One hook call, as the recorder saw it. */
export interface HookCall {
  readonly plugin: string;
  readonly method: string;
  /** `plugin.method`, as `expectChain` and `describeChain` name a hook. */
  readonly hook: string;
  /** The event dispatched: `beforeCreate` for a hook declared on `beforeSave`. */
  readonly event: string;
  /** The entity's class name (`meta.className`). */
  readonly entity: string;
  /** The hook's arguments but its context: `[entity]`, `[entities]` (a batch hook), `[entity, changes]`, `[entityName, where, data]`, `[entity, payload]`… */
  readonly args: readonly unknown[];
}

/** Which calls `hooks()` lists; every field left out matches all. */
export interface CallFilter {
  /** A class, schema or class name. */
  readonly entity?: EntityName<any> | string;
  readonly event?: string;
  readonly plugin?: string;
}

export interface HookRecorder {
  /** Every hook call of this ORM since the recorder started (or was cleared), in call order. */
  readonly calls: readonly HookCall[];
  /** The calls matching `filter`, as `plugin.method`, in call order. */
  hooks(filter?: CallFilter): string[];
  /** Forgets the calls so far; keeps recording. */
  clear(): void;
  /** Stops recording and puts the plugins' own methods back (chains recompile on the next operation). */
  stop(): void;
}

type Listener = (plugin: string, method: string, args: readonly unknown[]) => void;

/** One wrapped hook method of one plugin instance; the recorders of every ORM sharing the instance listen to it. */
interface Patch {
  readonly listeners: Set<Listener>;
  readonly restore: () => void;
}

const patches = new WeakMap<object, Map<string, Patch>>();

/**
 * Records every plugin hook the ORM runs, from now until `stop()`. How: each plugin instance the ORM
 * uses (`runtimeOf(orm).instanceOf`) gets its hook methods wrapped as own properties, and the chains
 * are recompiled (`invalidate()`); a chain takes a hook's function from its instance when it is built.
 * The wrappers only observe: arguments, `this`, results and errors pass through untouched.
 */
export function recordHooks(orm: MikroORM | EntityManager): HookRecorder {
  const runtime = runtimeOf(orm);
  const em = 'em' in orm ? orm.em : orm;
  const config = em.config;
  const calls: HookCall[] = [];
  const listener: Listener = (plugin, method, args) => {
    const ctx = args.at(-1) as Partial<HookContext> | undefined;
    // A plugin instance may serve several ORMs (`registry.register(instance)`): keep this one's calls.
    if (typeof ctx !== 'object' || ctx === null || ctx.em?.config !== config || ctx.meta === undefined) return;
    calls.push(Object.freeze({ plugin, method, hook: `${plugin}.${method}`, event: String(ctx.event), entity: ctx.meta.className, args: Object.freeze(argsBefore(args, ctx)) }));
  };
  const used = new Set([...runtime.attachments().values()].flatMap(list => list.map(p => p.plugin)));
  const listened: Patch[] = [];
  for (const name of used) {
    const instance = runtime.instanceOf(name);
    const methods = new Set(runtime.registry.getPlugin(name)?.hooks.map(h => h.method));
    if (!instance) continue;
    for (const method of methods) {
      const patch = patchOf(instance, name, method);
      if (!patch) continue;
      patch.listeners.add(listener);
      listened.push(patch);
    }
  }
  runtime.invalidate();
  let stopped = false;
  return {
    calls,
    hooks(filter = {}) {
      const entity = filter.entity === undefined ? undefined : typeof filter.entity === 'string' ? filter.entity : metadataOf(em, filter.entity).className;
      return calls
        .filter(c => (entity === undefined || c.entity === entity) && (filter.event === undefined || c.event === filter.event) && (filter.plugin === undefined || c.plugin === filter.plugin))
        .map(c => c.hook);
    },
    clear() {
      calls.length = 0;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const patch of listened) {
        patch.listeners.delete(listener);
        if (patch.listeners.size === 0) patch.restore();
      }
      runtime.invalidate();
    },
  };
}

/** The wrapper of `instance[method]`, made on first use; undefined for a method that is not there (a symbol-named hook). */
function patchOf(instance: object, plugin: string, method: string): Patch | undefined {
  let byMethod = patches.get(instance);
  const existing = byMethod?.get(method);
  if (existing) return existing;
  const target = instance as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== 'function') return undefined;
  const own = Object.getOwnPropertyDescriptor(instance, method);
  const listeners = new Set<Listener>();
  const wrapped = {
    // Named after the hook, so a stack trace still reads `stampCreate`.
    [method](this: unknown, ...args: unknown[]): unknown {
      for (const listener of listeners) listener(plugin, method, args);
      return original.apply(this, args);
    },
  }[method]!;
  if (!Reflect.defineProperty(instance, method, { value: wrapped, writable: true, configurable: true, enumerable: false })) {
    throw new PluginConfigError('MOP_INVALID_ARGUMENT', `recordHooks: cannot wrap ${plugin}.${method}: the plugin instance is frozen or the method is not configurable`, { plugin, hook: method });
  }
  const patch: Patch = {
    listeners,
    restore: () => {
      if (own) Object.defineProperty(instance, method, own);
      else delete target[method];
      byMethod!.delete(method);
    },
  };
  if (!byMethod) patches.set(instance, (byMethod = new Map()));
  byMethod.set(method, patch);
  return patch;
}

/**
 * A hook's arguments without its context. Chains call every hook with three arguments: hooks that take
 * `(entity, ctx)` get the context twice, `interceptFindOne` gets `(call, undefined, ctx)`.
 */
function argsBefore(args: readonly unknown[], ctx: object): unknown[] {
  const rest = args.filter(a => a !== ctx);
  while (rest.length > 0 && rest.at(-1) === undefined) rest.pop();
  return rest;
}
