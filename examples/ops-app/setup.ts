// Used by the CLI tests: a fresh schema for the example app, plugin_state tables included but empty.
import { MikroORM } from '@mikro-orm/core';
import config from './mikro-orm.config.js';

const orm = await MikroORM.init(config);
await orm.schema.ensureDatabase();
await orm.schema.drop();
await orm.schema.create();
await orm.close(true);
