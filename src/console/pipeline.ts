import type { MikroORM } from '@mikro-orm/core';
import { asset } from './assets.js';
import { recordConsoleEvent } from './audit-trail.js';
import { readJsonBody } from './body.js';
import { ConsoleError } from './errors.js';
import type { Inbound, Outbound } from './exchange.js';
import type { Guard } from './guard.js';
import { securityHeaders } from './headers.js';
import type { ConsoleGrant, ConsoleSettings } from './options.js';
import { asConsoleError, errorBody, json } from './respond.js';
import { RefusalBudget } from './refusal-budget.js';
import { matchRoute, type Route } from './router.js';

const REFUSALS = new Set(['MOP_CONSOLE_UNAUTHORIZED', 'MOP_CONSOLE_FORBIDDEN', 'MOP_CONSOLE_CROSS_ORIGIN', 'MOP_CONSOLE_CSRF']);

/**
 * One request through the console: the redirect to the page, then authorisation (every request),
 * the route, for POSTs the origin check, CSRF token and JSON body, for changes the admin role; the
 * handler; the audit record of the change or of the refusal. Nothing is changed before every check passed.
 */
export async function handle(orm: MikroORM, settings: ConsoleSettings, guard: Guard, routes: readonly Route[], request: Inbound): Promise<Outbound> {
  if (request.path === '' && (request.method === 'GET' || request.method === 'HEAD')) {
    const query = request.query.toString();
    return { status: 308, headers: { ...securityHeaders(false), location: `${request.fullPath}/${query ? `?${query}` : ''}` }, body: '' };
  }
  let grant: ConsoleGrant | undefined;
  try {
    grant = await guard.grant(request);
    if (!request.path.startsWith('/api/')) return await page(request);
    const { route, params } = matchRoute(routes, request.method, request.path);
    let body: unknown;
    if (route.method === 'POST') {
      if (route.changes) guard.checkChange(request, grant);
      else guard.checkChange(request, { ...grant, role: 'admin' });
      body = await readJsonBody(request, settings.maxBodyBytes);
    }
    const result = await route.run({ orm, grant, params, query: request.query, body, csrfToken: guard.token(grant.actor) });
    if (result.change) await recordConsoleEvent(orm, { ...result.change, actor: grant.actor }, settings.onError);
    if (result.download) {
      return {
        status: 200,
        headers: { ...securityHeaders(true), 'content-type': result.download.contentType, 'content-disposition': `attachment; filename="${result.download.filename}"` },
        body: result.download.body,
      };
    }
    return json(orm, 200, result.json);
  } catch (thrown) {
    const { error, unexpected } = asConsoleError(thrown);
    if (unexpected) settings.onError(thrown);
    if (REFUSALS.has(error.code) && (grant !== undefined || budgetOf(orm, settings).take() === 'record')) {
      await recordConsoleEvent(orm, { subjectId: `${request.method} ${request.path}`.slice(0, 255), action: 'refused', actor: grant?.actor ?? null, details: { code: error.code } }, settings.onError);
    }
    return json(orm, error.status, errorBody(error), error.code === 'MOP_CONSOLE_BODY_TOO_LARGE' ? { connection: 'close' } : {});
  }
}

/** `/` is the page; `/assets/<file>` its script and style. */
async function page(request: Inbound): Promise<Outbound> {
  if (request.method !== 'GET' && request.method !== 'HEAD') throw new ConsoleError('MOP_CONSOLE_METHOD', `${request.method} is not allowed here`);
  const name = request.path === '/' ? 'index.html' : request.path.startsWith('/assets/') ? request.path.slice('/assets/'.length) : undefined;
  if (name === undefined) throw new ConsoleError('MOP_CONSOLE_NOT_FOUND', 'no such console page');
  const file = await asset(name);
  return { status: 200, headers: { ...securityHeaders(false), 'content-type': file.contentType }, body: request.method === 'HEAD' ? '' : file.body };
}

/** One refusal budget per console (its settings): requests without a grant past it are summarised, not recorded one by one. */
const budgets = new WeakMap<ConsoleSettings, RefusalBudget>();

function budgetOf(orm: MikroORM, settings: ConsoleSettings): RefusalBudget {
  let budget = budgets.get(settings);
  if (!budget) {
    budget = new RefusalBudget(settings.auditRefusals, async summary => {
      // A summary due after the ORM closed has nowhere to go.
      if (!(await orm.isConnected().catch(() => false))) return;
      await recordConsoleEvent(orm, { subjectId: 'unauthorized requests', action: 'refused-summary', actor: null, details: { code: 'MOP_CONSOLE_UNAUTHORIZED', ...summary } }, settings.onError);
    });
    budgets.set(settings, budget);
  }
  return budget;
}
