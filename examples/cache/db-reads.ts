// A plugin of your own on the extension point the cache plugin uses: `interceptFindOne` runs around
// em.findOne (findOneOrFail, reference loads) of the entities it is attached to, in declaration order.
import { plugin, type FindOneCall } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    dbReads: true;
  }
}

/** Counts the loads that reach it: listed after `cache`, the ones the cache could not answer. */
@plugin('dbReads')
export class DbReadsPlugin {
  static readonly counted = new Map<string, number>();

  interceptFindOne(call: FindOneCall): Promise<unknown> {
    const entity = call.meta.className;
    DbReadsPlugin.counted.set(entity, (DbReadsPlugin.counted.get(entity) ?? 0) + 1);
    return call.load(); // on to MikroORM's own findOne
  }
}
