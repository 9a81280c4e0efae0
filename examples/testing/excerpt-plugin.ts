import { hook, plugin, type HookContext } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    excerpt: { length?: number };
  }
}

export interface ExcerptOptions {
  length: number;
}

// The plugin under test: fills `excerpt` from `body` before every save, after the timestamps.
@plugin({
  name: 'excerpt',
  options: {
    defaults: { length: 20 },
    validate: (o: ExcerptOptions) => (Number.isInteger(o.length) && o.length > 0 ? [] : [{ option: 'length', expected: 'a positive integer' }]),
  },
})
export class ExcerptPlugin {
  @hook('beforeSave', { priority: -10 })
  fill(entity: { body: string; excerpt?: string }, { options }: HookContext<ExcerptOptions>): void {
    entity.excerpt = entity.body.length > options.length ? `${entity.body.slice(0, options.length)}…` : entity.body;
  }
}
