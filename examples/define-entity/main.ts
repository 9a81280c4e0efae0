import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import {
  describeChain,
  emit,
  hook,
  plugin,
  pluginSystem,
  softDeleteProperties,
  timestampProperties,
  usePlugins,
  withoutPlugins,
  type HookContext,
} from 'mikro-orm-plugins';

// A custom event: its payload type for TypeScript, and `events` in @plugin for the registry.
declare module 'mikro-orm-plugins' {
  interface CustomHookEvents {
    afterAccess: { by: string };
  }
  interface PluginOptionsMap {
    accessLog: true;
  }
}

@plugin({ name: 'accessLog', events: ['afterAccess'] })
export class AccessLogPlugin {
  @hook('afterAccess')
  record(entity: { name: string }, payload: { by: string }, ctx: HookContext): void {
    console.log(`  [accessLog] ${payload.by} read ${ctx.meta.className} ${entity.name}`);
  }
}

// defineEntity entities have no class to decorate: usePlugins() names their plugins.
const Customer = usePlugins(
  defineEntity({
    name: 'Customer',
    // The plugins add these columns anyway; spreading the helpers lets TypeScript see them.
    properties: { id: p.integer().primary(), name: p.string(), ...timestampProperties(), ...softDeleteProperties() },
  }),
  ['softDelete', 'accessLog'],
);

const Invoice = defineEntity({
  name: 'Invoice',
  properties: { id: p.integer().primary(), total: p.integer() },
});

const orm = await MikroORM.init({
  dbName: ':memory:',
  entities: [Customer, Invoice],
  extensions: [
    pluginSystem({
      // Every entity gets timestamps; Invoice opts out and gets validation instead, by entity name.
      global: ['timestamp'],
      entities: {
        Invoice: [{ timestamp: false }, { validation: { validate: (i: { total: number }) => (i.total >= 0 ? [] : [{ field: 'total', message: 'must not be negative' }]) } }],
      },
    }),
  ],
});
await orm.schema.create();
console.log('Customer columns:', Object.keys(orm.getMetadata().get(Customer).properties).join(', '));
console.log('Invoice columns:', Object.keys(orm.getMetadata().get(Invoice).properties).join(', '));
console.log('Customer afterAccess chain:', describeChain(orm, Customer, 'afterAccess').map(h => `${h.plugin}.${h.method}`).join(', '));

const em = orm.em.fork();
const acme = em.create(Customer, { name: 'Acme' });
await em.flush();
await emit(em, 'afterAccess', acme, { by: 'alice' });

// Switch a plugin off for one scope: without softDelete, remove() really deletes the row.
em.create(Customer, { name: 'Spam Ltd' });
await em.flush();
await withoutPlugins(['softDelete'], async () => {
  const fork = orm.em.fork();
  fork.remove(await fork.findOneOrFail(Customer, { name: 'Spam Ltd' }));
  await fork.flush();
});
const rows = await orm.em.fork().count(Customer, {}, { filters: false });
console.log('rows left after a hard delete, deleted ones included:', rows);

try {
  em.create(Invoice, { total: -5 });
  await em.flush();
  throw new Error('expected a ValidationError');
} catch (error) {
  console.log('invoice rejected:', (error as Error).message);
}
await orm.close();
