import { EntitySchema, type EntityManager, type EntityMetadata, type EntityName, type MetadataStorage, type MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginConfigError } from '../errors.js';
import { didYouMean } from '../registry/did-you-mean.js';
import { describeValue } from '../registry/plugin-meta.js';
import type { HookEventName } from '../events.js';
import type { EntityTraitName, EntityTraits, PluginName, PluginOptionsMap } from '../plugin-api.js';
import { checkOrmOrEm, findRuntime, runtimeOf } from './runtimes.js';
import type { HookSummary } from './plugin-runtime.js';

/** Events with a chain of their own (`beforeSave` hooks sit in the create and update chains). */
export type ChainEventName = Exclude<HookEventName, 'beforeSave' | 'afterSave'>;

/** The ordered hooks that run for an entity on an event, as they would on the next operation. */
export function describeChain(ormOrEm: MikroORM | EntityManager, entity: EntityName<any>, event: ChainEventName): HookSummary[] {
  checkOrmOrEm(ormOrEm);
  if (typeof event !== 'string') throw invalidArgument('describeChain', 'event', 'an event name', event);
  const em = 'em' in ormOrEm ? ormOrEm.em : ormOrEm;
  return runtimeOf(ormOrEm).describe(metadataOf(em, entity), event);
}

/** A plugin's validated options for an entity (class, name or instance), or undefined when not attached. */
export function pluginOptions<N extends PluginName>(em: EntityManager, entity: EntityName<any> | string | object, plugin: N): PluginOptionsMap[N] | undefined {
  return runtimeOf(em).optionsFor(metadataOf(em, entity).className, plugin) as PluginOptionsMap[N] | undefined;
}

/** Metadata of an entity given as a class, a name, a schema or an instance. */
export function metadataOf(em: EntityManager, entity: EntityName<any> | string | object): EntityMetadata {
  if (typeof (em as { getMetadata?: unknown } | null | undefined)?.getMetadata !== 'function') throw invalidArgument('mikro-orm-plugins', 'em', 'an EntityManager', em);
  const ref = entityRefOf(entity);
  const storage = em.getMetadata();
  // A class name (`meta.className`) finds the entity too where it differs from the entity's name (`setClass`).
  const meta = ref && (storage.find(ref.name) ?? (typeof ref.name === 'string' ? byClassName(storage, ref.name) : undefined));
  // MikroORM looks names up in a plain object: 'constructor' or 'toString' find Object's members, not an entity.
  if (meta && typeof meta.className === 'string') return meta;
  const known = [...storage.getAll().values()].map(m => m.className);
  throw new PluginConfigError(
    'MOP_UNKNOWN_ENTITY',
    ref?.given ? `'${ref.given}' is not a discovered entity${didYouMean(ref.given, known)}` : `expected an entity class, name or instance, got ${describeValue(entity)}`,
    { entity: ref?.given || undefined },
  );
}

function byClassName(storage: MetadataStorage, name: string): EntityMetadata | undefined {
  for (const meta of storage.getAll().values()) if (meta.className === name) return meta;
  return undefined;
}

/** What MikroORM looks an entity up by, and the name to show for it; undefined for a value that names no entity. */
function entityRefOf(entity: unknown): { name: EntityName<any>; given: string } | undefined {
  if (typeof entity === 'string') return { name: entity as unknown as EntityName<any>, given: entity };
  if (entity instanceof EntitySchema) return { name: entity, given: entity.meta.className };
  if (typeof entity === 'function') return { name: entity as EntityName<any>, given: entity.name };
  const constructor: unknown = typeof entity === 'object' && entity !== null ? entity.constructor : undefined;
  return typeof constructor === 'function' ? { name: constructor as EntityName<any>, given: constructor.name } : undefined;
}

/**
 * Whether a plugin acts on an entity now: attached to it, enabled in the registry, active in the
 * stored state and not switched off by `withoutPlugins`. False where the plugin system is not installed.
 */
export function isPluginActive(em: EntityManager, plugin: string, entity: EntityName<any> | string | object): boolean {
  const runtime = findRuntime(em);
  if (runtime === undefined) return false;
  const className = metadataOf(em, entity).className;
  return runtime.optionsFor(className, plugin) !== undefined && runtime.isActive(plugin, className);
}

/** What a plugin stated about an entity (`SetupContext.provide`), or undefined: `entityTrait(em, Invoice, 'softDeletable')?.field`. */
export function entityTrait<K extends EntityTraitName>(em: EntityManager, entity: EntityName<any> | string | object, trait: K): EntityTraits[K] | undefined {
  const runtime = findRuntime(em);
  return runtime && (runtime.traitOf(metadataOf(em, entity).className, trait) as EntityTraits[K] | undefined);
}
