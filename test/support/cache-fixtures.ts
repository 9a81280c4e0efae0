// Entities and a recording plugin shared by the cache suites.
import { defineEntity, p, type Opt } from '@mikro-orm/core';
import { Entity, Filter, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { CachePlugin, type CacheStore } from '../../src/cache.js';
import { PluginRegistry, SoftDeletePlugin, TimestampPlugin, hook, plugin, softDeleteProperties, timestampProperties, usePlugins, type HookContext } from '../../src/index.js';

declare module '../../src/plugin-api.js' {
  interface PluginOptionsMap {
    loadSpy: true;
  }
}

/** Records afterLoad hooks; `hold` makes the next load of a matching name wait (to interleave a write with a fill). */
@plugin({ name: 'loadSpy', registry: false })
export class LoadSpyPlugin {
  static loaded: string[] = [];
  static hold: { name: string; reached: () => void; release: Promise<void> } | undefined;

  @hook('afterLoad')
  async seen(entity: { name?: string; title?: string }, ctx: HookContext): Promise<void> {
    const label = `${ctx.meta.className}:${entity.name ?? entity.title}`;
    LoadSpyPlugin.loaded.push(label);
    const hold = LoadSpyPlugin.hold;
    if (hold && hold.name === (entity.name ?? entity.title)) {
      LoadSpyPlugin.hold = undefined;
      hold.reached();
      await hold.release;
    }
  }
}

export function cacheRegistry(): PluginRegistry {
  return new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, cache: CachePlugin, loadSpy: LoadSpyPlugin });
}

/** Which store the entities use: set before `MikroORM.init` (options are read at discovery). */
export const storeSetting: { store: CacheStore | 'memory' } = { store: 'memory' };

@Entity()
export class Member {
  static get plugins() {
    return ['timestamp', 'softDelete', 'loadSpy', { cache: { ttl: 1800, prefix: 'member', store: storeSetting.store } }];
  }
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'integer' }) score: Opt<number> = 0;
  @Property({ type: 'datetime' }) joinedAt: Opt<Date> = new Date('2024-05-06T07:08:09.000Z');
  declare deletedAt?: Date | null;
}

@Filter({ name: 'tenant', cond: (args: Record<string, any>) => ({ tenant: args.id }), default: true })
@Entity()
export class Note {
  static get plugins() {
    return ['loadSpy', { cache: { prefix: 'note', store: storeSetting.store } }];
  }
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) tenant!: number;
}

/** A to-one relation to a soft-deletable entity: whether a Task is visible depends on its Member row. */
@Entity()
export class Task {
  static get plugins() {
    return [{ cache: { prefix: 'task', store: storeSetting.store } }];
  }
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => Member }) owner!: Member;
}

export const cacheEntities = [Member, Note, Task];

/** SELECTs against one table in a query log. */
export function selects(queries: readonly string[], table: string): string[] {
  const pattern = new RegExp(`\\bselect\\b.*\\bfrom [\`"]?${table}[\`"]?`, 'i');
  return queries.filter(q => pattern.test(q));
}

/**
 * A `Member` of its own (a new generated class per call), for a second ORM in the same process:
 * MikroORM keeps an entity's metadata on its class, so two live ORMs cannot share one class.
 */
export function memberSchema(store: CacheStore | 'memory') {
  return usePlugins(
    defineEntity({
      name: 'Member',
      properties: {
        id: p.integer().primary(),
        name: p.string(),
        score: p.integer().default(0),
        joinedAt: p.datetime().onCreate(() => new Date('2024-05-06T07:08:09.000Z')),
        ...timestampProperties(),
        ...softDeleteProperties(),
      },
    }),
    ['timestamp', 'softDelete', { cache: { ttl: 1800, prefix: 'member', store } }],
  );
}
