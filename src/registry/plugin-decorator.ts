import { PluginRegistrationError } from '../errors.js';
import type { PluginClass, PluginMeta } from '../plugin-api.js';
import { isStandardContext } from './decorator-mode.js';
import { describeValue, setPluginMeta } from './plugin-meta.js';
import { defaultRegistry, type PluginRegistry } from './plugin-registry.js';

export interface PluginDecoratorOptions extends PluginMeta {
  /** Where to register; `false` only records the metadata. Default: the default registry. */
  registry?: PluginRegistry | false;
}

/**
 * Registers a plugin class: `@plugin('timestamp')` or `@plugin({ name, version, requires, conflicts, events, before, after, options })`.
 * Works under `experimentalDecorators` and with standard decorators.
 */
export function plugin(nameOrOptions: string | PluginDecoratorOptions) {
  // Plain JavaScript may pass anything: refuse it here, typed, rather than as a TypeError later.
  const options: unknown = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || typeof (options as { name?: unknown }).name !== 'string') {
    const got = typeof options === 'object' && options !== null && !Array.isArray(options) ? `an object whose 'name' is ${describeValue((options as { name?: unknown }).name)}` : describeValue(options);
    throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `@plugin() needs a plugin name or { name, … }, got ${got}`);
  }
  const { registry = defaultRegistry, ...meta } = options as PluginDecoratorOptions;
  if (registry !== false && typeof (registry as { register?: unknown } | null)?.register !== 'function') {
    throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `@plugin('${meta.name}'): 'registry' must be a PluginRegistry or false, got ${describeValue(registry)}`, { plugin: meta.name, option: 'registry' });
  }
  return <C extends PluginClass>(cls: C, context?: unknown): void => {
    if (typeof cls !== 'function') throw new PluginRegistrationError('MOP_INVALID_PLUGIN', `@plugin('${meta.name}') decorates classes; it was applied to ${describeValue(cls)}`, { plugin: meta.name });
    setPluginMeta(cls, meta);
    if (registry === false) return;
    // Standard mode: method metadata is attached to the class only after class decorators ran.
    if (isStandardContext(context)) (context as ClassDecoratorContext).addInitializer(() => registry.register(cls));
    else registry.register(cls);
  };
}
