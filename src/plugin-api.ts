import type { EntityMetadata, EntitySchema, MikroORM, Platform } from '@mikro-orm/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { CustomEventDeclarations } from './events.js';

/**
 * Options type of each plugin, by name. Augment it for your own plugins so entity
 * configurations are type-checked:
 *
 *     declare module 'mikro-orm-plugins' {
 *       interface PluginOptionsMap { slug: { from: string } }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PluginOptionsMap {}

export type PluginName = keyof PluginOptionsMap & string;

/** `true` attaches with defaults, an object attaches with options, `false` opts out (of a global or inherited plugin). */
export type PluginSetting<N extends PluginName> = PluginOptionsMap[N] | boolean;

export type PluginSettings = { [N in PluginName]?: PluginSetting<N> };

/** How an entity names its plugins: `['timestamp', { softDelete: { field: 'removedAt' } }]`. */
export type PluginList = readonly (PluginName | PluginSettings)[] | PluginSettings;

export interface OptionIssue {
  /** Dotted path of the option at fault, `''` for the whole object. */
  option: string;
  /** What was expected, in words. */
  expected: string;
}

/** How a plugin declares its options: defaults, then a Standard Schema (zod, valibot…) or a validate function. */
export interface OptionsSpec<O = any> {
  defaults?: Partial<O>;
  schema?: StandardSchemaV1<unknown, O>;
  /**
   * Returns the issues found, or nothing when the options are valid. `target.meta` is given when an
   * operator edits live options on a running app (discovery done, the entity's metadata complete), so
   * a check against the entity's properties can run there too.
   */
  validate?: (options: O, target?: OptionsTarget) => readonly OptionIssue[] | undefined | void;
  /**
   * Top-level options an operator may change while the app runs (`setPluginOptions`, the console):
   * every instance applies an edit when it reads the stored state, by rebuilding the entity's chains
   * with the new options. List only options the hooks read from `ctx.options` (or `pluginOptions()`)
   * each time they run, never ones `setupEntity` used (columns, schema, namespaces). An edit of any
   * other option is refused (`MOP_OPTION_NOT_LIVE`). Default: none.
   */
  live?: readonly string[];
  /**
   * A descriptive schema of the top-level options: it validates them (after `schema`, before
   * `validate`), supplies defaults, marks secrets (masked in errors and CLI output, never written to
   * `plugin_state`) and exports as JSON Schema (`optionsJsonSchema()`).
   */
  fields?: Readonly<Record<string, OptionField>>;
}

/** What `OptionsSpec.validate` is checking options for. */
export interface OptionsTarget {
  readonly entity: string;
  /** The entity's complete metadata: given when checking a live edit, not at start-up. */
  readonly meta?: EntityMetadata;
}

/** One option in `OptionsSpec.fields`. */
export interface OptionField {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  default?: unknown;
  required?: boolean;
  description?: string;
  /** Free-form group name, for a form to render fields in sections. */
  group?: string;
  /** Position within its group (lower first). */
  order?: number;
  /** Never printed (shown as `***`), never stored in `plugin_state`. */
  secret?: boolean;
  /** number/integer: bounds, inclusive. string: length bounds. array: item-count bounds. */
  min?: number;
  max?: number;
  /** string: a regular expression the whole value must match. */
  pattern?: string;
  /** The allowed values. */
  enum?: readonly unknown[];
}

/** What `@plugin({...})` takes. */
export interface PluginMeta {
  name: string;
  /** A semver version, checked against other plugins' `requires` and `conflicts` ranges. Default `0.0.0`. */
  version?: string;
  description?: string;
  /** Plugins that must be registered too: names, or names with a semver range (`{ audit: '^1.2' }`). Checked at start-up. */
  requires?: PluginDependencies;
  /** Plugins this one cannot run with in one ORM: names, or names with the versions that conflict (`{ cache: '<2' }`). Checked at start-up. */
  conflicts?: PluginDependencies;
  /** This plugin's hooks run before these plugins' hooks. */
  before?: readonly string[];
  /** This plugin's hooks run after these plugins' hooks. */
  after?: readonly string[];
  /**
   * The custom events this plugin fires with `emit()`; only declared events may be hooked or emitted.
   * A list declares sequential events; `{ approveRefund: 'veto', receiptLine: 'waterfall' }` gives each its kind.
   */
  events?: CustomEventDeclarations;
  options?: OptionsSpec;
  /** The npm package that provides the plugin (a library's plugins, not the application's own); shown by `listPlugins` and the CLI. */
  package?: string;
}

/**
 * What plugins state about the entities they are attached to, so other plugins can ask without
 * reading their options by name: the softDelete plugin states `softDeletable`, the audit plugin asks
 * `entityTrait(em, Entity, 'softDeletable')`. Augment it for your own:
 *
 *     declare module 'mikro-orm-plugins' {
 *       interface EntityTraits { tenantScoped: { readonly column: string } }
 *     }
 */
export interface EntityTraits {
  /** The entity's rows are soft-deleted: `field` holds the deletion time (null while live). */
  softDeletable: { readonly field: string };
}

export type EntityTraitName = keyof EntityTraits & string;

/** Plugin names (any version), or plugin names with a semver range. */
export type PluginDependencies = readonly string[] | Readonly<Record<string, string>>;

export interface SetupContext<O = any> {
  readonly plugin: string;
  readonly options: O;
  readonly platform: Platform;
  /** States a trait of this entity for other plugins (`entityTrait`). A trait has one provider per entity. */
  provide<K extends EntityTraitName>(trait: K, value: EntityTraits[K]): void;
}

/**
 * The whole plugin interface. Hooks are methods marked with `@hook` (or named after an event);
 * `setupEntity` runs once per entity at discovery, before MikroORM fills in defaults, so it may
 * add properties, indexes or filters to `meta`.
 */
export interface Plugin<O = any> {
  setupEntity?(meta: EntityMetadata, ctx: SetupContext<O>): void | Promise<void>;
  /** After discovery, before `MikroORM.init` resolves; in registration order. Run by `pluginOperations()`. */
  onLoad?(orm: MikroORM): void | Promise<void>;
  /** On `orm.close()`, in reverse registration order. Run by `pluginOperations()`. */
  onUnload?(orm: MikroORM): void | Promise<void>;
  /** Run by `doctor`: throw, return `false` or `{ ok: false, message }` to report a failure. */
  healthCheck?(): HealthCheckResult | Promise<HealthCheckResult>;
  /** Run by `doctor` once per distinct options an entity gives this plugin. */
  testConnection?(options: O): HealthCheckResult | Promise<HealthCheckResult>;
}

/** `true`/nothing is healthy; `false` or `{ ok: false }` is not. */
export type HealthCheckResult = void | boolean | { ok: boolean; message?: string };

/** Entities a plugin contributes, added to the ORM by `pluginOperations()`. */
export type PluginEntities = readonly (Function | EntitySchema<any, any>)[];

/** A `@plugin` class. Its constructor may take services: the ORM then needs an instance or a factory (`PluginProvider`). */
export type PluginClass<O = any> = (new (...args: any[]) => Plugin<O>) & { options?: OptionsSpec<O>; entities?: PluginEntities };

/** An instance of a `@plugin` class: any object but a function or a promise (a factory must return the instance itself). */
export type PluginInstance = object & { readonly call?: never; readonly bind?: never; readonly then?: never };

/** Builds a plugin instance; called once per ORM at start-up. */
export type PluginFactory = () => PluginInstance;

/**
 * What `pluginSystem({ plugins })` takes: a `@plugin` class whose constructor takes no argument, an
 * instance of a `@plugin` class, or a factory returning one.
 */
export type PluginProvider = (new () => object) | PluginInstance | PluginFactory;

/**
 * Which entities a hook runs for. By default those its plugin is attached to. A read hook may
 * widen that, since a read of one entity reaches others (relations, single-table inheritance):
 * `'all'`, or a predicate given each entity's metadata and the plugin's options for any entity
 * (undefined where it is not attached). Decided once per entity when the chains are built.
 */
export type AppliesTo = 'attached' | 'all' | ((meta: EntityMetadata, optionsOf: (meta: EntityMetadata) => unknown) => boolean);

export interface HookOptions {
  /** Lower runs first. Default 0. */
  priority?: number;
  /** Read events only (`readOptions`, `interceptFindOne`, `afterJoinsPlanned`, `joinedFilters`): see `AppliesTo`. */
  appliesTo?: AppliesTo;
  /** Run before these plugins' hooks on the same event. */
  before?: readonly string[];
  /** Run after these plugins' hooks on the same event. */
  after?: readonly string[];
  /** `true` (with `BatchHookOptions`) marks a batch hook. */
  batch?: false;
}

/** `@hook(event, { batch: true })`: a batch hook. */
export interface BatchHookOptions extends Omit<HookOptions, 'batch'> {
  /**
   * `beforeCreate`, `beforeUpdate`, `beforeSave`: the method takes the batch form,
   * `(entities, ctx)` (`BatchHookFunction`), and sets values with `ctx.set`. When every hook of an
   * entity's create (or update) chain is a batch hook, and neither the entity's own lifecycle hooks nor
   * a subscriber registered before the plugin system listen to that event, a flush runs the chain once
   * for all entities of the class, in `onFlush`, without MikroORM's per-entity event machinery.
   * Otherwise it gets one entity per call. Unlike a per-entity `beforeCreate`, a batch runs before
   * any INSERT of the flush: ids the database generates for other entities are not known yet.
   *
   * `afterCreate`, `afterUpdate`, `afterDelete`, `afterSave`: `(entities, ctx)`
   * (`BatchAfterHookFunction`); `afterChange`: `(entities, changes, ctx)` (`BatchChangeHookFunction`).
   * When every after-hook of an entity's event (and its `afterChange` hooks) is a batch hook, a flush
   * runs them once per class after MikroORM wrote the class, inside the flush's transaction, and
   * MikroORM dispatches that after-event per entity to nobody in the package. See docs/hooks.md.
   */
  batch: true;
}

export interface HookDefinition {
  readonly event: string;
  readonly method: string | symbol;
  readonly priority: number;
  readonly appliesTo: AppliesTo;
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** The method takes the batch form (`BatchHookOptions.batch`). */
  readonly batch: boolean;
}
