// A CommonJS application: plain require() of the packed package, run by Node 22 (require(esm)).
'use strict';
const { MikroORM, defineEntity, p } = require('@mikro-orm/sqlite');
const { describeChain, pluginSystem, timestampProperties, usePlugins } = require('mikro-orm-plugins');

const Note = usePlugins(
  defineEntity({ name: 'Note', properties: { id: p.integer().primary(), text: p.string(), ...timestampProperties() } }),
  ['timestamp'],
);

async function main() {
  const orm = await MikroORM.init({ dbName: ':memory:', entities: [Note], extensions: [pluginSystem()] });
  try {
    await orm.schema.create();
    const em = orm.em.fork();
    em.create(Note, { text: 'written by require' });
    await em.flush();
    const row = await orm.em.fork().findOneOrFail(Note, { text: 'written by require' });
    console.log(JSON.stringify({
      app: 'cjs',
      id: row.id,
      text: row.text,
      createdAtIsDate: row.createdAt instanceof Date,
      createdAt: row.createdAt,
      chain: describeChain(orm, Note, 'beforeCreate').map(h => h.plugin),
    }));
  } finally {
    await orm.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
