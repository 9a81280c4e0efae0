import { PluginRegistrationError } from '../errors.js';
import type { PluginMeta } from '../plugin-api.js';

const metaByClass = new WeakMap<Function, PluginMeta>();

export function setPluginMeta(cls: Function, meta: PluginMeta): void {
  metaByClass.set(cls, meta);
}

export function pluginMetaOf(cls: Function): PluginMeta | undefined {
  return metaByClass.get(cls);
}

/** The `@plugin` name of an instance's class; a typed error when the value is no such instance. `where` says who was given it. */
export function pluginNameOfInstance(value: unknown, where: string): string {
  const cls = typeof value === 'object' && value !== null ? (value as { constructor?: unknown }).constructor : undefined;
  const meta = typeof cls === 'function' ? pluginMetaOf(cls) : undefined;
  if (meta) return meta.name;
  if (value instanceof Promise) {
    throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `${where} got a promise; give the plugin instance itself (await its services first)`);
  }
  const what = typeof cls === 'function' && cls !== Object ? `an instance of ${cls.name || 'an anonymous class'}, which has no @plugin` : describeValue(value);
  throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `${where} needs an instance of a @plugin class, got ${what}`);
}

/** What was thrown, as text, whatever was thrown (a symbol or a null-prototype object has no text of its own). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return message;
  return (typeof error === 'object' && error !== null) || typeof error === 'function' ? describeValue(error) : String(error);
}

/** A value as JSON when it has a JSON form (strings quoted), else described: never throws, whatever the value (a BigInt, a cycle…). */
export function quote(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // No JSON form: described below.
  }
  return describeValue(value);
}

/** A short description of a value that is not what was asked for. Never prints the value's contents. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'an anonymous function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a plain object';
  return typeof value === 'string' ? 'a string' : `${typeof value} ${String(value)}`;
}
