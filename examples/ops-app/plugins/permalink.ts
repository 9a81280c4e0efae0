import { hook, plugin, type HookContext } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    permalink: { from?: string; to?: string };
  }
}

interface PermalinkOptions {
  from: string;
  to: string;
}

/** Listed by module specifier in the config file's `content` group. */
@plugin({
  name: 'permalink',
  version: '1.2.0',
  description: 'Fills a URL-safe permalink from the title.',
  options: {
    fields: {
      from: { type: 'string', default: 'title', description: 'Property to read', group: 'mapping', order: 1 },
      to: { type: 'string', default: 'permalink', description: 'Property to write', group: 'mapping', order: 2 },
    },
  },
})
export class PermalinkPlugin {
  @hook('beforeSave', { priority: -10 })
  fill(entity: Record<string, unknown>, { options }: HookContext<PermalinkOptions>): void {
    entity[options.to] = String(entity[options.from] ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/(^-|-$)/g, '');
  }
}
