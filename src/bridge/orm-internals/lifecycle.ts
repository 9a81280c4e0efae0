import type { EntityManager, MetadataStorage, MikroORM } from '@mikro-orm/core';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

/**
 * An EntityManager made during discovery exactly as MikroORM makes `orm.em` right after it (MikroORM's own
 * `createEntityManager` is private), for start-up work that needs the database before `init` resolves.
 */
export function createEarlyEntityManager(orm: MikroORM, storage: MetadataStorage): EntityManager {
  orm.driver.setMetadata(storage);
  const em = orm.driver.createEntityManager();
  (em as { global: boolean }).global = true;
  (storage as unknown as { decorate(em: EntityManager): void }).decorate(em);
  return em;
}

/** Puts `around` around `orm.close()`: MikroORM has no close hook. `around` must call `close`. */
export function aroundClose(orm: MikroORM, around: (close: (force?: boolean) => Promise<void>, force?: boolean) => Promise<void>): void {
  const close = orm.close.bind(orm);
  orm.close = (force?: boolean) => around(close, force);
}
