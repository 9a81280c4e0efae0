/**
 * Stable codes: match on `error.code`, never on the message. Each owner (core, a built-in plugin, a
 * third-party plugin) declares its codes with `defineErrorCodes` and merges them into this interface,
 * so `PluginErrorCode` names exactly the declared codes and a misspelt one does not compile.
 */
export interface PluginErrorCodes extends ErrorCodesOf<typeof CORE_ERRORS> {}

/** A declared error code. */
export type PluginErrorCode = keyof PluginErrorCodes & string;

/** One declared code: who raises it, and when. */
export interface ErrorCodeInfo<C extends string = PluginErrorCode> {
  readonly code: C;
  readonly owner: string;
  readonly description: string;
}

/** What `defineErrorCodes` returns: each declared code with its owner and description. */
export type ErrorCodeDeclarations<C extends string> = { readonly [K in C]: ErrorCodeInfo<K> };

/** The shape `PluginErrorCodes` merges: `interface PluginErrorCodes extends ErrorCodesOf<typeof MY_ERRORS> {}`. */
export type ErrorCodesOf<D> = { [K in keyof D]: true };

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const catalogue = new Map<string, ErrorCodeInfo<string>>();

/**
 * Declares an owner's error codes, each with one line saying when it is raised, so `errorCodes()`
 * lists them. Codes are UPPER_SNAKE_CASE and belong to one owner; declaring the same code again with
 * the same owner and description is a no-op.
 */
export function defineErrorCodes<const D extends Record<string, string>>(owner: string, descriptions: D): ErrorCodeDeclarations<keyof D & string> {
  const fail = (message: string) => new PluginRegistrationError('MOP_INVALID_PLUGIN', `defineErrorCodes: ${message}`, { plugin: typeof owner === 'string' ? owner : undefined });
  if (typeof owner !== 'string' || owner.trim() === '') throw fail(`the owner must be a non-empty string, got ${describe(owner)}`);
  if (descriptions === null || typeof descriptions !== 'object' || Array.isArray(descriptions)) throw fail(`'${owner}' must pass an object of code: description, got ${describe(descriptions)}`);
  const entries = Object.entries(descriptions);
  if (entries.length === 0) throw fail(`'${owner}' declares no codes`);
  for (const [code, description] of entries) {
    if (!CODE.test(code)) throw fail(`'${owner}' declares ${JSON.stringify(code)}; a code is UPPER_SNAKE_CASE`);
    if (typeof description !== 'string' || description.trim() === '') throw fail(`'${owner}' gives code ${code} no description`);
    const taken = catalogue.get(code);
    if (taken && (taken.owner !== owner || taken.description !== description)) {
      throw fail(taken.owner === owner ? `'${owner}' declares ${code} twice with different descriptions` : `'${owner}' declares ${code}, which '${taken.owner}' already declares`);
    }
  }
  const declared: Record<string, ErrorCodeInfo<string>> = {};
  for (const [code, description] of entries) {
    const info = catalogue.get(code) ?? Object.freeze({ code, owner, description });
    catalogue.set(code, info);
    declared[code] = info;
  }
  return Object.freeze(declared) as ErrorCodeDeclarations<keyof D & string>;
}

/** Every declared code with its owner and description, in declaration order (of the modules loaded so far). */
export function errorCodes(): ErrorCodeInfo[] {
  return [...catalogue.values()] as ErrorCodeInfo[];
}

/** The declaration of one code, or undefined when no loaded module declares it. */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return catalogue.get(code) as ErrorCodeInfo | undefined;
}

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

  /** `code`: a plugin's own, more precise code for the option at fault; default `MOP_INVALID_OPTIONS`. */
  constructor(details: { plugin: string; entity: string; option: string; expected: string; received?: unknown; code?: PluginErrorCode }) {
    const where = details.option === '' ? 'options' : `option '${details.option}'`;
    super(
      details.code ?? 'MOP_INVALID_OPTIONS',
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

/**
 * The typed error for an exported function given the wrong kind of argument, as plain JavaScript
 * may: names the function and the argument (`option`), and says what kind of value came, never the value.
 */
export function invalidArgument(fn: string, argument: string, expected: string, value: unknown): PluginConfigError {
  return new PluginConfigError('MOP_INVALID_ARGUMENT', `${fn}: '${argument}' must be ${expected}, got ${kindOf(value)}`, { option: argument });
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'symbol') return 'a symbol';
  return `${typeof value} ${String(value)}`;
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

/** The codes core raises (registry, chains, bridge, start-up). */
export const CORE_ERRORS = defineErrorCodes('core', {
  MOP_INVALID_PLUGIN: 'at registration: a malformed plugin class or metadata, or a malformed or taken `defineErrorCodes` declaration',
  MOP_PLUGIN_NAME_TAKEN: 'at registration: another class holds that name',
  MOP_UNKNOWN_PLUGIN: 'at start-up: an entity or an order constraint names an unregistered plugin',
  MOP_MISSING_DEPENDENCY: "at start-up: a plugin's `requires` is not registered",
  MOP_DEPENDENCY_VERSION: 'at start-up: a plugin the ORM uses requires another plugin in a version range the registered one is outside of',
  MOP_PLUGIN_CONFLICT: 'at start-up: two plugins the ORM uses conflict (`conflicts`, optionally with a version range)',
  MOP_DUPLICATE_PLUGIN: 'at registration or start-up: two instances or entries given for one plugin',
  MOP_INSTANCE_REQUIRED: 'at start-up: a plugin whose constructor takes services was given no instance or factory',
  MOP_UNKNOWN_EVENT: 'at registration: a hook names an event no plugin declared; at run time: `emit()` of an undeclared event',
  MOP_EVENT_KIND_CONFLICT: 'at registration: a plugin declares a custom event another plugin declares with another kind',
  MOP_INVALID_OPTIONS: "at start-up: an option failed the plugin's schema (names entity, plugin, option, expected), or an extension's own option (`auditLog()`, a `PluginConfigError`)",
  MOP_HOOK_CYCLE: 'at start-up: before/after constraints form a cycle (`error.cycle`)',
  MOP_HOOK_FAILED: 'at run time: a hook threw; `cause` is the original; the flush rolled back',
  MOP_UNKNOWN_ENTITY: 'at run time: a helper got something that is not an entity',
  MOP_INVALID_TRAIT: 'at start-up: a plugin stated an entity trait without a name, or a trait another plugin states for the same entity',
  MOP_NOT_INSTALLED: 'at run time: a helper was called on an ORM without `pluginSystem()`',
  MOP_ROW_LIMIT: 'at run time: a per-row `nativeUpdate`/`nativeDelete` matched more rows than `rowLimit`; nothing was written',
  MOP_QB_UNSUPPORTED:
    'at run time: a QueryBuilder `update()`/`delete()` the plugins must see uses something `nativeUpdate`/`nativeDelete` cannot express; nothing was written',
  MOP_QB_OPTIONS_LATE:
    'at run time: `withQueryOptions(qb, { filters })` (or `withDeleted(qb)`) came after the builder joined or filtered on a relation, where the filters were already added',
  MOP_QB_ASYNC_FILTER:
    'at run time: a builder was rendered (or joined an entity) whose plugin `queryFilter` hook is asynchronous; `await qb.applyFilters()` first',
  MOP_SYNC_INIT:
    "at start-up under `new MikroORM()`: a plugin's option schema or `setupEntity` is asynchronous, or `pluginOperations()` is installed; use `await MikroORM.init()`",
  MOP_INVALID_ARGUMENT: 'at call time: an exported function was given an argument of the wrong kind (plain JavaScript); `option` names the argument',
  MOP_UNSUPPORTED_ORM:
    'at start-up: the MikroORM version is outside the supported range, or lacks a member the package relies on (`error.member` names it)',
});
