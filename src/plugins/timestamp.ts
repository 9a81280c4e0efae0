import { p, type EntityMetadata, type Opt } from '@mikro-orm/core';
import type { HookContext } from '../events.js';
import type { Plugin, SetupContext } from '../plugin-api.js';
import { hook } from '../registry/hook-decorator.js';
import { plugin } from '../registry/plugin-decorator.js';
import { addScalarProperty } from './add-property.js';

export interface TimestampOptions {
  /** Property set on create. Default `createdAt`. */
  createdAt: string;
  /** Property set on create and on every real update. Default `updatedAt`. */
  updatedAt: string;
}

declare module '../plugin-api.js' {
  interface PluginOptionsMap {
    timestamp: Partial<TimestampOptions>;
  }
}

const propertyName = (value: unknown) => typeof value === 'string' && /^[A-Za-z_$][\w$]*$/.test(value);

/**
 * Keeps `createdAt`/`updatedAt`. Adds the columns when the entity lacks them. MikroORM fires
 * `beforeUpdate` only for entities with real changes, so a no-op flush leaves `updatedAt` alone.
 * `em.insert`/`insertMany` run `beforeCreate` on the data; upserts and native updates have hooks of their own.
 */
@plugin({
  name: 'timestamp',
  version: '1.0.0',
  description: 'Sets createdAt on create and updatedAt on create and update.',
  options: {
    defaults: { createdAt: 'createdAt', updatedAt: 'updatedAt' },
    validate: (o: TimestampOptions) =>
      (['createdAt', 'updatedAt'] as const).filter(k => !propertyName(o[k])).map(k => ({ option: k, expected: 'a property name' })),
  },
})
export class TimestampPlugin implements Plugin<TimestampOptions> {
  setupEntity(meta: EntityMetadata, { options }: SetupContext<TimestampOptions>): void {
    addScalarProperty(meta, options.createdAt, { type: 'Date' });
    addScalarProperty(meta, options.updatedAt, { type: 'Date' });
  }

  @hook('beforeCreate', { priority: -100 })
  stampCreate(entity: Record<string, unknown>, { options }: HookContext<TimestampOptions>): void {
    const now = new Date();
    entity[options.createdAt] ??= now;
    entity[options.updatedAt] ??= now;
  }

  @hook('beforeUpdate', { priority: -100 })
  stampUpdate(entity: Record<string, unknown>, { options }: HookContext<TimestampOptions>): void {
    entity[options.updatedAt] = new Date();
  }

  /** `em.upsert`: both on insert; on a conflict the row keeps its createdAt and gets a new updatedAt. Values you set are kept. */
  @hook('beforeUpsert', { priority: -100 })
  stampUpsert(entity: Record<string, unknown>, { options, upsert }: HookContext<TimestampOptions>): void {
    const now = new Date();
    if (entity[options.createdAt] == null) {
      entity[options.createdAt] = now;
      upsert?.insertOnly(options.createdAt);
    }
    entity[options.updatedAt] ??= now;
  }

  /** `em.nativeUpdate` (and a soft delete made by `em.nativeDelete`): adds updatedAt unless the data sets it. */
  @hook('beforeBulkUpdate', { priority: -100 })
  stampBulkUpdate(_entityName: string, _where: unknown, data: Record<string, unknown>, { options }: HookContext<TimestampOptions>): void {
    data[options.updatedAt] ??= new Date();
  }
}

/**
 * Typed columns for `defineEntity` entities, which cannot see properties a plugin adds:
 * `properties: { id: p.integer().primary(), ...timestampProperties() }`. Optional in `em.create`.
 */
export function timestampProperties() {
  return {
    createdAt: p.datetime().$type<Opt<Date>>(),
    updatedAt: p.datetime().$type<Opt<Date>>(),
  };
}
