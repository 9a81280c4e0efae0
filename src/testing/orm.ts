import { MikroORM } from '@mikro-orm/core';
import type { Options, SqliteDriver } from '@mikro-orm/sqlite';
import { invalidArgument, PluginConfigError, pluginSystem, type PluginRegistry, type PluginSystemOptions } from '../index.js';
import { testRegistry } from './registry.js';

/** The ORM `createTestOrm` returns: SQLite, with SQL entity managers. */
export type TestOrm = MikroORM<SqliteDriver>;

/** MikroORM's options (SQLite; `dbName` defaults to `':memory:'`), and what the plugin system takes. */
export interface TestOrmOptions extends Omit<Options, 'driver' | 'extensions'> {
  /** The registry the ORM reads plugins from. Default: a fresh `testRegistry()`, so nothing leaks between tests. */
  registry?: PluginRegistry | undefined;
  /** `pluginSystem({ plugins })`: classes, instances (with their services) or factories; classes not in the registry are registered. */
  plugins?: PluginSystemOptions['plugins'];
  /** `pluginSystem({ global })`: plugins every entity gets. */
  global?: PluginSystemOptions['global'];
  /** `pluginSystem({ entities })`, plugin lists by entity name (MikroORM's `entities` keeps its meaning here). */
  entityPlugins?: PluginSystemOptions['entities'];
  /** Plugins switched off with `registry.disable()`: attached (their columns exist) but their hooks and filters do not run. */
  disabled?: readonly string[] | undefined;
  onError?: PluginSystemOptions['onError'];
  rowLimit?: PluginSystemOptions['rowLimit'];
  /** Extensions after `pluginSystem()`, such as `auditLog()`. */
  extensions?: Options['extensions'];
  /** Create the tables (default `true`). */
  createSchema?: boolean | undefined;
}

/**
 * An initialised ORM on SQLite (in memory unless `dbName` says otherwise) with the plugin system
 * installed and the schema created. `allowGlobalContext` is on, so a test may use `orm.em` directly.
 * Closing it is the caller's: `await orm.close()`.
 */
export async function createTestOrm(options: TestOrmOptions): Promise<TestOrm> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('createTestOrm', 'options', 'an object', options);
  const { disabled: off, extensions: more } = options;
  if (off !== undefined && (!Array.isArray(off) || off.some(name => typeof name !== 'string'))) throw invalidArgument('createTestOrm', 'disabled', 'a list of plugin names', off);
  if (more !== undefined && !Array.isArray(more)) throw invalidArgument('createTestOrm', 'extensions', 'a list of extensions', more);
  const { registry = testRegistry(), plugins, global, entityPlugins, disabled = [], onError, rowLimit, extensions = [], createSchema = true, ...orm } = options;
  const system: PluginSystemOptions = { registry, plugins, global, entities: entityPlugins, onError, rowLimit };
  const instance = await MikroORM.init<SqliteDriver>({
    dbName: ':memory:',
    allowGlobalContext: true,
    ...orm,
    driver: await sqliteDriver(),
    extensions: [pluginSystem(system), ...extensions],
  });
  try {
    // After start-up, so plugins given in `plugins` (registered during it) can be named too.
    for (const name of disabled) registry.disable(name);
    if (createSchema) await instance.schema.create();
    return instance;
  } catch (error) {
    await instance.close();
    throw error;
  }
}

/**
 * `@mikro-orm/sqlite` is an optional peer dependency, loaded on the first `createTestOrm`: the other
 * helpers work without it, and its absence gets a message saying what to install.
 */
async function sqliteDriver(): Promise<typeof SqliteDriver> {
  try {
    return (await import('@mikro-orm/sqlite')).SqliteDriver;
  } catch (error) {
    // Only the package itself missing; a broken install keeps its own error.
    const missing = (error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes("'@mikro-orm/sqlite'");
    if (!missing) throw error;
    throw new PluginConfigError('MOP_MISSING_DEPENDENCY', 'createTestOrm() runs on SQLite and needs the @mikro-orm/sqlite package, which is not installed: run `npm install --save-dev @mikro-orm/sqlite`', {
      cause: error,
    });
  }
}
