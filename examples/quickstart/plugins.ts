import { hook, plugin, type EntityChanges, type HookContext } from 'mikro-orm-plugins';

// Tell the compiler which options each of our plugins takes, so entity lists are checked.
declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    slug: { from?: string; to?: string };
    activity: true;
  }
}

interface SlugOptions {
  from: string;
  to: string;
}

/** Fills `slug` from `title` before every save; runs early so validation sees the slug. */
@plugin({
  name: 'slug',
  version: '1.0.0',
  options: {
    defaults: { from: 'title', to: 'slug' },
    validate: (o: SlugOptions) => (typeof o.from === 'string' ? [] : [{ option: 'from', expected: 'a property name' }]),
  },
})
export class SlugPlugin {
  @hook('beforeSave', { priority: -10 })
  slugify(entity: Record<string, unknown>, { options }: HookContext<SlugOptions>): void {
    const source = String(entity[options.from] ?? '');
    entity[options.to] = source.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
  }
}

/** Logs every committed change with its field diff. */
@plugin({ name: 'activity', after: ['slug'] })
export class ActivityPlugin {
  readonly log: string[] = [];

  @hook('afterChange')
  record(entity: object, changes: EntityChanges, ctx: HookContext): void {
    const fields = Object.keys(changes.fields).join(', ');
    this.log.push(`${changes.kind} ${ctx.meta.className}: ${fields}`);
    console.log(`  [activity] ${changes.kind} ${ctx.meta.className} (${fields})`);
  }
}
