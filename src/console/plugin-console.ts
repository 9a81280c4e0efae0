import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '@mikro-orm/core';
import { invalidArgument, runtimeOf } from '../core.js';
import { auditRoutes } from './audit.js';
import { auditRevertRoutes } from './audit-revert.js';
import { cacheRoutes } from './cache.js';
import { chainRoutes } from './chains.js';
import { ConsoleError } from './errors.js';
import { fromFetch, toFetch } from './fetch-adapter.js';
import { Guard } from './guard.js';
import { fromNode, toNode } from './node-adapter.js';
import { consoleSettings, type PluginConsoleOptions } from './options.js';
import { handle } from './pipeline.js';
import type { HealthMemory } from './plugin-listing.js';
import { pluginRoutes } from './plugins.js';
import { errorBody, json } from './respond.js';
import { sessionRoutes } from './session.js';
import { trashRoutes } from './trash.js';

export interface PluginConsole {
  /** A Node handler: `http.createServer(c.node)`, `app.use('/admin/plugins', c.node)`. Outside the prefix it calls `next()`, else answers 404. */
  readonly node: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;
  /** A web handler: `(request) => Promise<Response>`, for Hono, Bun, Deno. Outside the prefix it answers 404. */
  readonly fetch: (request: Request) => Promise<Response>;
}

/**
 * The plugin console of an ORM: the page and its JSON API, as a Node and a web handler. Deny by
 * default: without `authorize` (or `unsafeAllowAll: true`) it throws `MOP_CONSOLE_NO_AUTHORIZE`.
 */
export function pluginConsole(orm: MikroORM<any, any, any>, options: PluginConsoleOptions): PluginConsole {
  if (typeof (orm as { em?: { fork?: unknown } } | null)?.em?.fork !== 'function') throw invalidArgument('pluginConsole', 'orm', 'a MikroORM instance', orm);
  runtimeOf(orm);
  const settings = consoleSettings(options);
  const guard = new Guard(settings);
  const health: HealthMemory = new Map();
  const routes = [...sessionRoutes(), ...pluginRoutes(health), ...chainRoutes(), ...auditRoutes(), ...auditRevertRoutes(), ...trashRoutes(), ...cacheRoutes()];
  const outside = () => json(orm, 404, errorBody(new ConsoleError('MOP_CONSOLE_NOT_FOUND', 'not under the console prefix')));
  const fail = (error: unknown) => {
    settings.onError(error);
    return json(orm, 500, errorBody(new ConsoleError('MOP_CONSOLE_INTERNAL', 'the console failed; the details went to the server log')));
  };
  return {
    node(req, res, next) {
      const inbound = fromNode(req, settings.prefix);
      if (!inbound) {
        if (next) next();
        else toNode(res, outside());
        return;
      }
      handle(orm, settings, guard, routes, inbound)
        .catch(fail)
        .then(out => toNode(res, out))
        .catch((error: unknown) => {
          // Writing the answer failed (the client went away): nothing left to tell it.
          settings.onError(error);
          res.destroy();
        });
    },
    async fetch(request) {
      const inbound = fromFetch(request, settings.prefix);
      if (!inbound) return toFetch(outside());
      return toFetch(await handle(orm, settings, guard, routes, inbound).catch(fail));
    },
  };
}
