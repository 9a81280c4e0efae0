// An ES module application: import of the packed package.
import { MikroORM, defineEntity, p } from '@mikro-orm/sqlite';
import { describeChain, pluginSystem, timestampProperties, usePlugins } from 'mikro-orm-plugins';

const Note = usePlugins(
  defineEntity({ name: 'Note', properties: { id: p.integer().primary(), text: p.string(), ...timestampProperties() } }),
  ['timestamp'],
);

const orm = await MikroORM.init({ dbName: ':memory:', entities: [Note], extensions: [pluginSystem()] });
try {
  await orm.schema.create();
  const em = orm.em.fork();
  em.create(Note, { text: 'written by import' });
  await em.flush();
  const row = await orm.em.fork().findOneOrFail(Note, { text: 'written by import' });
  console.log(JSON.stringify({
    app: 'esm',
    id: row.id,
    text: row.text,
    createdAtIsDate: row.createdAt instanceof Date,
    createdAt: row.createdAt,
    chain: describeChain(orm, Note, 'beforeCreate').map(h => h.plugin),
  }));
} finally {
  await orm.close();
}
