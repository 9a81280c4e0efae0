import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Utils } from '@mikro-orm/core';
import type { PluginSystemOptions } from '../bridge/plugin-runtime.js';
import { PluginError } from '../errors.js';
import type { PluginClass } from '../plugin-api.js';
import { describeValue, messageOf, pluginMetaOf, quote } from '../registry/plugin-meta.js';
import { defaultRegistry, PluginRegistry } from '../registry/plugin-registry.js';

/**
 * `mikro-orm-plugins.config.ts|js|mjs|json`. `plugins` maps free-form group names to module
 * specifiers (`'./plugins/slug.js#SlugPlugin'`, `'some-package'`, `'some-package#Named'`), loaded
 * group by group in listed order; the key `dir` instead names a folder (or folders) whose plugin
 * modules are all loaded, in file-name order, at that point. A plain array is one group, `default`.
 */
export interface PluginConfigFile {
  plugins?: readonly string[] | { readonly dir?: string | readonly string[]; readonly [group: string]: string | readonly string[] | undefined };
}

/** Identity, typed: `export default definePluginConfig({ plugins: { … } })`. */
export function definePluginConfig(config: PluginConfigFile): PluginConfigFile {
  return config;
}

export interface LoadPluginConfigOptions {
  /** Where to look for the config file. Default `process.cwd()`. */
  cwd?: string;
  /** The config file, instead of looking for one (relative to `cwd`). Also `MIKRO_ORM_PLUGINS_CONFIG`. */
  file?: string;
  /** The config itself, instead of a file; specifiers resolve against `cwd`. */
  config?: PluginConfigFile;
  /** Plugins registered in code, merged after the config file's. Default: the default registry. */
  registry?: PluginRegistry;
}

export interface LoadedPlugin {
  readonly name: string;
  readonly group: string;
  readonly specifier: string;
  readonly pluginClass: PluginClass;
}

/** What `loadPluginConfig` returns: options for `pluginSystem()` (a merged `registry`), plus what was loaded. */
export interface LoadedPluginConfig extends PluginSystemOptions {
  readonly registry: PluginRegistry;
  /** The config file read, or undefined when there was none. */
  readonly file: string | undefined;
  /** Config-file plugins in load order, duplicates dropped. */
  readonly loaded: readonly LoadedPlugin[];
  /** Modules in a `dir` that export no plugin (skipped). */
  readonly skipped: readonly string[];
}

export const PLUGIN_CONFIG_NAMES = ['mikro-orm-plugins.config.ts', 'mikro-orm-plugins.config.js', 'mikro-orm-plugins.config.mjs', 'mikro-orm-plugins.config.json'];

/**
 * Reads the plugin config file and imports its plugins, before `MikroORM.init` (the
 * `pluginSystem()` extension registers synchronously, so module loading cannot happen inside it):
 *
 *     const plugins = await loadPluginConfig();
 *     MikroORM.init({ …, extensions: [pluginSystem({ ...plugins, global: ['timestamp'] })] });
 *
 * Registration order, the last tie-breaker of every chain: the config file's plugins in listed
 * order, then the plugins registered in code. A specifier that fails to import, or exports no
 * plugin, throws `MOP_CONFIG_LOAD_FAILED` naming the specifier and the reason.
 */
export async function loadPluginConfig(options: LoadPluginConfigOptions = {}): Promise<LoadedPluginConfig> {
  checkLoadOptions(options);
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.config ? undefined : findPluginConfigFile(cwd, options.file ?? process.env.MIKRO_ORM_PLUGINS_CONFIG);
  const config: unknown = options.config !== undefined ? options.config : file ? await readConfigFile(file) : {};
  const base = file ? dirname(file) : cwd;
  const where = file ?? 'plugin config';
  const fail = (message: string, cause?: unknown, option?: string) => new PluginError('MOP_CONFIG_LOAD_FAILED', `${where}: ${message}`, { cause, option });
  // A top level of 42, null or an array would otherwise read as "no plugins", silently.
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw fail(`the plugin config must be an object such as { plugins: { … } }, got ${describeValue(config)}`);
  }

  const loaded: LoadedPlugin[] = [];
  const skipped: string[] = [];
  const seen = new Set<Function>();
  const add = (group: string, specifier: string, classes: PluginClass[]) => {
    for (const pluginClass of classes) {
      if (seen.has(pluginClass)) continue;
      seen.add(pluginClass);
      loaded.push({ name: pluginMetaOf(pluginClass)!.name, group, specifier, pluginClass });
    }
  };
  let groups: [string, string | readonly string[]][];
  try {
    groups = groupsOf(config as PluginConfigFile, fail);
  } catch (error) {
    // A module config may hold getters or proxies that throw.
    throw error instanceof PluginError ? error : fail(`reading the plugin config threw: ${messageOf(error)}`, error);
  }
  for (const [group, entry] of groups) {
    if (group === 'dir') {
      for (const dir of ([] as string[]).concat(entry as string | string[])) {
        for (const path of pluginModulesIn(resolve(base, dir), fail)) {
          const classes = pluginClassesOf(await importModule(path, base, path, fail), undefined);
          if (classes.length === 0) skipped.push(path);
          add('dir', path, classes);
        }
      }
      continue;
    }
    for (const specifier of entry as readonly string[]) {
      if (typeof specifier !== 'string' || specifier === '') throw fail(`group '${group}' holds ${quote(specifier)}; expected a module specifier`);
      const [path, exportName] = splitSpecifier(specifier);
      const module = await importModule(path, base, specifier, fail);
      const classes = pluginClassesOf(module, exportName);
      if (classes.length === 0) {
        throw fail(
          exportName === undefined
            ? `cannot load '${specifier}' (group '${group}'): the module exports no plugin (a class decorated with @plugin)`
            : `cannot load '${specifier}' (group '${group}'): ${exportName in module ? `export '${exportName}' is not a plugin (a class decorated with @plugin)` : `the module has no export '${exportName}'`}`,
        );
      }
      add(group, specifier, classes);
    }
  }

  const registry = new PluginRegistry();
  for (const plugin of loaded) {
    try {
      registry.register(plugin.name, plugin.pluginClass);
    } catch (error) {
      throw fail(`cannot register '${plugin.specifier}' (group '${plugin.group}'): ${(error as Error).message}`, error);
    }
  }
  const code = options.registry ?? defaultRegistry;
  for (const name of code.names()) {
    const definition = code.definition(name)!;
    if (registry.definition(name)?.pluginClass === definition.pluginClass) continue;
    registry.register(name, definition.pluginClass);
    if (!code.isEnabled(name)) registry.disable(name);
  }
  return { registry, file, loaded, skipped };
}

/** The config file MikroORM-style: an explicit path, else the first of `mikro-orm-plugins.config.{ts,js,mjs,json}` in `cwd` (`.ts` only where TypeScript runs). */
export function findPluginConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new PluginError('MOP_CONFIG_LOAD_FAILED', `Plugin config file ${path} does not exist`);
    return path;
  }
  for (const name of PLUGIN_CONFIG_NAMES) {
    if (name.endsWith('.ts') && !typeScriptAllowed()) continue;
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function typeScriptAllowed(): boolean {
  return Utils.detectTypeScriptSupport() || Boolean((process as { features?: { typescript?: unknown } }).features?.typescript);
}

async function readConfigFile(file: string): Promise<PluginConfigFile> {
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8')) as PluginConfigFile;
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    // `export default null` is a bad config, not "no default export".
    const exported = 'default' in module ? module.default : module;
    const value = await (typeof exported === 'function' ? (exported as () => unknown)() : exported);
    return value as PluginConfigFile;
  } catch (error) {
    throw new PluginError('MOP_CONFIG_LOAD_FAILED', `${file}: cannot read the plugin config: ${messageOf(error)}`, { cause: error });
  }
}

function groupsOf(config: PluginConfigFile, fail: (message: string, cause?: unknown, option?: string) => Error): [string, string | readonly string[]][] {
  const plugins = config.plugins;
  if (plugins === undefined) return [];
  if (Array.isArray(plugins)) return [['default', plugins]];
  if (typeof plugins !== 'object' || plugins === null) throw fail(`'plugins' must be an object of groups or an array, got ${typeof plugins}`);
  const groups: [string, string | readonly string[]][] = [];
  for (const [group, entry] of Object.entries(plugins)) {
    if (entry === undefined) continue;
    if (group === 'dir' ? !([] as unknown[]).concat(entry).every(dir => typeof dir === 'string' && dir !== '') : !Array.isArray(entry)) {
      throw group === 'dir'
        ? fail(`'plugins.dir' must be a folder or a list of folders (non-empty strings), got ${describeValue(entry)}`, undefined, 'plugins.dir')
        : fail(`group '${group}' must be a list of module specifiers`, undefined, `plugins.${group}`);
    }
    groups.push([group, entry as string | readonly string[]]);
  }
  return groups;
}

/** `'./x.js#Name'` → `['./x.js', 'Name']`; a scoped package keeps its `@`. */
function splitSpecifier(specifier: string): [string, string | undefined] {
  const hash = specifier.lastIndexOf('#');
  return hash > 0 ? [specifier.slice(0, hash), specifier.slice(hash + 1)] : [specifier, undefined];
}

/** Plugin modules of a folder, by file name: `.js`/`.mjs`, and `.ts`/`.mts` where TypeScript runs; no declarations, maps or dotfiles. */
function pluginModulesIn(dir: string, fail: (message: string) => Error): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fail(`plugin folder ${dir} does not exist`);
  const ts = typeScriptAllowed();
  const names = readdirSync(dir)
    .filter(name => !name.startsWith('.') && !name.startsWith('_') && !/\.d\.[mc]?ts$/.test(name))
    .filter(name => ['.js', '.mjs'].includes(extname(name)) || (ts && ['.ts', '.mts'].includes(extname(name))))
    .sort();
  // With both `x.ts` and a compiled `x.js` beside it, load one of them.
  const stems = new Set<string>();
  const chosen: string[] = [];
  for (const name of names) {
    const stem = name.slice(0, -extname(name).length);
    if (stems.has(stem)) continue;
    stems.add(stem);
    chosen.push(join(dir, name));
  }
  return chosen;
}

async function importModule(path: string, base: string, specifier: string, fail: (message: string, cause?: unknown) => Error): Promise<Record<string, unknown>> {
  let url: string;
  try {
    if (isAbsolute(path)) url = pathToFileURL(path).href;
    else if (path.startsWith('.')) url = pathToFileURL(resolve(base, path)).href;
    else url = resolvePackage(path, base);
  } catch (error) {
    throw fail(`cannot load '${specifier}': ${messageOf(error)}`, error);
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw fail(`cannot load '${specifier}': ${messageOf(error)}`, error);
  }
}

/** A package name, resolved from the config file's folder (so the app's node_modules), falling back to this package's. */
function resolvePackage(name: string, base: string): string {
  try {
    return pathToFileURL(createRequire(join(base, 'noop.js')).resolve(name)).href;
  } catch {
    return name;
  }
}

/** The named export, else the default export, else every export, that is a class decorated with `@plugin`. */
function pluginClassesOf(module: Record<string, unknown>, exportName: string | undefined): PluginClass[] {
  const isPlugin = (value: unknown): value is PluginClass => typeof value === 'function' && pluginMetaOf(value) !== undefined;
  if (exportName !== undefined) return isPlugin(module[exportName]) ? [module[exportName]] : [];
  if (isPlugin(module.default)) return [module.default];
  return Object.values(module).filter(isPlugin);
}

function checkLoadOptions(options: unknown): asserts options is LoadPluginConfigOptions {
  const fail = (option: string, expected: string, value: unknown) => new PluginError('MOP_CONFIG_LOAD_FAILED', `loadPluginConfig: '${option}' must be ${expected}, got ${describeValue(value)}`, { option });
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw fail('options', 'an object { cwd, file, config, registry }', options);
  const { cwd, file, registry } = options as Record<string, unknown>;
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) throw fail('cwd', 'a folder path', cwd);
  if (file !== undefined && typeof file !== 'string') throw fail('file', 'a file path', file);
  if (registry !== undefined && !(registry instanceof PluginRegistry)) throw fail('registry', 'a PluginRegistry', registry);
}
