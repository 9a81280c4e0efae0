import { defineErrorCodes, hook, plugin, PluginError, type ErrorCodesOf, type HookContext } from 'mikro-orm-plugins';

// Declared next to the code that raises them: errorCodes() lists each with its owner and description.
export const SLUG_ERRORS = defineErrorCodes('articleSlug', {
  SLUG_EMPTY: 'at run time: the title gives an empty slug',
});

// Merged into the package's codes: PluginErrorCode now includes SLUG_EMPTY, and a misspelt code does not compile.
declare module 'mikro-orm-plugins' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof SLUG_ERRORS> {}
  interface PluginOptionsMap {
    articleSlug: true;
  }
}

@plugin('articleSlug')
export class ArticleSlugPlugin {
  @hook('beforeSave')
  fill(entity: { title: string; slug?: string }, ctx: HookContext): void {
    const slug = entity.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
    if (slug === '') throw new PluginError('SLUG_EMPTY', `'${entity.title}' gives an empty slug`, { plugin: 'articleSlug', entity: ctx.meta.className });
    entity.slug = slug;
  }
}
