import type { MikroORM } from '@mikro-orm/core';
import { PluginError } from '../core.js';
import { OptionNotLiveError, scrubOrmSecrets } from '../operations/index.js';
import { ConsoleError, type ConsoleErrorCode } from './errors.js';
import type { Outbound } from './exchange.js';
import { securityHeaders } from './headers.js';

/** A JSON response; its text passes the ORM's secret scrub as a last line of defence. */
export function json(orm: MikroORM, status: number, value: unknown, extra: Record<string, string> = {}): Outbound {
  const text = JSON.stringify(value) ?? 'null';
  const scrubbed = scrubOrmSecrets(orm, text);
  return {
    status,
    headers: { ...securityHeaders(true), 'content-type': 'application/json; charset=utf-8', ...extra },
    body: scrubbed === text || isJson(scrubbed) ? scrubbed : JSON.stringify(errorBody(new ConsoleError('MOP_CONSOLE_INTERNAL', 'the response was withheld: it held a secret'))),
  };
}

export function errorBody(error: ConsoleError): { error: Record<string, unknown> } {
  return {
    error: {
      code: error.code,
      message: error.message.replace(/^\[[A-Z_]+\] /, ''),
      ...(error.field !== undefined && { field: error.field }),
      ...(error.issues !== undefined && { issues: error.issues }),
    },
  };
}

/** Errors the package's operations raise on bad input, as the console answers them; anything else is a 500. */
const FROM_PACKAGE: Readonly<Record<string, ConsoleErrorCode>> = {
  MOP_UNKNOWN_PLUGIN: 'MOP_CONSOLE_NOT_FOUND',
  MOP_UNKNOWN_ENTITY: 'MOP_CONSOLE_NOT_FOUND',
  MOP_INVALID_OPTIONS: 'MOP_CONSOLE_INVALID',
  MOP_INVALID_ARGUMENT: 'MOP_CONSOLE_INVALID',
  MOP_STATE_UNAVAILABLE: 'MOP_CONSOLE_CONFLICT',
  MOP_AUDIT_NOT_INSTALLED: 'MOP_CONSOLE_CONFLICT',
  MOP_NOT_INSTALLED: 'MOP_CONSOLE_CONFLICT',
  MOP_DELETE_REFUSED: 'MOP_CONSOLE_CONFLICT',
};

/** Any thrown value as a `ConsoleError`; `unexpected` is true when it was not a refusal the console or package meant. */
export function asConsoleError(error: unknown): { error: ConsoleError; unexpected: boolean } {
  if (error instanceof ConsoleError) return { error, unexpected: error.code === 'MOP_CONSOLE_INTERNAL' };
  if (error instanceof OptionNotLiveError) {
    const message = error.message.replace(/^\[[A-Z_]+\] /, '');
    const issues = error.options.map(option => ({ path: option, message: 'cannot change while the application runs: change it in the code' }));
    return { error: new ConsoleError('MOP_CONSOLE_NOT_LIVE', message, { field: `options.${error.options[0]}`, issues, plugin: error.plugin, entity: error.entity }), unexpected: false };
  }
  if (error instanceof PluginError && FROM_PACKAGE[error.code]) {
    const message = error.message.replace(/^\[[A-Z_]+\] /, '');
    return { error: new ConsoleError(FROM_PACKAGE[error.code]!, message, { ...(error.option !== undefined && { field: error.option }) }), unexpected: false };
  }
  return { error: new ConsoleError('MOP_CONSOLE_INTERNAL', 'the console failed; the details went to the server log'), unexpected: true };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
