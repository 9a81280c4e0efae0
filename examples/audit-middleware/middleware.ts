import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runWithContext } from 'mikro-orm-plugins';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Express/Fastify-style middleware: everything the request does runs with its actor and request id. */
export function auditContext(next: Handler): Handler {
  return (req, res) => {
    const actor = req.headers['x-user'];
    const requestId = req.headers['x-request-id'];
    return runWithContext(
      { actor: typeof actor === 'string' ? actor : 'anonymous', requestId: typeof requestId === 'string' ? requestId : randomUUID() },
      () => next(req, res),
    );
  };
}
