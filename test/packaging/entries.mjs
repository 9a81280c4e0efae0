// Every entry point of the packed package in one application, imported and required: the code they share is
// one copy (one default registry that every entry registers its built-ins in, one PluginError class).
import { createRequire } from 'node:module';
import { defaultRegistry, PluginError } from 'mikro-orm-plugins';
import * as core from 'mikro-orm-plugins/core';
import * as audit from 'mikro-orm-plugins/audit';
import * as cache from 'mikro-orm-plugins/cache';
import * as operations from 'mikro-orm-plugins/operations';
import * as testing from 'mikro-orm-plugins/testing';

const require = createRequire(import.meta.url);
const thrown = fn => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};
const cacheError = thrown(() => cache.memoryStore({ max: -1 }));
console.log(
  JSON.stringify({
    app: 'entries',
    registries: [core.defaultRegistry, require('mikro-orm-plugins').defaultRegistry, require('mikro-orm-plugins/core').defaultRegistry].every(r => r === defaultRegistry),
    registered: ['timestamp', 'softDelete', 'validation', 'audit', 'cache'].filter(name => defaultRegistry.has(name)),
    errorClasses: core.PluginError === PluginError && require('mikro-orm-plugins').PluginError === PluginError,
    cacheErrorIsPluginError: cacheError instanceof PluginError,
    requiredEntriesAreImported: require('mikro-orm-plugins/audit').AuditPlugin === audit.AuditPlugin && require('mikro-orm-plugins/operations').doctor === operations.doctor,
    testing: typeof testing.createTestOrm,
  }),
);
