import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import { PluginConfigError } from '../errors.js';

interface Stated {
  readonly plugin: string;
  readonly value: unknown;
}

/**
 * The traits plugins state about entities (`SetupContext.provide`): by metadata during discovery,
 * since an entity's name may still change, then by final name.
 */
export class EntityTraitTable {
  readonly #discovered = new Map<EntityMetadata, Map<string, Stated>>();
  readonly #byEntity = new Map<string, Map<string, Stated>>();

  provide(meta: EntityMetadata, plugin: string, trait: string, value: unknown): void {
    if (typeof trait !== 'string' || trait === '') {
      throw new PluginConfigError('MOP_INVALID_TRAIT', `Plugin '${plugin}' stated a trait of ${meta.className} without a name`, { entity: meta.className, plugin });
    }
    let traits = this.#discovered.get(meta);
    if (!traits) this.#discovered.set(meta, (traits = new Map()));
    const earlier = traits.get(trait);
    if (earlier && earlier.plugin !== plugin) {
      throw new PluginConfigError('MOP_INVALID_TRAIT', `${meta.className}: trait '${trait}' is stated by plugin '${earlier.plugin}' and by '${plugin}'`, {
        entity: meta.className,
        plugin,
      });
    }
    traits.set(trait, Object.freeze({ plugin, value }));
  }

  afterDiscovered(storage: MetadataStorage): void {
    this.#byEntity.clear();
    const byClass = new Map([...this.#discovered].map(([meta, traits]) => [meta.class, traits]));
    for (const meta of storage.getAll().values()) {
      const traits = this.#discovered.get(meta) ?? byClass.get(meta.class);
      if (traits) this.#byEntity.set(meta.className, traits);
    }
    this.#discovered.clear();
  }

  get(entity: string, trait: string): unknown {
    return this.#byEntity.get(entity)?.get(trait)?.value;
  }
}
