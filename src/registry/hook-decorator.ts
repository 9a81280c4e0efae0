import type { BatchableEventName, BatchHookFunctionOf } from '../batch-hooks.js';
import type { HookEventName, HookFunction } from '../events.js';
import type { BatchHookOptions, HookDefinition, HookOptions } from '../plugin-api.js';
import { PluginRegistrationError } from '../errors.js';
import { classLineage, isStandardContext, ownStandardMetadata } from './decorator-mode.js';
import { describeValue } from './plugin-meta.js';

const BATCHABLE: ReadonlySet<string> = new Set<BatchableEventName>(['beforeCreate', 'beforeUpdate', 'beforeSave', 'afterCreate', 'afterUpdate', 'afterDelete', 'afterSave', 'afterChange']);
const BEFORE: ReadonlySet<string> = new Set<BatchableEventName>(['beforeCreate', 'beforeUpdate', 'beforeSave']);
const AFTER: ReadonlySet<string> = new Set<BatchableEventName>(['afterCreate', 'afterUpdate', 'afterDelete', 'afterSave']);
const legacyHooks = new WeakMap<Function, HookDefinition[]>();
const STANDARD_HOOKS = Symbol('mikro-orm-plugins:hooks');

/** Works as a legacy (`experimentalDecorators`) and as a standard (TC39) method decorator. */
export interface HookDecorator<F> {
  <T extends F>(value: T, context: ClassMethodDecoratorContext): void;
  <T extends F>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
}

/**
 * Marks a plugin method as a hook on one or more events.
 *
 *     @hook('afterChange') log(entity, changes, ctx) {}
 *     @hook(['beforeSave', 'beforeUpdate'], { priority: -10 }) touch(entity, ctx) {}
 */
export function hook<K extends BatchableEventName>(events: K | readonly K[], options: BatchHookOptions): HookDecorator<BatchHookFunctionOf<K>>;
export function hook<K extends HookEventName>(events: K | readonly K[], options?: HookOptions): HookDecorator<HookFunction<K>>;
export function hook<K extends HookEventName>(events: K | readonly K[], options: HookOptions | BatchHookOptions = {}): HookDecorator<HookFunction<K> | BatchHookFunctionOf<BatchableEventName>> {
  const names = checkEvents(events);
  checkOptions(names, options);
  return ((target: object, keyOrContext: string | symbol | ClassMethodDecoratorContext): void => {
    const method = isStandardContext(keyOrContext) ? keyOrContext.name : keyOrContext;
    if (typeof method !== 'string' && typeof method !== 'symbol') throw invalid(names, `decorates methods; it was applied to ${describeValue(keyOrContext)}`);
    if (!isStandardContext(keyOrContext) && (target === null || (typeof target !== 'object' && typeof target !== 'function'))) throw invalid(names, `decorates methods; it was applied to ${describeValue(target)}`);
    const defs = names.map(event => toDefinition(event, method, options));
    if (isStandardContext(keyOrContext)) {
      const metadata = keyOrContext.metadata as Record<symbol, HookDefinition[]>;
      if (!Object.hasOwn(metadata, STANDARD_HOOKS)) metadata[STANDARD_HOOKS] = [];
      metadata[STANDARD_HOOKS]!.push(...defs);
      return;
    }
    const cls = (target as { constructor?: unknown }).constructor;
    if (typeof cls !== 'function') throw invalid(names, `decorates methods of a class; it was applied to ${describeValue(target)}`);
    legacyHooks.set(cls, [...(legacyHooks.get(cls) ?? []), ...defs]);
  }) as HookDecorator<HookFunction<K> | BatchHookFunctionOf<BatchableEventName>>;
}

// Plain JavaScript reaches here with anything: a typed error now beats a TypeError at registration.
function invalid(events: readonly string[] | undefined, message: string, option?: string): PluginRegistrationError {
  return new PluginRegistrationError('MOP_INVALID_PLUGIN', `@hook(${events ? events.map(e => `'${e}'`).join(', ') : ''}) ${message}`, { hook: events?.[0], option });
}

function checkEvents(events: unknown): string[] {
  const names = typeof events === 'string' ? [events] : Array.isArray(events) ? [...(events as unknown[])] : undefined;
  if (names === undefined || names.length === 0 || names.some(e => typeof e !== 'string' || e === '')) {
    throw invalid(undefined, `needs an event name or a non-empty list of them, got ${describeValue(events)}`);
  }
  return names as string[];
}

function checkOptions(events: readonly string[], options: unknown): asserts options is HookOptions | BatchHookOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid(events, `options must be an object, got ${describeValue(options)}`);
  // `priority` is checked at registration, with the plugin's name.
  const { appliesTo, before, after, batch } = options as Record<string, unknown>;
  if (batch !== undefined && typeof batch !== 'boolean') throw invalid(events, `'batch' must be true or false, got ${describeValue(batch)}`, 'batch');
  const unbatchable = events.find(e => !BATCHABLE.has(e));
  if (batch === true && unbatchable !== undefined) {
    throw invalid(events, `'batch' is for beforeCreate, beforeUpdate, beforeSave, afterCreate, afterUpdate, afterDelete, afterSave and afterChange hooks, not '${unbatchable}'`, 'batch');
  }
  // One method has one batch form: before-events, after-events and afterChange each call it differently.
  const forms = new Set(events.map(e => (BEFORE.has(e) ? 'before' : AFTER.has(e) ? 'after' : e)));
  if (batch === true && forms.size > 1) throw invalid(events, `'batch' hooks cannot mix before-events, after-events and afterChange in one @hook`, 'batch');
  if (appliesTo !== undefined && appliesTo !== 'attached' && appliesTo !== 'all' && typeof appliesTo !== 'function') {
    throw invalid(events, `'appliesTo' must be 'attached', 'all' or a function, got ${describeValue(appliesTo)}`, 'appliesTo');
  }
  for (const [key, list] of [['before', before], ['after', after]] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.some(n => typeof n !== 'string'))) throw invalid(events, `'${key}' must be a list of plugin names`, key);
  }
}

function toDefinition(event: string, method: string | symbol, options: HookOptions | BatchHookOptions): HookDefinition {
  return Object.freeze({
    event,
    method,
    priority: options.priority ?? 0,
    appliesTo: options.appliesTo ?? 'attached',
    before: Object.freeze([...(options.before ?? [])]),
    after: Object.freeze([...(options.after ?? [])]),
    batch: options.batch === true,
  });
}

/** Hooks declared with `@hook` on this class and its ancestors, base class first. */
export function decoratedHooks(cls: Function): HookDefinition[] {
  const defs: HookDefinition[] = [];
  for (const c of classLineage(cls)) {
    defs.push(...(legacyHooks.get(c) ?? []));
    const metadata = ownStandardMetadata(c);
    if (metadata && Object.hasOwn(metadata, STANDARD_HOOKS)) defs.push(...(metadata[STANDARD_HOOKS] as HookDefinition[]));
  }
  return defs;
}
