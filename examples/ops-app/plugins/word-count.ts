import { hook, plugin } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    wordCount: true;
  }
}

/** Found by directory discovery. Its priority (-20) says "before permalink", its constraint says "after": the constraint wins. */
@plugin({ name: 'wordCount', version: '0.3.0', description: 'Counts the words of the body.', after: ['permalink'] })
export class WordCountPlugin {
  @hook('beforeSave', { priority: -20 })
  count(entity: { body?: string; words?: number | null }): void {
    entity.words = (entity.body ?? '').split(/\s+/).filter(Boolean).length;
  }
}
