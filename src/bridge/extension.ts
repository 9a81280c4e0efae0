import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import { driverEntityManager, withPluginEntityManager } from './plugin-entity-manager.js';
import { defaultRegistry } from '../registry/plugin-registry.js';
import { PluginRuntime, type PluginSystemOptions } from './plugin-runtime.js';
import { CommitQueue } from './commit-queue.js';
import { createPluginSubscriber } from './plugin-subscriber.js';

const runtimes = new WeakMap<object, PluginRuntime>();
/** Cache plugin (additive): each ORM's commit queue and error handler, for `onCommit`. */
const commitQueues = new WeakMap<object, { queue: CommitQueue; aware: boolean; onError: (error: PluginError) => void }>();

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
        // Cache plugin (additive): for onCommit.
        commitQueues.set(config, { queue: commits, aware: runtime.hooksEvent('afterCommit'), onError: options.onError ?? reportAfterCommitError });
        config.set('subscribers', [...config.get('subscribers'), subscriber]);
      };
    },
  };
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
  return runtimes.get(ormOrEm.config);
}

/**
 * Public, for plugins (the cache plugin uses it for native bulk writes): runs `fn` after the
 * outermost transaction `em` is in commits, with the `afterCommit` hooks; never after a rollback.
 * Outside a transaction the write already stands, so it runs now. Errors go to
 * `pluginSystem({ onError })`. Needs some attached plugin to hook `afterCommit` (otherwise the
 * transaction events are not subscribed and `fn` runs now).
 */
export async function onCommit(em: EntityManager, fn: () => unknown): Promise<void> {
  const found = commitQueues.get(em.config);
  if (found?.aware && em.isInTransaction()) return found.queue.defer(em, fn);
  try {
    await fn();
  } catch (error) {
    (found?.onError ?? reportAfterCommitError)(error as PluginError);
  }
}

function reportAfterCommitError(error: PluginError): void {
  console.warn(`mikro-orm-plugins: an afterCommit hook failed after the write committed: ${error.message}`);
}
