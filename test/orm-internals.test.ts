// The MikroORM members outside its public API that the package relies on live in one module,
// src/bridge/orm-internals/, which checks them at start-up: a MikroORM without one of them fails
// loudly with MOP_UNSUPPORTED_ORM naming it, instead of hidden rows quietly showing again.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager, UnitOfWork, Utils } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { beforeAll, describe, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, SUPPORTED_ORM, UnsupportedOrmError, pluginSystem, withPlugins } from '../src/index.js';
import { sqlite } from './support/databases.js';

const registry = new PluginRegistry().register('softDelete', SoftDeletePlugin);

@withPlugins(['softDelete'])
@Entity()
class SeamDoc {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  deletedAt?: Date | null;
}

/** Removes a member from a prototype for the duration of `run`, as a MikroORM version without it would have. */
async function without(proto: object, member: string, run: () => Promise<unknown>): Promise<unknown> {
  const descriptor = Object.getOwnPropertyDescriptor(proto, member)!;
  delete (proto as Record<string, unknown>)[member];
  try {
    return await run();
  } catch (error) {
    return error;
  } finally {
    Object.defineProperty(proto, member, descriptor);
  }
}

const start = () => sqlite.init({ entities: [SeamDoc], extensions: [pluginSystem({ registry })] });

describe('start-up checks of MikroORM internals', () => {
  test('the installed MikroORM is in the supported range and passes every check', async () => {
    expect(Utils.getORMVersion() >= SUPPORTED_ORM.min).toBe(true);
    const orm = await start();
    await orm.close(true);
  });

  const prototypes: Record<string, object> = { EntityManager: EntityManager.prototype, UnitOfWork: UnitOfWork.prototype };
  beforeAll(async () => {
    // The driver's own builder class (a driver may carry its own copy of @mikro-orm/sql).
    const plain = await sqlite.init({ entities: [SeamDoc] });
    let proto = Object.getPrototypeOf(plain.em.createQueryBuilder(SeamDoc)) as object;
    while (!Object.hasOwn(proto, 'joinReference')) proto = Object.getPrototypeOf(proto) as object;
    prototypes.QueryBuilder = proto;
    await plain.close(true);
  });
  test.each(['EntityManager#getJoinedFilters', 'EntityManager#applyFilters', 'UnitOfWork#dispatchOnLoadEvent', 'QueryBuilder#joinReference', 'QueryBuilder#finalize'])(
    'without %s start-up fails with MOP_UNSUPPORTED_ORM naming it',
    async named => {
      const [owner, member] = named.split('#') as [string, string];
      const error = await without(prototypes[owner]!, member, start);
      expect(error).toBeInstanceOf(UnsupportedOrmError);
      expect(error).toMatchObject({ code: 'MOP_UNSUPPORTED_ORM', member: named });
      expect(String((error as Error).message)).toContain(named);
    },
  );

  test('a version outside the supported range fails at start-up', async () => {
    const version = Object.getOwnPropertyDescriptor(Utils, 'getORMVersion')!;
    Object.defineProperty(Utils, 'getORMVersion', { ...version, value: () => SUPPORTED_ORM.below });
    try {
      await expect(start()).rejects.toMatchObject({ code: 'MOP_UNSUPPORTED_ORM', member: 'MikroORM itself' });
    } finally {
      Object.defineProperty(Utils, 'getORMVersion', version);
    }
  });
});

describe('one module holds them', () => {
  const root = 'src';
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap(entry => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
  // Non-public MikroORM members, as they appear in code that uses them.
  const internal = [
    /__strict|__meta\b|__initialized|__managed|__em\b/,
    /\.getById\(|dispatchOnLoadEvent|unmarkAsLoaded|getEntityFactory\(\)\.create/,
    /autoJoinRefsForFilters\(|getJoinedFilters\(|joinReference\(|\bfinalize\(\)/,
    /em\.applyFilters\(|setPrototypeOf\(|\.state\.|createEntityManager\(|storage\.decorate|orm\.close = /,
  ];

  test('no file outside src/bridge/orm-internals/ uses a non-public MikroORM member', () => {
    const offenders = files(root)
      .filter(file => !file.includes(join('bridge', 'orm-internals', '')))
      .flatMap(file =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => [line, i + 1] as const)
          .filter(([line]) => !/^\s*(\/\/|\*|\/\*)/.test(line) && internal.some(pattern => pattern.test(line)))
          .map(([line, n]) => `${file}:${n}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});
