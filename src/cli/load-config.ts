import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Options } from '@mikro-orm/core';
import { PluginConfigError } from '../errors.js';

/** The app's MikroORM config, as `mikro-orm` (MikroORM's own CLI) loads it, and where it came from. */
export interface LoadedConfig {
  /** The file used; `undefined` when MikroORM built the config from `MIKRO_ORM_*` environment variables alone. */
  readonly path: string | undefined;
  readonly options: Options;
  /** Set when the file is compiled output older than its TypeScript source. */
  readonly stale: string | undefined;
}

type CliModule = typeof import('@mikro-orm/cli');

/** `@mikro-orm/cli` is an optional peer: only this CLI needs it, and an app using MikroORM's CLI has it already. */
async function mikroOrmCli(): Promise<CliModule> {
  try {
    return await import('@mikro-orm/cli');
  } catch (error) {
    throw new PluginConfigError(
      'MOP_MISSING_DEPENDENCY',
      'The mikro-orm-plugins CLI loads your MikroORM config with MikroORM\'s own CLI: install it (`npm install -D @mikro-orm/cli`)',
      { cause: error },
    );
  }
}

/**
 * MikroORM's CLI loader (`CLIHelper`) does the work, so the two CLIs agree on every rule: TypeScript
 * configs through the loader MikroORM registers (oxc, swc, tsx, jiti…), `MIKRO_ORM_CLI_CONFIG`,
 * `configPaths` in package.json, `dist`/`build`, context names and `MIKRO_ORM_*` variables. It reads
 * `process.cwd()`. Only the chosen path is worked out here, to report it and to catch a stale build.
 */
export async function loadMikroOrmConfig(options: { config?: string; contextName?: string } = {}): Promise<LoadedConfig> {
  const { CLIHelper } = await mikroOrmCli();
  const settings = CLIHelper.getSettings();
  if (settings.preferTs !== false && !(await CLIHelper.registerTypeScriptSupport(settings.tsConfigPath, settings.tsLoader))) {
    process.env.MIKRO_ORM_CLI_PREFER_TS ??= '0';
  }
  const paths = options.config !== undefined ? [options.config] : await CLIHelper.getConfigPaths();
  const path = paths.map(p => resolve(p)).find(p => existsSync(p));
  const configuration = await CLIHelper.getConfiguration(options.contextName, path !== undefined ? [path] : paths);
  // @mikro-orm/cli may bring its own copy of @mikro-orm/core (its releases lag core's): same shape, other declarations.
  return { path, options: configuration.getAll() as unknown as Options, stale: path === undefined ? undefined : staleSource(path) };
}

/** `dist/mikro-orm.config.js` (or `build/…`) next to a newer `src/mikro-orm.config.ts`: the source it was built from, changed since. */
function staleSource(path: string): string | undefined {
  const out = dirname(path);
  if (!['dist', 'build'].includes(basename(out)) || !path.endsWith('.js')) return undefined;
  const source = join(dirname(out), 'src', relative(out, path).replace(/\.js$/, '.ts'));
  if (!existsSync(source) || statSync(source).mtimeMs <= statSync(path).mtimeMs) return undefined;
  return source;
}
