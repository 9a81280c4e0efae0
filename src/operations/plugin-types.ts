import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginError, PluginRegistrationError } from '../errors.js';
import { describeValue } from '../registry/plugin-meta.js';
import type { PluginStatus } from './state/entities.js';
import { INT32_MAX, INT32_MIN, isStorablePriority } from './state/desired-rows.js';
import { STATUSES } from './state/entities.js';

/** Where an implementation's stored status and priority come from (an ORM's plugin state), keyed `Type:implementation`. */
export interface ImplementationStateSource {
  status(plugin: string, entity: string): PluginStatus | undefined;
  priority(plugin: string, entity: string): number | undefined;
  /** Bumped on every change of the stored state: the cached choice is dropped. */
  readonly changes: number;
}

/** One registered implementation, as a selector and `listImplementations` see it. */
export interface ImplementationInfo<T = unknown> {
  readonly type: string;
  readonly name: string;
  /** `Type:name`: the plugin name of its `plugin_state` row, and what `enable`/`disable`/`priority` take. */
  readonly key: string;
  readonly description: string;
  /** Effective: stored status if the ORM has a row, else the code's. */
  readonly status: PluginStatus;
  /** Effective: stored priority if set, else the code's. Lower is preferred. */
  readonly priority: number;
  readonly codeStatus: PluginStatus;
  readonly codePriority: number;
  /** The implementation object (a class is instantiated once, on first use). */
  readonly implementation: T;
}

export type ImplementationSelector<T> = (candidates: readonly ImplementationInfo<T>[]) => ImplementationInfo<T> | undefined;

export interface PluginTypeOptions<T> {
  /** Methods every implementation must have: TypeScript interfaces vanish at run time, so they are named here. */
  methods: readonly (keyof T & string)[];
  description?: string;
  /** Replaces the default choice (lowest-priority `active`, else lowest-priority `reserve`). */
  selector?: ImplementationSelector<T>;
}

export interface ImplementationOptions {
  /** Lower is preferred. Default 0. */
  priority?: number;
  /** Default `active`. */
  status?: PluginStatus;
  description?: string;
}

interface Registration<T> {
  readonly name: string;
  readonly priority: number;
  readonly status: PluginStatus;
  readonly description: string;
  readonly get: () => T;
}

const NAME = /^[A-Za-z][\w.-]*$/;
const types = new Map<string, PluginType<any>>();

/**
 * A plugin type: an interface (`AuditSink`, `CacheStore`, `OtpSender`…) with any number of
 * implementations registered against it, of which `getImplementation` picks one from the
 * stored status and priority.
 */
export class PluginType<T extends object = object> {
  readonly name: string;
  readonly methods: readonly string[];
  readonly description: string;
  readonly #selector: ImplementationSelector<T> | undefined;
  #registrations: readonly Registration<T>[] = [];
  #version = 0;
  readonly #cache = new WeakMap<object, { version: number; changes: number; choice: ImplementationInfo<T> | undefined }>();

  constructor(name: string, options: PluginTypeOptions<T>) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `Plugin type name ${typeof name === 'string' ? JSON.stringify(name) : describeValue(name)} must start with a letter and hold only letters, digits and _ . -`);
    }
    const fail = (message: string, option: string) => new PluginRegistrationError('MOP_INVALID_PLUGIN', `Plugin type '${name}' ${message}`, { option });
    if (options === null || typeof options !== 'object') throw fail(`needs options { methods }, got ${describeValue(options)}`, 'options');
    if (!Array.isArray(options.methods) || options.methods.length === 0 || options.methods.some(m => typeof m !== 'string' || m === '')) throw fail('must name its required methods', 'methods');
    if (options.selector !== undefined && typeof options.selector !== 'function') throw fail(`'selector' must be a function, got ${describeValue(options.selector)}`, 'selector');
    if (options.description !== undefined && typeof options.description !== 'string') throw fail(`'description' must be a string, got ${describeValue(options.description)}`, 'description');
    this.name = name;
    this.methods = Object.freeze([...options.methods]);
    this.description = options.description ?? '';
    this.#selector = options.selector;
  }

  /**
   * Registers an implementation: an object, or a class (instantiated once, on first use). Fails
   * loudly (`MOP_INVALID_IMPLEMENTATION`) when a required method is missing or the name is taken.
   */
  register(name: string, implementation: T | (new () => T), options: ImplementationOptions = {}): this {
    const shown = typeof name === 'string' ? `'${name}'` : describeValue(name);
    const fail = (message: string, option?: string) =>
      new PluginRegistrationError('MOP_INVALID_IMPLEMENTATION', `Plugin type '${this.name}', implementation ${shown}: ${message}`, { plugin: typeof name === 'string' ? `${this.name}:${name}` : this.name, option });
    if (typeof name !== 'string' || !NAME.test(name)) throw fail('the name must start with a letter and hold only letters, digits and _ . -');
    if (this.#registrations.some(r => r.name === name)) throw fail('the name is taken');
    const isClass = typeof implementation === 'function';
    const shape = (isClass ? (implementation as Function).prototype : implementation) as Record<string, unknown> | null;
    if (shape === null || typeof shape !== 'object') throw fail(`expected an object or a class, got ${implementation === null ? 'null' : typeof implementation}`);
    const missing = this.methods.filter(m => typeof shape[m] !== 'function');
    if (missing.length > 0) throw fail(`does not fulfil the interface: missing method${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw fail(`options must be an object, got ${describeValue(options)}`, 'options');
    const status = options.status ?? 'active';
    if (!STATUSES.includes(status)) throw fail(`status must be one of ${STATUSES.join(', ')}`, 'status');
    const priority = options.priority ?? 0;
    // Stored in the same 32-bit integer column as every other priority: refused here, not half-way through a sync.
    if (!isStorablePriority(priority)) throw fail(`priority must be an integer from ${INT32_MIN} to ${INT32_MAX}, got ${typeof priority === 'number' ? String(priority) : describeValue(priority)}`, 'priority');
    if (options.description !== undefined && typeof options.description !== 'string') throw fail(`description must be a string, got ${describeValue(options.description)}`, 'description');
    let instance: T | undefined = isClass ? undefined : (implementation as T);
    const get = () => (instance ??= new (implementation as new () => T)());
    this.#registrations = [...this.#registrations, { name, priority, status, description: options.description ?? '', get }];
    this.#version++;
    return this;
  }

  /** Every implementation with its effective status and priority (from the ORM's stored state when given), in registration order. */
  implementations(source?: ImplementationStateSource | MikroORM | EntityManager): ImplementationInfo<T>[] {
    const state = resolveSource(source);
    return this.#registrations.map(r => {
      const key = `${this.name}:${r.name}`;
      const info = {
        type: this.name,
        name: r.name,
        key,
        description: r.description,
        status: state?.status(key, '*') ?? r.status,
        priority: state?.priority(key, '*') ?? r.priority,
        codeStatus: r.status,
        codePriority: r.priority,
      };
      return Object.defineProperty(info, 'implementation', { get: r.get, enumerable: true }) as ImplementationInfo<T>;
    });
  }

  /** The chosen implementation, or undefined. Cached until a registration or the stored state changes. */
  find(source?: ImplementationStateSource | MikroORM | EntityManager): T | undefined {
    return this.chosen(source)?.implementation;
  }

  /** The chosen implementation with its name, key and effective state, or undefined. Only the chosen class is instantiated (on reading `implementation`). */
  chosen(source?: ImplementationStateSource | MikroORM | EntityManager): ImplementationInfo<T> | undefined {
    const state = resolveSource(source);
    const cacheKey = state ?? this;
    const cached = this.#cache.get(cacheKey);
    const changes = state?.changes ?? 0;
    if (cached && cached.version === this.#version && cached.changes === changes) return cached.choice;
    const candidates = this.implementations(state);
    const choice = (this.#selector ?? defaultSelector)(candidates);
    this.#cache.set(cacheKey, { version: this.#version, changes, choice });
    return choice;
  }

  /** The chosen implementation; throws `MOP_NO_IMPLEMENTATION` when none is active or in reserve. */
  get(source?: ImplementationStateSource | MikroORM | EntityManager): T {
    const found = this.find(source);
    if (found === undefined) {
      throw new PluginError('MOP_NO_IMPLEMENTATION', `Plugin type '${this.name}' has no active or reserve implementation (registered: ${this.#registrations.map(r => r.name).join(', ') || 'none'})`);
    }
    return found;
  }
}

/** The default choice: the lowest-priority `active` implementation, else the lowest-priority `reserve` one; ties keep registration order. */
export function defaultSelector<T>(candidates: readonly ImplementationInfo<T>[]): ImplementationInfo<T> | undefined {
  if (!Array.isArray(candidates) || candidates.some(c => typeof c !== 'object' || c === null || typeof c.priority !== 'number')) throw invalidArgument('defaultSelector', 'candidates', 'a list of implementations (each with a numeric priority)', candidates);
  const lowest = (status: PluginStatus) =>
    candidates.filter(c => c.status === status).reduce<ImplementationInfo<T> | undefined>((best, c) => (best === undefined || c.priority < best.priority ? c : best), undefined);
  return lowest('active') ?? lowest('reserve');
}

/** Declares a plugin type. Its name is unique in the process; `Type:implementation` is the name operators use. */
export function definePluginType<T extends object>(name: string, options: PluginTypeOptions<T>): PluginType<T> {
  if (typeof name === 'string' && types.has(name)) throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `Plugin type '${name}' is already defined`);
  const type = new PluginType<T>(name, options);
  types.set(name, type);
  return type;
}

/** `getImplementation(OtpSender)` or `getImplementation(OtpSender, orm)`: the second honours that ORM's `plugin_state`. */
export function getImplementation<T extends object>(type: PluginType<T>, source?: MikroORM | EntityManager | ImplementationStateSource): T {
  if (!(type instanceof PluginType)) throw invalidArgument('getImplementation', 'type', 'a plugin type (definePluginType)', type);
  return type.get(source);
}

export function findImplementation<T extends object>(type: PluginType<T>, source?: MikroORM | EntityManager | ImplementationStateSource): T | undefined {
  if (!(type instanceof PluginType)) throw invalidArgument('findImplementation', 'type', 'a plugin type (definePluginType)', type);
  return type.find(source);
}

/** Every plugin type defined in this process, in definition order. */
export function pluginTypes(): PluginType<any>[] {
  return [...types.values()];
}

// The state module registers how an ORM maps to its stored state, without an import cycle.
let stateOf: ((ormOrEm: MikroORM | EntityManager) => ImplementationStateSource | undefined) | undefined;

/** @internal */
export function setImplementationStateLookup(lookup: typeof stateOf): void {
  stateOf = lookup;
}

function resolveSource(source: ImplementationStateSource | MikroORM | EntityManager | undefined): ImplementationStateSource | undefined {
  if (source === undefined) return undefined;
  const state = source as Partial<ImplementationStateSource> | null;
  const isOrm = typeof (source as { config?: { get?: unknown } } | null)?.config?.get === 'function';
  if (!isOrm && (typeof state?.status !== 'function' || typeof state.priority !== 'function')) {
    throw invalidArgument('getImplementation', 'source', 'a MikroORM, an EntityManager or a state source { status, priority, changes }', source);
  }
  if ('config' in source && typeof (source as MikroORM).config?.get === 'function') return stateOf?.(source as MikroORM | EntityManager);
  return source as ImplementationStateSource;
}
