import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import { driverEntityManager, withPluginEntityManager } from './plugin-entity-manager.js';
import { defaultRegistry } from '../registry/plugin-registry.js';
import { PluginRuntime, type PluginSystemOptions } from './plugin-runtime.js';
import { CommitQueue } from './commit-queue.js';
import { createPluginSubscriber } from './plugin-subscriber.js';

const runtimes = new WeakMap<object, PluginRuntime>();

export interface PluginExtension {
  readonly name: string;
  register(orm: MikroORM): void;
}

/**
 * The MikroORM extension: `extensions: [pluginSystem({ global: ['timestamp'] })]`.
 * It runs before discovery, so it can add columns and filters and register the one subscriber.
 * It also puts the plugin overrides of native operations on the EntityManager class: on yours when
 * `entityManager` is configured, else on the driver's own.
 */
export function pluginSystem(options: PluginSystemOptions = {}): PluginExtension {
  return {
    name: 'mikro-orm-plugins',
    register(orm) {
      const config = orm.config;
      const runtime = new PluginRuntime(options, options.registry ?? defaultRegistry);
      runtimes.set(config, runtime);
      const Base = config.get('entityManager') ?? driverEntityManager(orm.driver);
      if (!Base) {
        throw new PluginError(
          'MOP_NOT_INSTALLED',
          `mikro-orm-plugins cannot tell which EntityManager class ${orm.driver.constructor.name} uses: set the \`entityManager\` option`,
        );
      }
      config.set('entityManager', withPluginEntityManager(Base as never));
      const discovery = config.get('discovery');
      const { onMetadata, afterDiscovered } = discovery;
      discovery.onMetadata = async (meta, platform) => {
        await onMetadata?.(meta, platform);
        await runtime.setupEntity(meta, platform);
      };
      discovery.afterDiscovered = async (storage, platform) => {
        await afterDiscovered?.(storage, platform);
        runtime.afterDiscovered(storage);
        // Registered after discovery (MikroORM reads subscribers when it creates the EntityManager),
        // so the transaction events are subscribed only when some plugin needs them.
        const commits = new CommitQueue(options.onError ?? reportAfterCommitError);
        const subscriber = createPluginSubscriber(runtime, commits);
        config.set('subscribers', [...config.get('subscribers'), subscriber]);
      };
    },
  };
}

/** The plugin runtime of an ORM or entity manager. */
export function runtimeOf(ormOrEm: MikroORM | EntityManager): PluginRuntime {
  const runtime = runtimes.get(ormOrEm.config);
  if (!runtime) {
    throw new PluginError('MOP_NOT_INSTALLED', 'mikro-orm-plugins is not installed on this ORM: add pluginSystem() to the `extensions` option');
  }
  return runtime;
}

/** The plugin runtime of an ORM or entity manager, or undefined when the plugin system is not installed. */
export function findRuntime(ormOrEm: MikroORM | EntityManager): PluginRuntime | undefined {
  return runtimes.get(ormOrEm.config);
}

function reportAfterCommitError(error: PluginError): void {
  console.warn(`mikro-orm-plugins: an afterCommit hook failed after the write committed: ${error.message}`);
}
