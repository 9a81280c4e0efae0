import { rmSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/core';
import { describeChain } from 'mikro-orm-plugins';
import { disablePlugin, enablePlugin, explainChains, formatExplainText, getImplementation, listPlugins, optionsJsonSchema, setPluginPriority, setPluginStatus, syncPluginState } from 'mikro-orm-plugins/operations';
import config from './mikro-orm.config.js';
import { Article } from './entities.js';
import { outbox } from './audit-sinks.js';
import { OtpSenders } from './otp.js';

// Run from the repository: a fresh SQLite file unless OPS_APP_DRIVER says otherwise.
if (!process.env.OPS_APP_DRIVER) rmSync(String(config.dbName), { force: true });

// 1. Start: the config file's plugins load first, then the ./plugins folder; onLoad runs before init resolves.
const orm = await MikroORM.init(config);
await orm.schema.drop();
await orm.schema.create();
console.log('1. tables:', [...orm.getMetadata().getAll().values()].map(m => m.tableName).sort().join(', '));

// 2. Mirror the registry into plugin_state: missing rows are inserted, operators' changes are kept.
const report = await syncPluginState(orm, { mode: 'create' });
console.log(`2. sync inserted ${report.inserted.length} rows; again: ${(await syncPluginState(orm)).inserted.length}`);

// 3. The chain, and why each hook sits where it does.
console.log('3. explain:');
console.log(formatExplainText(explainChains(orm, { entity: 'Article', event: 'beforeCreate' })).replace(/^/gm, '   '));

// 4. Operators switch plugins off and re-prioritise them without a deploy; this instance sees it on its next operation.
await disablePlugin(orm, 'permalink', { entity: 'Article' });
await setPluginPriority(orm, 'wordCount', -200, { entity: 'Article' });
const em = orm.em.fork();
const draft = em.create(Article, { title: 'Operating Plugins', body: 'three words here' });
await em.flush();
const chain = describeChain(orm, Article, 'beforeCreate').map(h => `${h.plugin}(${h.priority})`).join(' -> ');
console.log(`4. permalink=${draft.permalink ?? null} words=${draft.words}; chain: ${chain}`);
await enablePlugin(orm, 'permalink', { entity: 'Article' });
await setPluginPriority(orm, 'wordCount', null, { entity: 'Article' });

// 5. A plugin type: the lowest-priority active implementation, else the lowest-priority reserve one.
const before = getImplementation(OtpSenders, orm).send('ada', '123456');
await setPluginStatus(orm, 'OtpSender:sms', 'disabled');
const after = getImplementation(OtpSenders, orm).send('ada', '123456');
console.log(`5. ${before} | after disabling sms: ${after}`);

// 6. The audit sink is a plugin type too: records go to the chosen implementation; disabling it hands over to the reserve one.
const audited = orm.em.fork();
audited.create(Article, { title: 'Audited', body: 'one two' });
await audited.flush();
await setPluginStatus(orm, 'AuditSink:outbox', 'disabled');
audited.create(Article, { title: 'Audited again', body: 'three' });
await audited.flush();
console.log(`6. the outbox sink got: ${outbox.join('; ')}; then the console one took over`);

// 7. Secrets stay secret: the inventory masks them, the JSON Schema marks them write-only.
const notify = listPlugins(orm).plugins.find(p => p.name === 'notify')!;
const schema = optionsJsonSchema(orm, 'notify');
console.log(`7. Article.notify options: ${JSON.stringify(notify.entities[0]!.options)}; apiKey schema: ${JSON.stringify(schema.properties.apiKey)}`);

// 8. Close: onUnload runs, in reverse order.
await orm.close();
console.log('8. closed');
