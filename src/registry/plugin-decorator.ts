import type { PluginClass, PluginMeta } from '../plugin-api.js';
import { isStandardContext } from './decorator-mode.js';
import { setPluginMeta } from './plugin-meta.js';
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
  const { registry = defaultRegistry, ...meta } = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  return <C extends PluginClass>(cls: C, context?: unknown): void => {
    setPluginMeta(cls, meta);
    if (registry === false) return;
    // Standard mode: method metadata is attached to the class only after class decorators ran.
    if (isStandardContext(context)) (context as ClassDecoratorContext).addInitializer(() => registry.register(cls));
    else registry.register(cls);
  };
}
