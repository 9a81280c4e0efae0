import type { MikroORM } from '@mikro-orm/core';
import { checkPluginHealth, checkPluginOptions, setPluginOptions, setPluginPriority, setPluginStatus, testPluginConnection, type PluginStatus } from '../operations/index.js';
import { ConsoleError, invalidField, notFound } from './errors.js';
import { bodyObject, onlyFields, optionalName } from './fields.js';
import { consolePlugin, consolePlugins, hasMethod, type ConsolePlugin, type HealthMemory } from './plugin-listing.js';
import type { Route, RouteContext, RouteResult } from './router.js';

const STATUSES: readonly PluginStatus[] = ['active', 'reserve', 'disabled'];
const INT32 = 2 ** 31;

/** `api/plugins`: list; change status, priority and options; run a plugin's health check and connection test. */
export function pluginRoutes(health: HealthMemory): Route[] {
  const find = (orm: MikroORM, name: string): ConsolePlugin => {
    const found = consolePlugin(orm, health, name);
    if (!found) throw notFound(`no plugin or implementation named '${name.slice(0, 100)}'`);
    return found;
  };
  /** The entity a change targets: one the plugin is attached to, or every entity (`*`) when none is given. */
  const entityOf = (plugin: ConsolePlugin, body: Record<string, unknown>): string | undefined => {
    const entity = optionalName(body, 'entity');
    if (entity !== undefined && !plugin.entities.includes(entity)) throw notFound(`plugin '${plugin.name}' is not attached to entity '${entity.slice(0, 100)}'`);
    return entity;
  };
  const fresh = (orm: MikroORM, name: string) => ({ plugin: find(orm, name) });
  /** `POST api/plugins/:name/<action>`: the named plugin (404 if none) and the body, holding only `fields` when given. */
  const post = (
    action: string,
    changes: boolean,
    fields: readonly string[] | undefined,
    run: (orm: MikroORM, plugin: ConsolePlugin, input: Record<string, unknown>) => Promise<RouteResult>,
  ): Route => ({
    method: 'POST',
    pattern: `/api/plugins/:name/${action}`,
    changes,
    run: async ({ orm, params, body }: RouteContext) => {
      const plugin = find(orm, params.name!);
      const input = fields === undefined ? {} : bodyObject(body);
      if (fields !== undefined) onlyFields(input, fields);
      return run(orm, plugin, input);
    },
  });

  return [
    { method: 'GET', pattern: '/api/plugins', changes: false, run: ({ orm }) => ({ json: { plugins: consolePlugins(orm, health) } }) },
    post('status', true, ['status', 'entity'], async (orm, plugin, input) => {
      const status = input.status;
      if (typeof status !== 'string' || !STATUSES.includes(status as PluginStatus)) throw invalidField('status', `one of ${STATUSES.join(', ')}`);
      const entity = entityOf(plugin, input);
      await setPluginStatus(orm, plugin.name, status as PluginStatus, entity === undefined ? {} : { entity });
      return { json: fresh(orm, plugin.name), change: { subjectId: plugin.name, action: 'setStatus', details: { status, entity: entity ?? '*', was: plugin.status } } };
    }),
    post('priority', true, ['priority', 'entity'], async (orm, plugin, input) => {
      const priority = input.priority;
      if (!('priority' in input) || (priority !== null && (!Number.isInteger(priority) || (priority as number) < -INT32 || (priority as number) >= INT32))) {
        throw invalidField('priority', `an integer from ${-INT32} to ${INT32 - 1}, or null for the code's`);
      }
      const entity = entityOf(plugin, input);
      await setPluginPriority(orm, plugin.name, priority as number | null, entity === undefined ? {} : { entity });
      return { json: fresh(orm, plugin.name), change: { subjectId: plugin.name, action: 'setPriority', details: { priority, entity: entity ?? '*', was: plugin.priority } } };
    }),
    post('options', true, ['options', 'entity'], async (orm, plugin, input) => {
      const options = input.options;
      if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidField('options', 'an object of options');
      if (plugin.type !== null || plugin.entities.length === 0) throw new ConsoleError('MOP_CONSOLE_CONFLICT', `'${plugin.name}' has no entity options to edit`, { plugin: plugin.name });
      const entity = entityOf(plugin, input);
      const targets = entity === undefined ? plugin.entities : [entity];
      // Every target is checked before any is stored: all or nothing.
      for (const target of targets) await check(orm, plugin.name, target, options as Record<string, unknown>, true);
      for (const target of targets) await check(orm, plugin.name, target, options as Record<string, unknown>, false);
      return {
        json: fresh(orm, plugin.name),
        change: { subjectId: plugin.name, action: 'setOptions', details: { entities: targets, options: find(orm, plugin.name).storedOptions } },
      };
    }),
    post('health', false, undefined, async (orm, plugin) => {
      if (plugin.type !== null || !hasMethod(orm, plugin.name, 'healthCheck')) throw new ConsoleError('MOP_CONSOLE_CONFLICT', `'${plugin.name}' has no health check`, { plugin: plugin.name });
      const result = await checkPluginHealth(orm, plugin.name);
      health.set(plugin.name, result.ok ? 'ok' : 'failing');
      return { json: { ok: result.ok, message: result.message, checkedAt: new Date().toISOString() } };
    }),
    post('test-connection', false, ['entity'], async (orm, plugin, input) => {
      const entity = entityOf(plugin, input);
      if (plugin.type !== null || !hasMethod(orm, plugin.name, 'testConnection')) throw new ConsoleError('MOP_CONSOLE_CONFLICT', `'${plugin.name}' has no connection test`, { plugin: plugin.name });
      const result = await testPluginConnection(orm, plugin.name, entity === undefined ? {} : { entity });
      return { json: { ok: result.ok, message: result.message, ...(result.entity !== undefined && { entity: result.entity }) } };
    }),
  ];
}

async function check(orm: MikroORM, plugin: string, entity: string, options: Record<string, unknown>, dryRun: boolean): Promise<void> {
  const result = dryRun ? await checkPluginOptions(orm, plugin, entity, options) : await setPluginOptions(orm, plugin, entity, options);
  if (!result.ok) {
    const issues = result.issues.map(i => ({ path: i.option, message: i.expected }));
    throw new ConsoleError('MOP_CONSOLE_INVALID', `the options of '${plugin}' on ${entity} are invalid`, { plugin, entity, issues, ...(issues[0] && { field: `options.${issues[0].path}`.replace(/\.$/, '') }) });
  }
}
