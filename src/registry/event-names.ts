import { PluginConfigError, PluginRegistrationError } from '../errors.js';
import { BUILT_IN_EVENTS, isBuiltInEvent, type CustomEventKind } from '../events.js';
import { didYouMean } from './did-you-mean.js';
import type { PluginDefinition } from './plugin-definition.js';

/** A custom event as the registry knows it: the plugin that declares it and its kind. */
export interface DeclaredEvent {
  readonly plugin: string;
  readonly kind: CustomEventKind;
}

const BUILT_IN_NAMES = Object.keys(BUILT_IN_EVENTS);

/**
 * Every hook must name a built-in event, an event the plugin declares, or one another plugin of the
 * registry declares. At registration the check waits when the plugin `requires` a plugin not registered
 * yet (it may declare the event); at start-up it does not wait.
 */
export function checkHookEvents(
  definition: PluginDefinition,
  declared: ReadonlyMap<string, DeclaredEvent>,
  isRegistered: (plugin: string) => boolean,
  when: 'registration' | 'start-up',
): void {
  const own = new Set(definition.events.keys());
  const unknown = definition.hooks.find(h => !isBuiltInEvent(h.event) && !own.has(h.event) && !declared.has(h.event));
  if (!unknown) return;
  if (when === 'registration' && definition.requires.some(r => !isRegistered(r))) return;
  const message =
    `Plugin '${definition.name}': hook '${String(unknown.method)}' names the event '${unknown.event}', which is neither built in nor declared` +
    `${didYouMean(unknown.event, [...BUILT_IN_NAMES, ...own, ...declared.keys()])}. A plugin declares its custom events with @plugin({ events: [...] })`;
  const details = { plugin: definition.name, hook: unknown.event };
  throw when === 'registration' ? new PluginRegistrationError('MOP_UNKNOWN_EVENT', message, details) : new PluginConfigError('MOP_UNKNOWN_EVENT', message, details);
}

/** `emit()` fires declared custom events only: a built-in event is MikroORM's to fire, and an unknown one is a typo. */
export function checkEmittedEvent(event: string, declared: ReadonlyMap<string, DeclaredEvent>): void {
  if (declared.has(event)) return;
  if (typeof event !== 'string') throw new PluginConfigError('MOP_UNKNOWN_EVENT', `emit() needs a custom event name, got ${typeof event}`);
  const reason = isBuiltInEvent(event)
    ? `'${event}' is a built-in event, fired by MikroORM; emit() fires custom events`
    : `no registered plugin declares the custom event '${event}'${didYouMean(event, declared.keys())}`;
  throw new PluginConfigError('MOP_UNKNOWN_EVENT', `emit(): ${reason}`, { hook: event });
}
