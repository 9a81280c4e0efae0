import { defineErrorCodes, PluginError, type ErrorCodesOf, type PluginErrorCode } from '../core.js';

export const CONSOLE_ERRORS = defineErrorCodes('console', {
  MOP_CONSOLE_NO_AUTHORIZE: 'at `pluginConsole()`: neither `authorize` nor `unsafeAllowAll: true` was given (deny by default), or an option is of the wrong kind',
  MOP_CONSOLE_UNAUTHORIZED: 'HTTP 401: `authorize` returned no grant for the request',
  MOP_CONSOLE_FORBIDDEN: 'HTTP 403: the read role asked for a change',
  MOP_CONSOLE_CROSS_ORIGIN: 'HTTP 403: a changing request without an Origin (or Referer) of the console\'s own origin or of `allowedOrigins`',
  MOP_CONSOLE_CSRF: 'HTTP 403: a changing request without the `x-csrf-token` that `GET api/session` returned',
  MOP_CONSOLE_NOT_FOUND: 'HTTP 404: no such route, plugin, entity or row',
  MOP_CONSOLE_METHOD: 'HTTP 405: the route exists, not with this method',
  MOP_CONSOLE_BAD_JSON: 'HTTP 400: a body that is not JSON, or not sent as `application/json`',
  MOP_CONSOLE_BODY_TOO_LARGE: 'HTTP 413: a body over `maxBodyBytes`',
  MOP_CONSOLE_INVALID: 'HTTP 422: a field of the body or query is of the wrong type or out of range (`field`), or options failed the plugin\'s schema (`issues`)',
  MOP_CONSOLE_CONFIRM_REQUIRED: 'HTTP 422: a hard delete without `confirm` equal to `<entity>:<id>`',
  MOP_CONSOLE_CONFLICT: 'HTTP 409: the change cannot be made in the current state (no plugin-state table, no audit table, entity without soft delete or cache)',
  MOP_CONSOLE_INTERNAL: 'HTTP 500: an unexpected failure; the response says only that, the details go to `onError`',
  MOP_CONSOLE_NOT_LIVE: 'HTTP 409: an options edit changes an option the plugin does not declare `live` (`field`, `issues`); nothing is stored',
  MOP_CONSOLE_NO_STATE: 'HTTP 409: a revert to a time when the row did not exist (before its create, after its delete), or of a row that no longer exists',
  MOP_CONSOLE_REDACTED: 'HTTP 409: a revert would restore fields the audit log redacted (`issues` names them); resend with `leaveRedacted: true` to restore the rest',
});

declare module '../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof CONSOLE_ERRORS> {}
}

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS & PluginErrorCode;

/** One invalid option of an options edit: its path (`ttl`, `creds.user`) and what was expected. */
export interface ConsoleIssue {
  readonly path: string;
  readonly message: string;
}

const STATUS: Record<ConsoleErrorCode, number> = {
  MOP_CONSOLE_NO_AUTHORIZE: 500,
  MOP_CONSOLE_UNAUTHORIZED: 401,
  MOP_CONSOLE_FORBIDDEN: 403,
  MOP_CONSOLE_CROSS_ORIGIN: 403,
  MOP_CONSOLE_CSRF: 403,
  MOP_CONSOLE_NOT_FOUND: 404,
  MOP_CONSOLE_METHOD: 405,
  MOP_CONSOLE_BAD_JSON: 400,
  MOP_CONSOLE_BODY_TOO_LARGE: 413,
  MOP_CONSOLE_INVALID: 422,
  MOP_CONSOLE_CONFIRM_REQUIRED: 422,
  MOP_CONSOLE_CONFLICT: 409,
  MOP_CONSOLE_INTERNAL: 500,
  MOP_CONSOLE_NOT_LIVE: 409,
  MOP_CONSOLE_NO_STATE: 409,
  MOP_CONSOLE_REDACTED: 409,
};

/** A refused console request (or a misconfigured `pluginConsole()` call): `status` is the HTTP status it answers with. */
export class ConsoleError extends PluginError {
  override name = 'ConsoleError';
  declare readonly code: ConsoleErrorCode;
  readonly status: number;
  /** The body or query field at fault. */
  readonly field: string | undefined;
  /** Per-option issues of an options edit. */
  readonly issues: readonly ConsoleIssue[] | undefined;

  constructor(code: ConsoleErrorCode, message: string, details: { field?: string; issues?: readonly ConsoleIssue[]; plugin?: string; entity?: string } = {}) {
    super(code, message, { plugin: details.plugin, entity: details.entity, option: details.field });
    this.status = STATUS[code];
    this.field = details.field;
    this.issues = details.issues;
  }
}

/** A 422 naming the field at fault. */
export const invalidField = (field: string, expected: string): ConsoleError => new ConsoleError('MOP_CONSOLE_INVALID', `'${field}' must be ${expected}`, { field });

export const notFound = (what: string): ConsoleError => new ConsoleError('MOP_CONSOLE_NOT_FOUND', what);
