import type { EntityManager, MetadataStorage, MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginError } from '../errors.js';
import { withPluginEntityManager } from './plugin-entity-manager.js';
import { defaultRegistry } from '../registry/plugin-registry.js';
import { PluginRuntime, type PluginSystemOptions } from './plugin-runtime.js';
import { CommitQueue } from './commit-queue.js';
import { CommitSubscriber } from './commit-subscriber.js';
import { createPluginSubscribers } from './plugin-subscriber.js';
import { checkQueryBuilder, checkSupportedOrm, driverEntityManager } from './orm-internals/index.js';
import { afterSettled, isSyncDiscovery } from './sync-discovery.js';
import { setRuntime } from './runtimes.js';

export { findRuntime, runtimeOf } from './runtimes.js';

/** Each ORM's commit wiring, by its config: the queue exists once a plugin is attached or `onCommit` is first used. */
const commitWiring = new WeakMap<object, CommitWiring>();

interface CommitWiring {
  readonly orm: MikroORM;
  readonly onError: (error: PluginError) => void;
  queue?: CommitQueue;
}

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
      commitWiring.set(config, { orm, onError: options.onError ?? reportAfterCommitError });
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
  const wiring = commitWiring.get(config)!;
  const commits = (wiring.queue = new CommitQueue(wiring.onError));
  const earlier = [...config.get('subscribers')];
  const { first, last } = createPluginSubscribers(runtime, commits, earlier as never);
  config.set('subscribers', [...first, ...earlier, ...last]);
}

/**
 * Public, for plugins and applications (the cache plugin uses it for native bulk writes): runs `fn`
 * after the outermost transaction `em` is in commits (savepoints wait for it), with the `afterCommit`
 * hooks; never after a rollback. Outside any transaction the write already stands, so it runs now.
 * Errors of `fn` go to `pluginSystem({ onError })`.
 */
export async function onCommit(em: EntityManager, fn: () => unknown): Promise<void> {
  if (typeof (em as { isInTransaction?: unknown } | null | undefined)?.isInTransaction !== 'function') throw invalidArgument('onCommit', 'em', 'an EntityManager', em);
  if (typeof fn !== 'function') throw invalidArgument('onCommit', 'fn', 'a function', fn);
  const wiring = commitWiring.get(em.config);
  if (em.isInTransaction()) return deferToCommit(wiring, em, fn);
  try {
    await fn();
  } catch (error) {
    (wiring?.onError ?? reportAfterCommitError)(error as PluginError);
  }
}

function deferToCommit(wiring: CommitWiring | undefined, em: EntityManager, fn: () => unknown): void {
  if (!wiring) throw new PluginError('MOP_NOT_INSTALLED', 'onCommit: mikro-orm-plugins is not in this ORM\'s `extensions`, so it cannot see when the transaction commits');
  const queue = wiring.queue ?? listenToTransactions(wiring, em);
  if (!queue.knowsRootOf(em)) {
    throw new PluginError(
      'MOP_NOT_INSTALLED',
      'onCommit: no plugin is attached, so mikro-orm-plugins listens to transactions from the first onCommit call on, and this one is inside a nested transaction whose outer transaction started before: call onCommit there, or outside it, first',
    );
  }
  queue.defer(em, fn);
}

/**
 * With no plugin attached the package adds no subscriber at start-up: the first `onCommit` adds one,
 * to the ORM's EventManager (forks and transactions made later copy it) and to `em`'s, whose
 * transaction is already open.
 */
function listenToTransactions(wiring: CommitWiring, em: EntityManager): CommitQueue {
  const queue = (wiring.queue = new CommitQueue(wiring.onError));
  const subscriber = new CommitSubscriber(queue);
  wiring.orm.em.getEventManager().registerSubscriber(subscriber);
  em.getEventManager().registerSubscriber(subscriber);
  return queue;
}

function reportAfterCommitError(error: PluginError): void {
  console.warn(`mikro-orm-plugins: an afterCommit hook failed after the write committed: ${error.message}`);
}
