import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import {
  hook,
  onlyDeleted,
  plugin,
  pluginSystem,
  restore,
  softDeleteProperties,
  timestampProperties,
  usePlugins,
  ValidationError,
  type HookContext,
} from 'mikro-orm-plugins';

// Your own plugin: a class with @plugin and @hook. Declaring its options makes entity lists type-checked.
declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    urlSlug: { from: string };
  }
}

@plugin({ name: 'urlSlug', options: { defaults: { from: 'title' } } })
export class SlugPlugin {
  @hook('beforeSave')
  fill(entity: Record<string, unknown>, ctx: HookContext<{ from: string }>): void {
    entity.slug = String(entity[ctx.options.from]).toLowerCase().replace(/[^a-z0-9]+/g, '-');
  }
}

// Entities name their plugins; the helpers declare the columns the plugins add, for TypeScript.
const Article = usePlugins(
  defineEntity({
    name: 'Article',
    properties: {
      id: p.integer().primary(),
      title: p.string(),
      slug: p.string().nullable(),
      ...timestampProperties(),
      ...softDeleteProperties(),
    },
  }),
  [
    'timestamp',
    'softDelete',
    'urlSlug',
    { validation: { validate: (a: { title: string }) => (a.title.length >= 3 ? [] : [{ field: 'title', message: 'at least 3 characters' }]) } },
  ],
);

const orm = await MikroORM.init({
  dbName: ':memory:',
  entities: [Article],
  extensions: [pluginSystem()],
});
await orm.schema.create();

const em = orm.em.fork();
const article = em.create(Article, { title: 'Hello Plugins' });
await em.flush();
console.log(`created #${article.id}: slug=${article.slug}, createdAt set: ${article.createdAt instanceof Date}`);

try {
  em.create(Article, { title: 'Hi' });
  await em.flush();
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.log(`rejected: ${error.issues.map(i => `${i.field} (${i.message})`).join(', ')}`);
  em.clear();
}

const reader = orm.em.fork();
reader.remove(await reader.findOneOrFail(Article, { title: 'Hello Plugins' }));
await reader.flush();
const visible = await orm.em.fork().count(Article);
const deleted = await orm.em.fork().count(Article, {}, onlyDeleted());
console.log(`soft-deleted: visible=${visible}, deleted=${deleted}`);

const restorer = orm.em.fork();
await restore(restorer, Article, { title: 'Hello Plugins' });
await restorer.flush();
console.log(`restored: visible=${await orm.em.fork().count(Article)}`);
await orm.close();
