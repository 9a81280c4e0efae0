import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginError } from '../errors.js';
import type { PluginRuntime } from './plugin-runtime.js';

/** Each ORM's plugin runtime, by its configuration (shared by the ORM and all its EntityManagers). */
const runtimes = new WeakMap<object, PluginRuntime>();

export function setRuntime(config: object, runtime: PluginRuntime): void {
  runtimes.set(config, runtime);
}

/** The plugin runtime of an ORM or entity manager. */
export function runtimeOf(ormOrEm: MikroORM | EntityManager): PluginRuntime {
  const runtime = findRuntime(ormOrEm);
  if (!runtime) {
    throw new PluginError('MOP_NOT_INSTALLED', 'mikro-orm-plugins is not installed on this ORM: add pluginSystem() to the `extensions` option');
  }
  return runtime;
}

/** The plugin runtime of an ORM or entity manager, or undefined when the plugin system is not installed. */
export function findRuntime(ormOrEm: MikroORM | EntityManager): PluginRuntime | undefined {
  checkOrmOrEm(ormOrEm);
  return runtimes.get(ormOrEm.config);
}

/** Plain JavaScript may pass anything where an ORM or EntityManager belongs: a typed error, not a TypeError. */
export function checkOrmOrEm(value: unknown, argument = 'ormOrEm'): asserts value is MikroORM | EntityManager {
  if (typeof (value as { config?: { get?: unknown } } | null | undefined)?.config?.get !== 'function') {
    throw invalidArgument('mikro-orm-plugins', argument, 'a MikroORM or an EntityManager', value);
  }
}
