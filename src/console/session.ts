import { propagationOf } from './propagation.js';
import type { Route } from './router.js';

/** `api/session`: who is signed in, their role, the CSRF token for changes, and how changes reach other instances. */
export function sessionRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/session',
      changes: false,
      run: ({ orm, grant, csrfToken }) => ({ json: { actor: grant.actor, role: grant.role, csrfToken, ...propagationOf(orm) } }),
    },
  ];
}
