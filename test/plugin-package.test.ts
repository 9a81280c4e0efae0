// Where a plugin comes from is a declared property (`@plugin({ package })`), read like any other:
// listings show it, and `doctor` never calls a library's unused plugin a mistake. No list of classes.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import { AuditPlugin } from '../src/audit.js';
import { CachePlugin } from '../src/cache.js';
import { doctor, listPlugins, pluginOperations } from '../src/operations/index.js';
import { plugin, PluginRegistrationError, PluginRegistry, pluginSystem, SoftDeletePlugin, TimestampPlugin, ValidationPlugin, withPlugins } from '../src/index.js';
import { sqlite } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    pkgSlug: true;
    appUsed: true;
  }
}

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry().registerMany([TimestampPlugin, SoftDeletePlugin, ValidationPlugin, AuditPlugin, CachePlugin]);
  @plugin({ name: 'pkgSlug', registry, package: 'acme-slugs' })
  class PkgSlug {
    beforeCreate() {}
  }
  // A library's plugin the app does not use.
  @plugin({ name: 'pkgGeo', registry, package: '@acme/geo' })
  class PkgGeo {
    beforeCreate() {}
  }
  // The app's own plugins: one used, one not.
  @plugin({ name: 'appUsed', registry })
  class AppUsed {
    beforeCreate() {}
  }
  @plugin({ name: 'appIdle', registry })
  class AppIdle {
    beforeCreate() {}
  }
  void [PkgSlug, PkgGeo, AppUsed, AppIdle];
  return registry;
}

@withPlugins(['pkgSlug', 'appUsed'])
@Entity()
class PkgArticle {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

async function start() {
  return sqlite.init({ entities: [PkgArticle], extensions: [pluginSystem({ registry: newRegistry() }), pluginOperations({ state: false })] });
}

describe('a plugin declares the package it comes from', () => {
  test('listPlugins shows each plugin’s package, null for the application’s own; the built-ins declare this package', async () => {
    const orm = await start();
    try {
      const packages = Object.fromEntries(listPlugins(orm).plugins.map(p => [p.name, p.package]));
      expect(packages).toEqual({
        timestamp: 'mikro-orm-plugins',
        softDelete: 'mikro-orm-plugins',
        validation: 'mikro-orm-plugins',
        audit: 'mikro-orm-plugins',
        cache: 'mikro-orm-plugins',
        pkgSlug: 'acme-slugs',
        pkgGeo: '@acme/geo',
        appUsed: null,
        appIdle: null,
      });
    } finally {
      await orm.close();
    }
  });

  test('doctor reports the application’s unused plugins, not a library’s (whichever library, built-ins included)', async () => {
    const orm = await start();
    try {
      const report = await doctor(orm);
      expect(report.findings.filter(f => f.check === 'unused').map(f => f.plugin)).toEqual(['appIdle']);
    } finally {
      await orm.close();
    }
  });

  test.each([42, '', null, ['acme']])('a package that is not a non-empty string (%j) fails registration with MOP_INVALID_PLUGIN', value => {
    const registry = new PluginRegistry();
    const register = () => {
      @plugin({ name: 'pkgBad', registry, package: value as never })
      class PkgBad {
        beforeCreate() {}
      }
      return PkgBad;
    };
    expect(register).toThrow(PluginRegistrationError);
    expect(register).toThrow(/'package' must be a package name/);
  });
});
