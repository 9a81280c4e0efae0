import { defineErrorCodes, type ErrorCodesOf, PluginConfigError, PluginError } from '../../core.js';

export const AUDIT_ERRORS = defineErrorCodes('audit', {
  MOP_AUDIT_NOT_INSTALLED:
    'at start-up: an entity uses `audit` but `auditLog()` is not in `extensions`; at run time: `history`/`stateAt` on an ORM without an audit table',
  MOP_AUDIT_SINK_FAILED: 'after a commit, via `pluginSystem({ onError })`: an audit sink failed (`error.failures`); the write stands',
});

declare module '../../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof AUDIT_ERRORS> {}
}

/** `auditLog()` is missing from the ORM's extensions, or a history query found no audit table. */
export class AuditNotInstalledError extends PluginConfigError {
  override name = 'AuditNotInstalledError';

  constructor(message: string, entity?: string) {
    super('MOP_AUDIT_NOT_INSTALLED', message, { plugin: 'audit', entity });
  }
}

export interface SinkFailure {
  readonly sink: string;
  readonly error: unknown;
}

/**
 * One or more sinks failed on a committed change; reported to `pluginSystem({ onError })`, never
 * thrown to the caller. The message names sinks, entity, id and operation only, never field values.
 */
export class AuditSinkError extends PluginError {
  override name = 'AuditSinkError';
  readonly failures: readonly SinkFailure[];

  constructor(entity: string, entityId: string, operation: string, failures: readonly SinkFailure[]) {
    const sinks = failures.map(f => `'${f.sink}'`).join(', ');
    super('MOP_AUDIT_SINK_FAILED', `Audit sink ${sinks} failed on ${operation} of ${entity} ${entityId}; the change itself is committed`, {
      plugin: 'audit',
      entity,
      cause: failures[0]?.error,
    });
    this.failures = failures;
  }
}
