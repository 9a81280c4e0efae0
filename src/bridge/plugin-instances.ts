import { PluginConfigError } from '../errors.js';
import type { Plugin } from '../plugin-api.js';
import type { PluginDefinition } from '../registry/plugin-definition.js';
import type { PluginRegistry } from '../registry/plugin-registry.js';

/**
 * One instance per plugin for an ORM: the one given in `pluginSystem({ plugins })`, else the one
 * registered with `registry.register(instance)`, else built here on first use.
 */
export class PluginInstances {
  readonly #registry: PluginRegistry;
  readonly #provided: ReadonlyMap<string, object>;
  readonly #built = new Map<PluginDefinition, Plugin>();

  constructor(registry: PluginRegistry, provided: ReadonlyMap<string, object>) {
    this.#registry = registry;
    this.#provided = provided;
  }

  of(definition: PluginDefinition): Plugin {
    let instance = this.#built.get(definition);
    if (!instance) {
      instance = (this.#provided.get(definition.name) ?? this.#registry.instance(definition.name) ?? construct(definition)) as Plugin;
      this.#built.set(definition, instance);
    }
    return instance;
  }
}

/** A plugin nobody gave an instance of: built here, unless its constructor wants services. */
function construct(definition: PluginDefinition): Plugin {
  if (definition.pluginClass.length > 0) {
    throw new PluginConfigError(
      'MOP_INSTANCE_REQUIRED',
      `Plugin '${definition.name}': the constructor of ${definition.pluginClass.name} takes arguments; give an instance or a factory in pluginSystem({ plugins })`,
      { plugin: definition.name },
    );
  }
  return new definition.pluginClass();
}
