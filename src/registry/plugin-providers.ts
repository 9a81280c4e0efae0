import { PluginRegistrationError } from '../errors.js';
import type { PluginClass, PluginProvider } from '../plugin-api.js';
import { describeValue, pluginMetaOf, pluginNameOfInstance } from './plugin-meta.js';
import type { PluginRegistry } from './plugin-registry.js';

/**
 * Reads `pluginSystem({ plugins })` for one ORM: registers each plugin's class in the registry (when
 * it is not yet), calls each factory once, and returns the instances given, by plugin name. Classes
 * given without an instance are built by the ORM when first used, as registered ones are.
 */
export function providedPlugins(providers: readonly PluginProvider[] | undefined, registry: PluginRegistry): { names: string[]; instances: Map<string, object> } {
  const names: string[] = [];
  const instances = new Map<string, object>();
  if (providers === undefined) return { names, instances };
  if (!Array.isArray(providers)) throw invalid(`pluginSystem({ plugins }) must be an array, got ${describeValue(providers)}`);
  providers.forEach((provider: unknown, index) => {
    const where = `pluginSystem({ plugins })[${index}]`;
    let name: string;
    let instance: object | undefined;
    if (typeof provider === 'function' && pluginMetaOf(provider)) {
      name = pluginMetaOf(provider)!.name;
      registry.register(provider as PluginClass);
    } else if (typeof provider === 'function') {
      if (Function.prototype.toString.call(provider).startsWith('class')) {
        throw invalid(`${where} is class ${provider.name || '(anonymous)'}, which has no @plugin`);
      }
      const built: unknown = (provider as () => unknown)();
      name = pluginNameOfInstance(built, `${where} (factory ${provider.name || '(anonymous)'})`);
      instance = built as object;
    } else {
      name = pluginNameOfInstance(provider, where);
      instance = provider as object;
    }
    if (names.includes(name)) {
      throw new PluginRegistrationError('MOP_DUPLICATE_PLUGIN', `Plugin '${name}' is given twice in pluginSystem({ plugins }) (again at index ${index}); give one class, instance or factory per plugin`, { plugin: name });
    }
    names.push(name);
    if (instance !== undefined) {
      registry.register(instance.constructor as PluginClass);
      instances.set(name, instance);
    }
  });
  return { names, instances };
}

function invalid(message: string): PluginRegistrationError {
  return new PluginRegistrationError('MOP_INVALID_PLUGIN', message);
}
