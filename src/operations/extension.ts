import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { type PluginExtension } from '../bridge/extension.js';
import { checkOrmOrEm, findRuntime } from '../bridge/runtimes.js';
import { aroundClose, createEarlyEntityManager } from '../bridge/orm-internals/index.js';
import { isSyncDiscovery } from '../bridge/sync-discovery.js';
import type { PluginRuntime } from '../bridge/plugin-runtime.js';
import { PluginError } from '../errors.js';
import { noPlugins } from '../config/no-plugins.js';
import { secretValues } from '../registry/option-fields.js';
import { buildPluginEventChain, dispatchPluginEvent, type PluginEventMember } from '../chain/plugin-events.js';
import { pluginTypes, setImplementationStateLookup, type PluginType } from './plugin-types.js';
import { definePluginStateEntities, type PluginStateEntities } from './state/entities.js';
import type { SyncMode } from './state/records.js';
import { PluginStateStore } from './state/store.js';
import { messageOf } from '../registry/plugin-meta.js';
import { notifySettings, type PluginStateNotifyOptions } from './notify/notify-options.js';
import { StatePropagation } from './notify/propagation.js';

export interface PluginStateOptions {
  /** Table name; the version counter lives in `<table>_version`. Default `plugin_state`. */
  table?: string;
  /** Sync at start-up, after reading the stored state (skipped while the table does not exist). Default: no sync. */
  sync?: false | SyncMode;
  /** With `sync` at start-up: also prune rows of plugins that no longer exist. Default false. */
  prune?: boolean;
  /**
   * Milliseconds between reads of the version counter when no notification is in use (or while the
   * listener reconnects): the bound on how late this instance sees a change another instance made.
   * `false` or 0: never poll (call `refreshPluginState(orm)` yourself). Default 1000.
   */
  pollInterval?: number | false;
  /**
   * Change notification, so other instances see a change at once. Default (`true`): PostgreSQL
   * LISTEN/NOTIFY when the database is PostgreSQL, polling elsewhere. `{ redis: url | client }`: Redis
   * pub/sub, on any database. `false`: polling only. `pluginStatePropagation(orm)` says which is in use.
   */
  notify?: boolean | PluginStateNotifyOptions;
}

export interface PluginOperationsOptions {
  /** The `plugin_state` table and the chains honouring it. `false` leaves it out. Default on. */
  state?: boolean | PluginStateOptions;
  /** Run plugins' `onLoad` at start-up and `onUnload` on `orm.close()`. Default true. */
  lifecycle?: boolean;
  /** Plugin types whose implementations get `plugin_state` rows. Default: every type defined in the process. */
  types?: readonly PluginType<any>[];
  /** Receives errors of background polling. Default: `console.warn`. */
  onError?: (error: unknown) => void;
}

/** @internal What the operations side keeps per ORM. */
export interface OperationsContext {
  readonly orm: MikroORM;
  readonly runtime: PluginRuntime;
  readonly store: PluginStateStore | undefined;
  /** How the stored state follows other instances' changes (with `state` on). */
  readonly propagation: StatePropagation | undefined;
  readonly types: () => readonly PluginType<any>[];
  /** Plugins loaded (their `onLoad`, if any, ran), in order: they get `onUnload`. */
  readonly loaded: PluginEventMember[];
  /** False when only the CLI or `doctorConfig` added the extension: the app itself never reads the stored state. */
  readonly inAppConfig: boolean;
}

const contexts = new WeakMap<object, OperationsContext>();
const forInspection = new WeakSet<PluginExtension>();
let cliMode = false;

setImplementationStateLookup(ormOrEm => contexts.get(ormOrEm.config)?.store);

/**
 * @internal The CLI inspects an app without starting it: no start-up sync, no polling, no
 * `onLoad`/`onUnload`, whatever the app's config says.
 */
export function setOperationsCliMode(on: boolean): boolean {
  const previous = cliMode;
  cliMode = on;
  return previous;
}

/**
 * The operations extension, listed after `pluginSystem()`:
 * `extensions: [pluginSystem(), pluginOperations({ state: { sync: 'create', pollInterval: 1000 } })]`.
 * It adds the `plugin_state` entities and the entities plugins contribute (`static entities`), reads
 * the stored state before `MikroORM.init` resolves so the first operation honours it, polls it for
 * other instances' changes, and runs the plugins' `onLoad`/`onUnload`.
 */
export function pluginOperations(options: PluginOperationsOptions = {}): PluginExtension {
  // Checked here, so a wrong value fails where the config is written.
  const givenState: unknown = (options as Partial<PluginOperationsOptions> | null)?.state;
  const notify = notifySettings(typeof givenState === 'object' && givenState !== null ? (givenState as PluginStateOptions).notify : undefined);
  const extension: PluginExtension = {
    name: 'mikro-orm-plugins:operations',
    register(orm) {
      const runtime = findRuntime(orm);
      if (!runtime) {
        throw new PluginError('MOP_NOT_INSTALLED', 'pluginOperations() needs pluginSystem() before it in the `extensions` option');
      }
      const config = orm.config;
      if (isSyncDiscovery(config)) {
        throw new PluginError(
          'MOP_SYNC_INIT',
          'pluginOperations() reads the stored plugin state and runs onLoad at start-up, which `new MikroORM()` cannot wait for. Use `await MikroORM.init(options)` instead',
        );
      }
      const stateOptions: PluginStateOptions | undefined = options.state === false ? undefined : options.state === true || options.state === undefined ? {} : options.state;
      const entities: unknown[] = [...config.get('entities')];
      let stateEntities: PluginStateEntities | undefined;
      if (stateOptions) {
        stateEntities = definePluginStateEntities(stateOptions.table ?? 'plugin_state');
        for (const schema of [stateEntities.PluginState, stateEntities.PluginStateVersion]) noPlugins(schema);
        entities.push(stateEntities.PluginState, stateEntities.PluginStateVersion);
      }
      for (const name of runtime.registry.names()) {
        for (const entity of runtime.registry.definition(name)!.pluginClass.entities ?? []) if (!entities.includes(entity)) entities.push(entity);
      }
      config.set('entities', entities as never);

      let early: EntityManager | undefined;
      const em = () => orm.em ?? early!;
      const types = () => options.types ?? pluginTypes();
      const onError = options.onError ?? defaultOnError;
      const store = stateEntities && new PluginStateStore(runtime, stateEntities, em, types, onError);
      const pollInterval = stateOptions?.pollInterval ?? 1000;
      const propagation = store && new StatePropagation(orm, store, { pollInterval, notify, onError });
      const context: OperationsContext = { orm, runtime, store, propagation, types, loaded: [], inAppConfig: !forInspection.has(extension) };
      contexts.set(config, context);
      const inCli = cliMode;

      const discovery = config.get('discovery');
      const { afterDiscovered } = discovery;
      discovery.afterDiscovered = async (storage, platform) => {
        await afterDiscovered?.(storage, platform);
        // MikroORM creates `orm.em` right after this callback, synchronously, so nothing can run in between.
        // The stored state and `onLoad` need a working EntityManager now: make one exactly as MikroORM does.
        // It must be `orm.em` too: the first connection creates (and caches) MikroORM's schema generator from `orm.em`.
        if (!orm.em) {
          early = createEarlyEntityManager(orm, storage);
          Object.assign(orm, { em: early });
        }
        if (store) {
          runtime.setStateOverrides(store);
          await store.load();
          propagation!.prepare();
          if (!inCli && stateOptions?.sync && store.available) await store.sync({ mode: stateOptions.sync, prune: stateOptions.prune ?? false });
          if (!inCli) await propagation!.start();
        }
        if (!inCli && options.lifecycle !== false) {
          try {
            await loadPlugins(context, orm);
          } catch (error) {
            // Start-up fails: what did load is unloaded, polling and the listener stop, the connection closes.
            await propagation?.close();
            await unloadPlugins(context, orm);
            await orm.driver.close(true).catch(() => undefined);
            throw error;
          }
        }
      };

      aroundClose(orm, async (close, force) => {
        await propagation?.close();
        const failures = await unloadPlugins(context, orm);
        await close(force);
        if (failures.length > 0) throw failures[0];
      });
    },
  };
  return extension;
}

function defaultOnError(error: unknown): void {
  if (error instanceof PluginError && error.code === 'MOP_STATE_NOTIFY_FAILED') console.warn(`mikro-orm-plugins: ${error.message}`);
  else console.warn(`mikro-orm-plugins: reading the plugin state failed: ${messageOf(error)}`);
}

/**
 * @internal What the CLI and `doctorConfig` add to an app without pluginOperations(): no lifecycle and no
 * stored state, since the app itself would never read what was stored.
 */
export function inspectionOperations(): PluginExtension {
  const extension = pluginOperations({ lifecycle: false, state: false });
  forInspection.add(extension);
  return extension;
}

/** The operations context of an ORM or entity manager. */
export function operationsOf(ormOrEm: MikroORM | EntityManager): OperationsContext {
  checkOrmOrEm(ormOrEm);
  const context = contexts.get(ormOrEm.config);
  if (!context) {
    throw new PluginError('MOP_NOT_INSTALLED', 'pluginOperations() is not installed on this ORM: add it to `extensions`, after pluginSystem()');
  }
  return context;
}

/** @internal */
export function findOperations(ormOrEm: MikroORM | EntityManager): OperationsContext | undefined {
  checkOrmOrEm(ormOrEm);
  return contexts.get(ormOrEm.config);
}

/** `onLoad` of each registered plugin not disabled, in registration order (config file first, then code). */
async function loadPlugins(context: OperationsContext, orm: MikroORM): Promise<void> {
  const { runtime, store } = context;
  const members = runtime.registry
    .names()
    .filter(name => runtime.registry.isEnabled(name) && store?.status(name, '*') !== 'disabled')
    .map(name => ({ name, instance: runtime.instanceOf(name) as object, secrets: pluginSecrets(runtime, name) }));
  // `onLoad(orm)` may use `orm.em` (during discovery: the EntityManager made above, replaced by MikroORM's own right after);
  // `orm.getMetadata()` is not set until `MikroORM.init` resolves: use `orm.em.getMetadata()`.
  try {
    await dispatchPluginEvent(buildPluginEventChain('onLoad', members), orm.em, orm);
    context.loaded.push(...members);
  } catch (error) {
    // The plugins before the one that failed did load, and get their `onUnload`.
    const failed = members.findIndex(m => m.name === (error as PluginError).plugin);
    context.loaded.push(...members.slice(0, failed === -1 ? members.length : failed));
    throw error;
  }
}

/** What a plugin's secret options, on every entity it is attached to, may show up as in a message. */
function pluginSecrets(runtime: PluginRuntime, plugin: string): string[] {
  const spec = runtime.registry.definition(plugin)?.options;
  const secrets = new Set<string>();
  for (const attached of runtime.attachments().values()) {
    for (const a of attached) if (a.plugin === plugin) for (const secret of secretValues(spec, a.options)) secrets.add(secret);
  }
  return [...secrets];
}

/** `onUnload` in reverse order of loading; every plugin gets its call even when one fails. */
async function unloadPlugins(context: OperationsContext, orm: MikroORM): Promise<PluginError[]> {
  const members = context.loaded.splice(0).reverse();
  return dispatchPluginEvent(buildPluginEventChain('onUnload', members), orm.em, orm);
}
