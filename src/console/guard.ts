import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Inbound } from './exchange.js';
import { ConsoleError } from './errors.js';
import type { ConsoleGrant, ConsoleSettings } from './options.js';

// Who may do what: the grant from `authorize`, then for changes the origin check and the CSRF token.

export class Guard {
  readonly #key: Buffer;
  readonly #settings: ConsoleSettings;

  constructor(settings: ConsoleSettings) {
    this.#settings = settings;
    this.#key = settings.csrfSecret !== undefined ? Buffer.from(settings.csrfSecret, 'utf8') : randomBytes(32);
  }

  /** The caller's grant; a 401 when `authorize` gives none, or a malformed one. */
  async grant(request: Inbound): Promise<ConsoleGrant> {
    const grant = await this.#settings.authorize(request.console);
    if (grant === null || grant === undefined) throw new ConsoleError('MOP_CONSOLE_UNAUTHORIZED', 'not authorized');
    if (typeof grant !== 'object' || typeof grant.actor !== 'string' || grant.actor === '' || (grant.role !== 'read' && grant.role !== 'admin')) {
      throw new ConsoleError('MOP_CONSOLE_UNAUTHORIZED', "not authorized (authorize returned something other than { actor, role: 'read' | 'admin' })");
    }
    return { actor: grant.actor, role: grant.role };
  }

  /** The token a changing request must send in `x-csrf-token`: bound to the actor, good on every instance sharing `csrfSecret`. */
  token(actor: string): string {
    return createHmac('sha256', this.#key).update(`mop-console\u0000${actor}`).digest('base64url');
  }

  /** Admin role, same origin (or an allowed one), the actor's CSRF token: else a 403 naming which. */
  checkChange(request: Inbound, grant: ConsoleGrant): void {
    if (grant.role !== 'admin') throw new ConsoleError('MOP_CONSOLE_FORBIDDEN', `'${grant.actor}' has the read role; changes need admin`);
    const origin = originOf(request);
    if (origin === undefined || !this.#allowed(origin, request.host)) {
      throw new ConsoleError('MOP_CONSOLE_CROSS_ORIGIN', origin === undefined ? 'a change needs an Origin or Referer header' : 'a change from another origin is refused');
    }
    const sent = request.headers.get('x-csrf-token') ?? '';
    const expected = Buffer.from(this.token(grant.actor));
    const given = Buffer.from(sent);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ConsoleError('MOP_CONSOLE_CSRF', 'missing or wrong x-csrf-token (get one from api/session)');
  }

  #allowed(origin: URL, host: string): boolean {
    return origin.host === host.toLowerCase() || this.#settings.allowedOrigins.has(origin.origin);
  }
}

function originOf(request: Inbound): URL | undefined {
  const given = request.headers.get('origin') ?? request.headers.get('referer');
  if (!given || given === 'null') return undefined;
  try {
    const url = new URL(given);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
