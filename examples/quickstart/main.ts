import { mkdirSync, rmSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/sqlite';
import { describeChain, onlyDeleted, pluginSystem, restore, ValidationError } from 'mikro-orm-plugins';
import { Article, Author } from './entities.js';
import './plugins.js';

const file = '.tmp/quickstart.sqlite';
mkdirSync('.tmp', { recursive: true });
rmSync(file, { force: true });

// 1. One extension entry installs the plugin system.
const orm = await MikroORM.init({
  dbName: file,
  entities: [Author, Article],
  extensions: [pluginSystem()],
});
await orm.schema.create();
console.log('1. schema created; article columns:', Object.keys(orm.getMetadata().get(Article).properties).join(', '));

// 2. The chain for Article's create, as it will run.
console.log('2. Article beforeCreate chain:', describeChain(orm, Article, 'beforeCreate').map(h => `${h.plugin}.${h.method}(${h.priority})`).join(' -> '));

// 3. Create: timestamps and the slug are filled in by hooks, in the same INSERT.
const em = orm.em.fork();
const ada = em.create(Author, { name: 'Ada' });
const post = em.create(Article, { title: 'Hello Plugins', body: 'A first article body.', author: ada });
await em.flush();
console.log(`3. created article #${post.id} slug=${post.slug} createdAt set=${post.createdAt instanceof Date}`);

// 4. Validation lists every failing field and writes nothing.
em.create(Article, { title: 'no', body: 'short' });
try {
  await em.flush();
  throw new Error('expected a ValidationError');
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  console.log('4. rejected:', error.issues.map(i => `${i.field} (${i.message})`).join('; '));
}
em.clear();

// 5. Soft delete: the row stays, reads hide it, the article keeps its author.
const em2 = orm.em.fork();
const author = await em2.findOneOrFail(Author, { name: 'Ada' });
em2.remove(author);
await em2.flush();
const visible = await orm.em.fork().count(Author);
const deleted = await orm.em.fork().count(Author, {}, onlyDeleted());
const [row] = await orm.em.getConnection().execute<{ author_id: number }[]>('select author_id from article');
console.log(`5. soft-deleted Ada: visible=${visible} deleted=${deleted} article.author_id=${row!.author_id}`);

// 6. Restore brings her back.
await restore(em2, author);
await em2.flush();
console.log(`6. restored: visible=${await orm.em.fork().count(Author)}`);

await orm.close();
console.log('done');
