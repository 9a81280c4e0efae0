import type { Configuration, EntityManager, EntityMetadata, MikroORM } from '@mikro-orm/core';
import { type PluginExtension } from '../bridge/extension.js';
import { findRuntime } from '../bridge/runtimes.js';
import type { PluginRuntime } from '../bridge/plugin-runtime.js';
import { PluginError } from '../errors.js';
import { entityOptionIssues } from './option-issues.js';

const inspections = new WeakMap<Configuration, StartupInspection>();

/**
 * What `doctor` collects while the app starts for inspection: every start-up error about entities'
 * plugins and options (unknown plugins, missing dependencies, every invalid option of every entity,
 * plugins' own checks), where a normal start throws the first one. An entity with such an error
 * starts without its plugins attached, so the rest of the app can still be inspected.
 */
export class StartupInspection {
  readonly #errors: PluginError[] = [];
  readonly #keys = new Set<string>();
  readonly #secrets = new Set<string>();
  readonly #named = new Map<string, Set<string>>();
  #orm: MikroORM | undefined;

  /** The ORM being started, once its extensions registered (also when its start then fails: its connection must be closed). */
  get orm(): MikroORM | undefined {
    return this.#orm;
  }

  /** The collected errors, in discovery order, each once. */
  get errors(): readonly PluginError[] {
    return this.#errors;
  }

  /** Secret option values of every entity, valid or not: scrubbed from whatever doctor prints. */
  get secrets(): readonly string[] {
    return [...this.#secrets];
  }

  /** Whether an entity with a start-up error names this plugin (it is in use, though not attached). */
  names(entity: string, plugin: string): boolean {
    return this.#named.get(entity)?.has(plugin) === true;
  }

  /** Plugins named by entities that have a start-up error. */
  namedPlugins(): Set<string> {
    return new Set([...this.#named.values()].flatMap(names => [...names]));
  }

  add(error: PluginError): void {
    // The error start-up throws for an entity is one of those already collected for it: keep one.
    const key = [error.code, error.entity, error.plugin, error.option].join('\u0000');
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.#errors.push(error);
  }

  /**
   * The extension that makes a start collect instead of throw; listed after `pluginSystem()`, so it
   * wraps the plugin system's set-up of each entity.
   */
  extension(): PluginExtension {
    return {
      name: 'mikro-orm-plugins:inspection',
      register: orm => {
        inspections.set(orm.config, this);
        this.#orm = orm;
        const runtime = findRuntime(orm);
        const discovery = orm.config.get('discovery');
        const { onMetadata } = discovery;
        discovery.onMetadata = async (meta, platform) => {
          let failed = false;
          if (runtime && !meta.embeddable && !meta.virtual && !meta.abstract) {
            try {
              const found = await entityOptionIssues(runtime, meta);
              for (const secret of found.secrets) this.#secrets.add(secret);
              for (const error of found.errors) this.add(error);
              failed = found.errors.length > 0;
            } catch (error) {
              this.#collect(error, meta.className);
              failed = true;
            }
          }
          try {
            await onMetadata?.(meta, platform);
          } catch (error) {
            // The plugin system stops at the entity's first bad plugin: collected above already, or a plugin's own check.
            this.#collect(error, meta.className);
            failed = true;
          }
          if (failed && runtime) this.#named.set(meta.className, new Set(namedPlugins(runtime, meta)));
        };
      },
    };
  }

  #collect(error: unknown, entity: string): void {
    if (!(error instanceof PluginError)) throw error;
    error.entity ??= entity;
    this.add(error);
  }
}

/** The plugins an entity names, not opted out; none when its lists cannot even be read. */
function namedPlugins(runtime: PluginRuntime, meta: EntityMetadata): string[] {
  try {
    return [...runtime.pluginSettingsOf(meta)].filter(([, setting]) => setting !== false).map(([name]) => name);
  } catch {
    return [];
  }
}

/**
 * For a plugin's own start-up checks made outside the entity set-up (after discovery, say): while
 * `doctor` inspects this ORM the error is collected with the others, else it is thrown.
 */
export function reportStartupIssue(config: Configuration, error: PluginError): void {
  const inspection = inspections.get(config);
  if (!inspection) throw error;
  inspection.add(error);
}

/** The inspection this ORM was started with, if any. */
export function startupInspectionOf(ormOrEm: MikroORM | EntityManager): StartupInspection | undefined {
  return inspections.get(ormOrEm.config);
}
