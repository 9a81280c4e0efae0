import type { MikroORM } from '@mikro-orm/core';

/** What the fixture plugins' lifecycle methods saw, in order. */
export const events: string[] = [];

/** Set by a test to make opsBeta's onLoad throw. */
export const faults = { betaLoad: false };

export function seen(name: string, orm: MikroORM): string {
  const em = orm.em;
  return `${name}(em=${em ? 'yes' : 'no'},entities=${em ? em.getMetadata().getAll().size : 0})`;
}
