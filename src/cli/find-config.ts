import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Utils, type Options } from '@mikro-orm/core';

/**
 * Finds and loads the app's MikroORM config the way MikroORM's own CLI does (v7 `@mikro-orm/cli`
 * `CLIHelper.getConfiguration` → `ConfigurationLoader`):
 *
 * 1. `--config <path>` (this CLI's option; MikroORM's CLI has the same);
 * 2. the `MIKRO_ORM_CLI_CONFIG` environment variable;
 * 3. `configPaths` under the `mikro-orm` key of the nearest `package.json` (searching up from the cwd);
 * 4. `./src/mikro-orm.config.ts`, `./mikro-orm.config.ts` (only when TypeScript can run:
 *    `preferTs`/`MIKRO_ORM_CLI_PREFER_TS` not false, and TS support detected or `alwaysAllowTs`);
 * 5. `./dist/mikro-orm.config.js` (or `./build/…` when there is no `dist`, else `./src/…`), `./mikro-orm.config.js`.
 *
 * The first existing file wins. Its default export may be an options object, an array of them
 * (picked by `contextName`), a function of the context name, or a promise of any of these. The
 * context is `--context`, else `MIKRO_ORM_CONTEXT_NAME`, else `default`. Not mirrored: `.env` loading
 * (`MIKRO_ORM_ENV`) and `MIKRO_ORM_*` option variables, which MikroORM itself applies in `MikroORM.init`.
 */
export interface FoundConfig {
  readonly path: string;
  readonly contextName: string;
  readonly options: Options;
}

interface Settings {
  configPaths?: string[];
  preferTs?: boolean;
  alwaysAllowTs?: boolean;
}

export function packageConfig(cwd: string): Record<string, any> {
  let dir = cwd;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        return {};
      }
    }
    const parent = realpathSync(join(dir, '..'));
    if (parent === dir) return {};
    dir = parent;
  }
}

function settingsOf(cwd: string): Settings {
  const settings: Settings = { ...packageConfig(cwd)['mikro-orm'] };
  const bool = (v: string) => ['true', 't', '1'].includes(v.toLowerCase());
  if (process.env.MIKRO_ORM_CLI_PREFER_TS != null) settings.preferTs = bool(process.env.MIKRO_ORM_CLI_PREFER_TS);
  if (process.env.MIKRO_ORM_CLI_ALWAYS_ALLOW_TS != null) settings.alwaysAllowTs = bool(process.env.MIKRO_ORM_CLI_ALWAYS_ALLOW_TS);
  if (process.env.MIKRO_ORM_CLI_CONFIG?.endsWith('.ts')) settings.preferTs = true;
  return settings;
}

/** The candidate paths, in MikroORM's order. */
export function configPaths(cwd: string, explicit?: string): string[] {
  if (explicit) return [explicit];
  const settings = settingsOf(cwd);
  const paths: string[] = [];
  if (process.env.MIKRO_ORM_CLI_CONFIG) paths.push(process.env.MIKRO_ORM_CLI_CONFIG);
  paths.push(...(settings.configPaths ?? []));
  const alwaysAllowTs = settings.alwaysAllowTs ?? Boolean(process.versions.bun);
  if (settings.preferTs !== false || alwaysAllowTs) paths.push('./src/mikro-orm.config.ts', './mikro-orm.config.ts');
  const dir = existsSync(join(cwd, 'dist')) ? 'dist' : existsSync(join(cwd, 'build')) ? 'build' : 'src';
  paths.push(`./${dir}/mikro-orm.config.js`, './mikro-orm.config.js');
  const ts = Utils.detectTypeScriptSupport();
  return [...new Set(paths)].filter(p => p.endsWith('.js') || ts || alwaysAllowTs);
}

export async function findMikroOrmConfig(cwd: string, options: { config?: string; contextName?: string } = {}): Promise<FoundConfig> {
  const paths = configPaths(cwd, options.config);
  const contextName = options.contextName ?? process.env.MIKRO_ORM_CONTEXT_NAME ?? 'default';
  const path = paths.map(p => resolve(cwd, p)).find(p => existsSync(p));
  if (!path) throw new Error(`MikroORM config file not found in ['${paths.join("', '")}']`);
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  let config: unknown = await (module.default ?? module);
  const matches = (c: unknown) => typeof c === 'object' && c !== null && ('contextName' in c ? (c as Options).contextName === contextName : contextName === 'default');
  const validFromFactory = (c: unknown) => typeof c === 'object' && c !== null && (!('contextName' in c) || (c as Options).contextName === contextName);
  if (Array.isArray(config)) {
    const first = config.findIndex(matches);
    if (first === -1) {
      let found: unknown;
      for (const candidate of config) {
        if (typeof candidate !== 'function') continue;
        const result = await candidate(contextName);
        if (validFromFactory(result)) {
          found = result;
          break;
        }
      }
      if (found === undefined) throw new Error(`MikroORM config '${contextName}' was not found within the config file '${path}'`);
      config = found;
    } else {
      if (config.findLastIndex(matches) !== first) throw new Error(`MikroORM config '${contextName}' is not unique within the array exported by '${path}'`);
      config = config[first];
    }
  } else if (typeof config === 'function') {
    config = await config(contextName);
    if (!validFromFactory(config)) throw new Error(`MikroORM config '${contextName}' was not what the function exported from '${path}' provided`);
  } else if (!matches(config)) {
    throw new Error(`MikroORM config '${contextName}' was not what the default export from '${path}' provided`);
  }
  return { path, contextName, options: config as Options };
}

