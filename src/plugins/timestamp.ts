import { p, Utils, type EntityManager, type EntityMetadata, type EntityProperty, type Opt, type Platform } from '@mikro-orm/core';
import { addPluginColumn, columnsIssues, hook, type BatchHookContext, inTablePerType, isPluginActive, markColumn, markedColumn, plugin, type HookContext, type OptionIssue, type Plugin, type ResolvedColumn, type SetupContext } from '../core.js';

export interface TimestampOptions {
  /** Property set on create, or `false` for none. Default `createdAt`. */
  createdAt: string | false;
  /** Property set on create and on every real update, or `false` for none. Default `updatedAt`. */
  updatedAt: string | false;
  /**
   * Column names of the properties the plugin adds, by property name: `{ createdAt: 'created_on' }`.
   * Default: the naming strategy's (`created_at`, `updated_at`).
   */
  columns?: Readonly<Record<string, string>> | undefined;
  /**
   * The clock the hooks read, instead of `new Date()`: a fake clock in tests (`fakeClock()` from
   * `mikro-orm-plugins/testing`), or an application's own time source. Column defaults (writes that
   * skip the hooks) still take the database's time.
   */
  now?: (() => Date) | undefined;
}

declare module '../plugin-api.js' {
  interface PluginOptionsMap {
    timestamp: Partial<TimestampOptions>;
  }
}

const propertyName = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z_$][\w$]*$/.test(value);

/** The properties an entity's timestamps live in, when they differ from the option names (an existing property took the column over). */
interface Names {
  readonly createdAt: string | false;
  readonly updatedAt: string | false;
  /** MikroORM sets `updatedAt` itself (`onUpdate`): table-per-type entities, whose update hooks cannot reach a parent table. */
  readonly updatedByOrm?: boolean;
}

// Keyed by the options object the plugin system resolved for one entity: hooks get the same object.
// Until some entity needs other names, hooks read the options as they are, without the lookup.
const namesByOptions = new WeakMap<object, Names>();
let renamed = false;
const namesOf = (options: TimestampOptions): Names => (renamed ? (namesByOptions.get(options) ?? options) : options);

function validateTimestampOptions(o: TimestampOptions) {
  const issues: OptionIssue[] = (['createdAt', 'updatedAt'] as const)
    .filter(k => o[k] !== false && !propertyName(o[k]))
    .map(k => ({ option: k, expected: 'a property name, or false' }));
  if (issues.length === 0 && o.createdAt !== false && o.createdAt === o.updatedAt) issues.push({ option: 'updatedAt', expected: 'another property than createdAt' });
  if (o.now !== undefined && typeof o.now !== 'function') issues.push({ option: 'now', expected: 'a function returning a Date' });
  if (issues.length > 0) return issues;
  return o.columns === undefined ? [] : columnsIssues(o.columns, [o.createdAt, o.updatedAt].filter(propertyName));
}

/**
 * Keeps `createdAt`/`updatedAt`. Adds the columns when the entity lacks them, with the database's
 * current time as default (nullable on SQLite), so writes that bypass hooks and rows already in the
 * table get a value too. MikroORM fires `beforeUpdate` only for entities with real changes, so a no-op
 * flush leaves `updatedAt` alone. `em.insert`/`insertMany` run `beforeCreate` on the data; upserts and
 * native updates have hooks of their own.
 */
@plugin({
  name: 'timestamp',
  package: 'mikro-orm-plugins',
  // Metadata only: the package's entry modules register the built-ins (src/index.ts, audit.ts, cache.ts).
  registry: false,
  version: '1.0.0',
  description: 'Sets createdAt on create and updatedAt on create and update.',
  options: {
    defaults: { createdAt: 'createdAt', updatedAt: 'updatedAt' },
    validate: validateTimestampOptions,
  },
})
export class TimestampPlugin implements Plugin<TimestampOptions> {
  setupEntity(meta: EntityMetadata, { options, platform, plugin: pluginName }: SetupContext<TimestampOptions>): void {
    const created = this.#column(meta, platform, pluginName, options, 'createdAt');
    const updated = this.#column(meta, platform, pluginName, options, 'updatedAt');
    const updatedByOrm = updated !== false && updated.added !== undefined && inTablePerType(meta);
    if (updatedByOrm) updated.added!.onUpdate = stampOnUpdate(pluginName, updated.name, options.now);
    const names: Names = { createdAt: created && created.name, updatedAt: updated && updated.name, updatedByOrm };
    if (names.createdAt !== options.createdAt || names.updatedAt !== options.updatedAt || updatedByOrm) {
      namesByOptions.set(options, names);
      renamed = true;
    }
  }

  #column(meta: EntityMetadata, platform: Platform, plugin: string, options: TimestampOptions, option: 'createdAt' | 'updatedAt'): ResolvedColumn | false {
    const name = options[option];
    if (name === false) return false;
    const spec = { plugin, option, name, column: options.columns?.[name], type: 'Date', defaultNow: true, existingColumn: 'reuse', optional: true } as const;
    return markedColumn(meta, platform, spec) ?? addPluginColumn(meta, platform, spec);
  }

  /** Batch hooks: one clock reading per flush (and per class); each entity gets its own `Date`. */
  @hook('beforeCreate', { priority: -100, batch: true })
  stampCreate(entities: readonly Record<string, unknown>[], ctx: BatchHookContext<TimestampOptions>): void {
    const { createdAt, updatedAt } = namesOf(ctx.options);
    const time = currentTime(ctx.options.now).getTime();
    // Indexed loops: a flush's one call runs them before the optimizer has compiled them, where `for…of` costs an iterator call per entity.
    for (let i = 0; i < entities.length; i++) {
      const entity = entities[i]!;
      const now = new Date(time);
      if (createdAt !== false && entity[createdAt] == null) ctx.set(entity, createdAt, now);
      if (updatedAt !== false && entity[updatedAt] == null) ctx.set(entity, updatedAt, now);
    }
  }

  @hook('beforeUpdate', { priority: -100, batch: true })
  stampUpdate(entities: readonly Record<string, unknown>[], ctx: BatchHookContext<TimestampOptions>): void {
    const { updatedAt, updatedByOrm } = namesOf(ctx.options);
    if (updatedAt === false || updatedByOrm) return;
    const time = currentTime(ctx.options.now).getTime();
    for (let i = 0; i < entities.length; i++) ctx.set(entities[i]!, updatedAt, new Date(time));
  }

  /**
   * `em.upsert`: both on insert; on a conflict the row keeps its createdAt and gets a new updatedAt.
   * Values you set are kept. With a raw `onConflictFields`, MikroORM reloads the row by every value
   * written, which the row must match: createdAt is then left to the column default, and with
   * `onConflictAction: 'ignore'` updatedAt too.
   */
  @hook('beforeUpsert', { priority: -100 })
  stampUpsert(entity: Record<string, unknown>, { options, upsert, em }: HookContext<TimestampOptions>): void {
    const { createdAt, updatedAt } = namesOf(options);
    const now = currentTime(options.now);
    const raw = upsert?.rawConflictTarget === true;
    const ignore = upsert?.onConflictAction === 'ignore';
    const platform = em.getPlatform();
    const reloadsByValues = raw && (ignore || !platform.usesReturningStatement());
    if (createdAt !== false && entity[createdAt] == null && !reloadsByValues) {
      entity[createdAt] = now;
      upsert?.insertOnly(createdAt);
    }
    if (updatedAt !== false && !(raw && ignore) && (entity[updatedAt] == null || unchangedSinceLoad(em, entity, updatedAt))) {
      entity[updatedAt] = reloadsByValues ? storedPrecision(now, platform) : now;
    }
  }

  /** `em.nativeUpdate` (and a soft delete made by `em.nativeDelete`): adds updatedAt unless the data sets it. */
  @hook('beforeBulkUpdate', { priority: -100 })
  stampBulkUpdate(_entityName: string, _where: unknown, data: Record<string, unknown>, { options }: HookContext<TimestampOptions>): void {
    const { updatedAt } = namesOf(options);
    if (updatedAt !== false) data[updatedAt] ??= currentTime(options.now);
  }
}

/**
 * A managed entity still holds the updatedAt it was loaded with: upserting it is a change, as a flush
 * would be. A value the caller set since (or on a plain data object) is kept.
 */
function unchangedSinceLoad(em: EntityManager, entity: Record<string, unknown>, property: string): boolean {
  if (!Utils.isEntity(entity)) return false;
  const loaded = em.getUnitOfWork().getOriginalEntityData(entity)?.[property as never] as unknown;
  return loaded != null && instant(loaded) === instant(entity[property]);
}

function instant(value: unknown): number {
  return value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
}

/**
 * `updatedAt` of a table-per-type entity, as MikroORM's `onUpdate`: MikroORM computes it with the
 * change set, before it splits the change set by table, so the column is updated in whichever table
 * holds it (an update hook of the leaf entity could only write the leaf's table). Follows the plugin
 * switches as hooks do: only while the plugin is active for the entity.
 */
function stampOnUpdate(pluginName: string, property: string, now: (() => Date) | undefined): EntityProperty['onUpdate'] {
  return (entity: object, em: EntityManager) => {
    return isPluginActive(em, pluginName, entity) ? currentTime(now) : (entity as Record<string, unknown>)[property];
  };
}

/**
 * The `now` option's time, or the system clock's. Checked, since a wrong value would reach the row:
 * in a hook the error becomes a `HookError` naming `timestamp` and the entity, and the flush rolls back.
 */
function currentTime(now: (() => Date) | undefined): Date {
  if (now === undefined) return new Date();
  const time: unknown = now();
  if (time instanceof Date && !Number.isNaN(time.getTime())) return time;
  throw new TypeError(`the timestamp plugin's 'now' option returned ${time instanceof Date ? 'an invalid Date' : String(time)}, not a Date`);
}

/** The time as a column of the platform's default precision stores it (whole seconds on MariaDB/MySQL), so reading the row back by it matches. */
function storedPrecision(time: Date, platform: Platform): Date {
  const digits = platform.getDefaultDateTimeLength();
  if (digits >= 3) return time;
  const step = 10 ** (3 - digits);
  return new Date(Math.floor(time.getTime() / step) * step);
}

/**
 * Typed columns for `defineEntity` entities, which cannot see properties a plugin adds:
 * `properties: { id: p.integer().primary(), ...timestampProperties() }`. Optional in `em.create`.
 * With the plugin attached they get the columns the plugin would add: NOT NULL with the current
 * time as default (nullable on SQLite).
 */
export function timestampProperties() {
  return {
    createdAt: markColumn(p.datetime().$type<Opt<Date>>()),
    updatedAt: markColumn(p.datetime().$type<Opt<Date>>()),
  };
}
