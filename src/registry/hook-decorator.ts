import type { HookEventName, HookFunction } from '../events.js';
import type { HookDefinition, HookOptions } from '../plugin-api.js';
import { classLineage, isStandardContext, ownStandardMetadata } from './decorator-mode.js';

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
export function hook<K extends HookEventName>(events: K | readonly K[], options: HookOptions = {}): HookDecorator<HookFunction<K>> {
  const names = typeof events === 'string' ? [events] : [...events];
  return ((target: object, keyOrContext: string | symbol | ClassMethodDecoratorContext): void => {
    const method = isStandardContext(keyOrContext) ? keyOrContext.name : keyOrContext;
    const defs = names.map(event => toDefinition(event, method, options));
    if (isStandardContext(keyOrContext)) {
      const metadata = keyOrContext.metadata as Record<symbol, HookDefinition[]>;
      if (!Object.hasOwn(metadata, STANDARD_HOOKS)) metadata[STANDARD_HOOKS] = [];
      metadata[STANDARD_HOOKS]!.push(...defs);
      return;
    }
    const cls = (target as { constructor: Function }).constructor;
    legacyHooks.set(cls, [...(legacyHooks.get(cls) ?? []), ...defs]);
  }) as HookDecorator<HookFunction<K>>;
}

function toDefinition(event: string, method: string | symbol, options: HookOptions): HookDefinition {
  return Object.freeze({
    event,
    method,
    priority: options.priority ?? 0,
    appliesTo: options.appliesTo ?? 'attached',
    before: Object.freeze([...(options.before ?? [])]),
    after: Object.freeze([...(options.after ?? [])]),
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
