/** Stable codes: match on `error.code`, never on the message. */
export type PluginErrorCode =
  | 'MOP_INVALID_PLUGIN'
  | 'MOP_PLUGIN_NAME_TAKEN'
  | 'MOP_UNKNOWN_PLUGIN'
  | 'MOP_MISSING_DEPENDENCY'
  | 'MOP_DEPENDENCY_VERSION'
  | 'MOP_PLUGIN_CONFLICT'
  | 'MOP_DUPLICATE_PLUGIN'
  | 'MOP_INSTANCE_REQUIRED'
  | 'MOP_UNKNOWN_EVENT'
  | 'MOP_INVALID_OPTIONS'
  | 'MOP_HOOK_CYCLE'
  | 'MOP_HOOK_FAILED'
  | 'MOP_VALIDATION_FAILED'
  | 'MOP_UNKNOWN_ENTITY'
  | 'MOP_NOT_INSTALLED'
  | 'MOP_ROW_LIMIT'
  | 'MOP_AUDIT_NOT_INSTALLED'
  | 'MOP_AUDIT_SINK_FAILED'
  // Cache plugin (src/plugins/cache):
  | 'MOP_CACHE_PREFIX_TAKEN'
  // Operations issue (src/operations, src/cli):
  | 'MOP_CONFIG_LOAD_FAILED'
  | 'MOP_INVALID_IMPLEMENTATION'
  | 'MOP_NO_IMPLEMENTATION'
  | 'MOP_STATE_UNAVAILABLE'
  // Soft delete policies (src/plugins/soft-delete):
  | 'MOP_DELETE_REFUSED'
  // Soft delete reads and the QueryBuilder (src/plugins/soft-delete/find-options.ts, src/bridge/plugin-query-builder.ts):
  | 'MOP_CONFLICTING_OPTIONS'
  | 'MOP_QB_UNSUPPORTED'
  | 'MOP_QB_OPTIONS_LATE'
  | 'MOP_QB_ASYNC_FILTER'
  // Start-up (src/bridge):
  | 'MOP_SYNC_INIT'
  | 'MOP_UNSUPPORTED_ORM';

export interface PluginErrorDetails {
  plugin?: string;
  hook?: string;
  entity?: string;
  option?: string;
  cause?: unknown;
}

/** Base class of every error this package raises. */
export class PluginError extends Error {
  override name = 'PluginError';
  readonly code: PluginErrorCode;
  plugin: string | undefined;
  hook: string | undefined;
  entity: string | undefined;
  readonly option: string | undefined;

  constructor(code: PluginErrorCode, message: string, details: PluginErrorDetails = {}) {
    super(`[${code}] ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.plugin = details.plugin;
    this.hook = details.hook;
    this.entity = details.entity;
    this.option = details.option;
  }
}

/** A plugin class or its metadata is malformed, or its name is taken. Raised at registration. */
export class PluginRegistrationError extends PluginError {
  override name = 'PluginRegistrationError';
}

/** An entity names a plugin that is not registered, or a plugin's dependency is missing. Raised at start-up. */
export class PluginConfigError extends PluginError {
  override name = 'PluginConfigError';
}

/**
 * A plugin in use lacks a plugin it `requires` (or has it in a version outside the range), or
 * conflicts with another plugin in use. Raised at start-up; names both plugins and the range.
 */
export class PluginDependencyError extends PluginConfigError {
  override name = 'PluginDependencyError';
  /** The plugin required or conflicting. */
  readonly dependency: string;
  /** The semver range of the `requires`/`conflicts` entry (`*` for a bare name). */
  readonly range: string;

  constructor(code: 'MOP_MISSING_DEPENDENCY' | 'MOP_DEPENDENCY_VERSION' | 'MOP_PLUGIN_CONFLICT', message: string, details: PluginErrorDetails & { plugin: string; dependency: string; range: string }) {
    super(code, message, details);
    this.dependency = details.dependency;
    this.range = details.range;
  }
}

/** A plugin option given for an entity failed the plugin's schema. Raised at start-up. */
export class PluginOptionsError extends PluginError {
  override name = 'PluginOptionsError';
  readonly expected: string;

  constructor(details: { plugin: string; entity: string; option: string; expected: string; received?: unknown }) {
    const where = details.option === '' ? 'options' : `option '${details.option}'`;
    super(
      'MOP_INVALID_OPTIONS',
      `Entity '${details.entity}', plugin '${details.plugin}': ${where} is invalid: expected ${details.expected}` +
        (details.received === undefined ? '' : `, received ${describe(details.received)}`),
      details,
    );
    this.expected = details.expected;
  }
}

/** The before/after constraints of a chain form a cycle. Raised at start-up. */
export class HookOrderError extends PluginError {
  override name = 'HookOrderError';
  readonly cycle: readonly string[];

  constructor(entity: string, event: string, cycle: readonly string[]) {
    super('MOP_HOOK_CYCLE', `Entity '${entity}', event '${event}': plugin order constraints form a cycle: ${cycle.join(' -> ')}`, {
      entity,
      hook: event,
    });
    this.cycle = cycle;
  }
}

/** A hook threw or rejected. The original error is `cause`; the flush it ran in was rolled back. */
export class HookError extends PluginError {
  override name = 'HookError';
}

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * A delete the softDelete plugin's policy forbids: any delete of a `noDelete` entity, or a bulk
 * `nativeDelete` of a `softCascade` entity (a bulk write cannot cascade through the children's hooks).
 * Raised before anything is written.
 */
export class DeleteRefusedError extends PluginError {
  override name = 'DeleteRefusedError';

  constructor(entity: string, reason: string) {
    super('MOP_DELETE_REFUSED', `Entity '${entity}', plugin 'softDelete': ${reason}`, { entity, plugin: 'softDelete' });
  }
}

/** The validation plugin rejected an entity. Lists every failing field. */
export class ValidationError extends PluginError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];

  constructor(entity: string, issues: readonly FieldIssue[]) {
    super('MOP_VALIDATION_FAILED', `${entity} is invalid: ${issues.map(i => `${i.field}: ${i.message}`).join('; ')}`, {
      entity,
      plugin: 'validation',
    });
    this.issues = issues;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
