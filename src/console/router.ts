import type { MikroORM } from '@mikro-orm/core';
import { ConsoleError } from './errors.js';
import type { ConsoleGrant } from './options.js';

/** What a resource handler gets: the ORM, who asks, the URL's parameters and query, the parsed body of a change. */
export interface RouteContext {
  readonly orm: MikroORM;
  readonly grant: ConsoleGrant;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly csrfToken: string;
}

/** A change to record in the audit log: what it was about and the details (never a secret). */
export interface ChangeRecord {
  readonly subjectId: string;
  readonly action: string;
  readonly details?: Record<string, unknown>;
}

export interface RouteResult {
  /** JSON body, or a download. */
  readonly json?: unknown;
  readonly download?: { readonly contentType: string; readonly filename: string; readonly body: string };
  readonly change?: ChangeRecord;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** `/api/plugins/:name/status`: `:x` matches one URL segment (decoded). */
  readonly pattern: string;
  /** Changing routes need the admin role, the origin check and the CSRF token, and are audited. */
  readonly changes: boolean;
  readonly run: (context: RouteContext) => Promise<RouteResult> | RouteResult;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** The route for a method and path: 404 when no pattern matches, 405 when one does with another method. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
  }
  if (pathMatched) throw new ConsoleError('MOP_CONSOLE_METHOD', `${method} is not allowed here`);
  throw new ConsoleError('MOP_CONSOLE_NOT_FOUND', 'no such console route');
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(got[i]!);
      } catch {
        return undefined;
      }
      if (value === '') return undefined;
      params[part.slice(1)] = value;
    } else if (part !== got[i]) return undefined;
  }
  return params;
}
