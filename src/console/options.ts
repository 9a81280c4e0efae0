import type { IncomingMessage } from 'node:http';
import { ConsoleError } from './errors.js';
import { DEFAULT_REFUSAL_AUDIT, type RefusalAuditLimit } from './refusal-budget.js';

/** What `authorize` sees of a request. */
export interface ConsoleRequest {
  readonly method: string;
  /** The full URL as the client asked for it (prefix included). */
  readonly url: URL;
  readonly headers: Headers;
  /** The Node request, when the console runs as a Node handler (cookies, your session middleware's fields). */
  readonly node?: IncomingMessage;
  /** The web request, when it runs as a `fetch` handler. */
  readonly request?: Request;
}

export type ConsoleRole = 'read' | 'admin';

/** Who may use the console: `read` sees everything; `admin` also changes status, priority and options, restores, deletes and clears the cache. */
export interface ConsoleGrant {
  readonly actor: string;
  readonly role: ConsoleRole;
}

export interface PluginConsoleOptions {
  /** Returns who is asking and their role, or null to refuse (401). Required unless `unsafeAllowAll`. */
  authorize?: (request: ConsoleRequest) => ConsoleGrant | null | undefined | Promise<ConsoleGrant | null | undefined>;
  /** Local development only: every request is admin `unsafe-allow-all`. Warns at start. */
  unsafeAllowAll?: boolean;
  /** Where the console is mounted when the server does not strip it from the URL (node:http, Fastify, `fetch`): `/admin/plugins`. */
  prefix?: string;
  /** Origins besides the console's own allowed to send changing requests: `['https://admin.example.com']`. */
  allowedOrigins?: readonly string[];
  /** Largest request body, in bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Key of the CSRF tokens. Give the same one to every instance behind one load balancer (a token one
   * instance issued is then good on all). Default: random per process.
   */
  csrfSecret?: string;
  /** Receives unexpected failures (answered 500 with no details) and the `unsafeAllowAll` warning. Default `console.warn` / `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * Requests without a grant (401) audited one by one per window; past that they are counted into one
   * summary row per window, so anonymous traffic cannot grow the audit table without bound. Default 20 a minute.
   */
  auditRefusals?: Partial<RefusalAuditLimit>;
}

/** The options after checking, with defaults. */
export interface ConsoleSettings {
  readonly authorize: (request: ConsoleRequest) => ConsoleGrant | null | undefined | Promise<ConsoleGrant | null | undefined>;
  readonly prefix: string;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly csrfSecret: string | undefined;
  readonly onError: (error: unknown) => void;
  readonly auditRefusals: RefusalAuditLimit;
}

export const UNSAFE_ACTOR = 'unsafe-allow-all';
const DEFAULT_MAX_BODY = 64 * 1024;

const fail = (message: string, field?: string) => new ConsoleError('MOP_CONSOLE_NO_AUTHORIZE', `pluginConsole: ${message}`, { field });

/** Deny by default: no `authorize` and no `unsafeAllowAll: true` is a typed error, as is any option of the wrong kind. */
export function consoleSettings(options: unknown): ConsoleSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw fail('options must be an object { authorize } (deny by default)');
  const o = options as PluginConsoleOptions;
  if (o.authorize !== undefined && typeof o.authorize !== 'function') throw fail("'authorize' must be a function (request) => { actor, role } | null", 'authorize');
  if (o.unsafeAllowAll !== undefined && typeof o.unsafeAllowAll !== 'boolean') throw fail("'unsafeAllowAll' must be true or false", 'unsafeAllowAll');
  if (o.authorize && o.unsafeAllowAll) throw fail("give 'authorize' or 'unsafeAllowAll', not both", 'unsafeAllowAll');
  if (!o.authorize && o.unsafeAllowAll !== true) throw fail("no 'authorize' function: the console refuses to start without one (or 'unsafeAllowAll: true' for local development)", 'authorize');
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*\/?$/.test(o.prefix))) throw fail("'prefix' must be a path such as '/admin/plugins'", 'prefix');
  if (o.allowedOrigins !== undefined && (!Array.isArray(o.allowedOrigins) || !o.allowedOrigins.every(isOrigin))) {
    throw fail("'allowedOrigins' must be a list of origins such as 'https://admin.example.com'", 'allowedOrigins');
  }
  if (o.maxBodyBytes !== undefined && (!Number.isSafeInteger(o.maxBodyBytes) || o.maxBodyBytes < 1)) throw fail("'maxBodyBytes' must be a positive integer", 'maxBodyBytes');
  if (o.csrfSecret !== undefined && (typeof o.csrfSecret !== 'string' || o.csrfSecret.length < 16)) throw fail("'csrfSecret' must be a string of at least 16 characters", 'csrfSecret');
  if (o.onError !== undefined && typeof o.onError !== 'function') throw fail("'onError' must be a function", 'onError');
  const auditRefusals = refusalLimit(o.auditRefusals);
  const onError = o.onError ?? ((error: unknown) => console.error('mikro-orm-plugins console:', error instanceof Error ? error.message : String(error)));
  if (o.unsafeAllowAll) {
    const warning = 'mikro-orm-plugins console: unsafeAllowAll is on: EVERY request is an admin. Use it for local development only, never on a reachable server.';
    if (o.onError) o.onError(new Error(warning));
    else console.warn(warning);
  }
  const grant: ConsoleGrant = { actor: UNSAFE_ACTOR, role: 'admin' };
  return {
    authorize: o.authorize ?? (() => grant),
    prefix: (o.prefix ?? '').replace(/\/+$/, ''),
    allowedOrigins: new Set((o.allowedOrigins ?? []).map(origin => new URL(origin).origin)),
    maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY,
    csrfSecret: o.csrfSecret,
    onError,
    auditRefusals,
  };
}

function refusalLimit(given: unknown): RefusalAuditLimit {
  if (given === undefined) return DEFAULT_REFUSAL_AUDIT;
  const g = given as Partial<RefusalAuditLimit>;
  const wrong = typeof given !== 'object' || given === null || Array.isArray(given) || Object.keys(given).some(key => key !== 'perWindow' && key !== 'windowMs');
  if (wrong || (g.perWindow !== undefined && (!Number.isSafeInteger(g.perWindow) || g.perWindow < 0)) || (g.windowMs !== undefined && (!Number.isSafeInteger(g.windowMs) || g.windowMs < 1))) {
    throw fail("'auditRefusals' must be { perWindow?: integer >= 0, windowMs?: integer >= 1 }", 'auditRefusals');
  }
  return { perWindow: g.perWindow ?? DEFAULT_REFUSAL_AUDIT.perWindow, windowMs: g.windowMs ?? DEFAULT_REFUSAL_AUDIT.windowMs };
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
