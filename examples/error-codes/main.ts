import { defineEntity, MikroORM, p } from '@mikro-orm/sqlite';
import { errorCodes, PluginError, pluginSystem, usePlugins } from 'mikro-orm-plugins';
import './slug-plugin.js';

const Article = usePlugins(
  defineEntity({
    name: 'Article',
    properties: { id: p.integer().primary(), title: p.string(), slug: p.string().nullable() },
  }),
  ['articleSlug'],
);

const orm = await MikroORM.init({ dbName: ':memory:', entities: [Article], extensions: [pluginSystem()] });
await orm.schema.create();
const em = orm.em.fork();
const article = em.create(Article, { title: 'Hello, World' });
await em.flush();
console.log('slug:', article.slug);

try {
  em.create(Article, { title: '!!!' });
  await em.flush();
  throw new Error('expected SLUG_EMPTY');
} catch (error) {
  // A PluginError thrown in a hook reaches the caller as it is, tagged with the hook.
  if (!(error instanceof PluginError) || error.code !== 'SLUG_EMPTY') throw error;
  console.log(`rejected: ${error.code} (plugin ${error.plugin}, hook ${error.hook}, entity ${error.entity})`);
}

for (const { code, owner, description } of errorCodes().filter(c => c.owner === 'articleSlug')) console.log(`${code} (${owner}): ${description}`);
await orm.close();
