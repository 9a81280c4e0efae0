import type { EntityManager, MetadataStorage, MikroORM } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import { withPluginEntityManager } from './plugin-entity-manager.js';
import { defaultRegistry } from '../registry/plugin-registry.js';
import { PluginRuntime, type PluginSystemOptions } from './plugin-runtime.js';
import { CommitQueue } from './commit-queue.js';
import { createPluginSubscriber } from './plugin-subscriber.js';
import { checkQueryBuilder, checkSupportedOrm, driverEntityManager } from './orm-internals.js';
import { afterSettled, isSyncDiscovery } from './sync-discovery.js';
import { setRuntime } from './runtimes.js';

export { findRuntime, runtimeOf } from './runtimes.js';

/** Each ORM's commit queue and error handler, for `onCommit`. */
const commitQueues = new WeakMap<object, { queue: CommitQueue; aware: boolean; onError: (error: PluginError) => void }>();

export interface PluginExtension {
  readonly name: string;
  register(orm: MikroORM): void;
}

/**
 * The MikroORM extension: `extensions: [pluginSystem({ global: ['timestamp'] })]`.
 * It runs before discovery, so plugins can add columns and filters. Only once discovery shows that some
 * entity has a plugin does it change anything else (the EntityManager class, the one subscriber):
 * installed with nothing attached, MikroORM runs exactly as without it.
 * Works with `MikroORM.init()` and with the synchronous `new MikroORM()`.
 */
export function pluginSystem(options: PluginSystemOptions = {}): PluginExtension {
  return {
    name: 'mikro-orm-plugins',
    register(orm) {
      checkSupportedOrm(orm);
      const config = orm.config;
      const runtime = new PluginRuntime(options, options.registry ?? defaultRegistry);
      setRuntime(config, runtime);
      const sync = isSyncDiscovery(config);
      const discovery = config.get('discovery');
      const { onMetadata, afterDiscovered } = discovery;
      discovery.onMetadata = (meta, platform) => afterSettled(onMetadata?.(meta, platform), sync, () => runtime.setupEntity(meta, platform, sync));
      discovery.afterDiscovered = (storage, platform) => afterSettled(afterDiscovered?.(storage, platform), sync, () => activate(orm, runtime, storage, options));
    },
  };
}

/** After discovery: compile the chains and, when some entity has a plugin, hook the package into MikroORM. */
function activate(orm: MikroORM, runtime: PluginRuntime, storage: MetadataStorage, options: PluginSystemOptions): void {
  runtime.afterDiscovered(storage);
  if (!runtime.hasAttachments()) return;
  checkQueryBuilder(orm, storage);
  const config = orm.config;
  const Base = config.get('entityManager') ?? driverEntityManager(orm.driver);
  if (!Base) {
    throw new PluginError('MOP_NOT_INSTALLED', `mikro-orm-plugins cannot tell which EntityManager class ${orm.driver.constructor.name} uses: set the \`entityManager\` option`);
  }
  // MikroORM creates its EntityManager right after discovery, from these two options.
  config.set('entityManager', withPluginEntityManager(Base as never));
  const onError = options.onError ?? reportAfterCommitError;
  const commits = new CommitQueue(onError);
  commitQueues.set(config, { queue: commits, aware: runtime.hooksEvent('afterCommit'), onError });
  config.set('subscribers', [...config.get('subscribers'), createPluginSubscriber(runtime, commits)]);
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
