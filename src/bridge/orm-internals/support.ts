import { DatabaseDriver, EntityFactory, EntityManager, EntitySchema, MetadataStorage, UnitOfWork, Utils, validateProperty, type EntityMetadata, type EntityName, type FilterOptions, type IDatabaseDriver, type MikroORM } from '@mikro-orm/core';
import { invalidArgument, PluginConfigError, PluginError } from '../../errors.js';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts): the version
// range and the start-up check of every non-public member the seam uses.

/** The MikroORM versions this package is tested with (CI runs the lowest and the newest). */
export const SUPPORTED_ORM = { min: '7.2.1', below: '7.3.0' } as const;

/** MikroORM lacks a member the package needs, or is a version it does not support. */
export class UnsupportedOrmError extends PluginError {
  override name = 'UnsupportedOrmError';
  readonly member: string;

  constructor(member: string, detail: string) {
    super('MOP_UNSUPPORTED_ORM', `mikro-orm-plugins needs ${member} of MikroORM, ${detail} (MikroORM ${Utils.getORMVersion()}; supported: >=${SUPPORTED_ORM.min} <${SUPPORTED_ORM.below})`);
    this.member = member;
  }
}

export type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/** At registration: the version is in range and every non-public member the package uses is there. */
export function checkSupportedOrm(orm: MikroORM): void {
  if (!inSupportedRange(Utils.getORMVersion())) throw new UnsupportedOrmError('MikroORM itself', 'at a version this package is not tested with');
  const missing = missingMember();
  if (missing) throw new UnsupportedOrmError(missing, 'which this version does not have');
  if (!driverEntityManager(orm.driver) && !orm.config.get('entityManager')) {
    throw new UnsupportedOrmError('the driver default EntityManager class', `which ${orm.driver.constructor.name} does not reveal: set the \`entityManager\` option`);
  }
}

function inSupportedRange(version: string): boolean {
  const parse = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
  const [a, b, c] = parse(version);
  const cmp = (other: string) => {
    const [x, y, z] = parse(other);
    return a! - x! || b! - y! || c! - z!;
  };
  return cmp(SUPPORTED_ORM.min) >= 0 && cmp(SUPPORTED_ORM.below) < 0;
}

/**
 * The EntityManager class a driver creates when `entityManager` is not configured. Drivers read it as
 * `config.get('entityManager', TheirDefault)` in `createEntityManager`; a probe `this` catches that fallback.
 */
export function driverEntityManager(driver: IDatabaseDriver): EntityManagerClass | undefined {
  let found: EntityManagerClass | undefined;
  const stop = new Error('probe');
  const probe = {
    config: {
      get(key: string, fallback?: unknown) {
        if (key !== 'entityManager') return fallback;
        found = fallback as EntityManagerClass | undefined;
        throw stop;
      },
    },
  };
  try {
    (driver.createEntityManager as (this: unknown, useContext?: boolean) => unknown).call(probe, false);
  } catch {
    // `stop`, or a driver that does not follow the pattern (then `found` stays undefined).
  }
  return found;
}

export interface EmInternals {
  applyFilters(entity: EntityName<any>, where: object, filters: FilterOptions, type: 'read', options: object): Promise<object | undefined>;
  autoJoinRefsForFilters(meta: EntityMetadata, options: any, parent?: any): Promise<void>;
  getJoinedFilters(meta: EntityMetadata, options: any): Promise<any>;
}

export interface UowInternals {
  getById(entity: EntityName<any>, id: unknown, schema?: string): object | undefined | null;
  dispatchOnLoadEvent(): Promise<void>;
  unmarkAsLoaded(entity: object): void;
}

/** Every non-public member above, by the prototype it lives on, checked by `checkSupportedOrm`. */
function missingMember(): string | undefined {
  const members: [string, object, readonly string[]][] = [
    ['EntityManager', EntityManager.prototype, ['applyFilters', 'autoJoinRefsForFilters', 'getJoinedFilters']],
    ['UnitOfWork', UnitOfWork.prototype, ['getById', 'dispatchOnLoadEvent', 'unmarkAsLoaded', 'getCommitOrder']],
    ['EntityFactory', EntityFactory.prototype, ['create']],
    ['MetadataStorage', MetadataStorage.prototype, ['decorate']],
    ['DatabaseDriver', DatabaseDriver.prototype, ['getTableName']],
  ];
  for (const [owner, proto, names] of members) {
    for (const name of names) if (typeof (proto as Record<string, unknown>)[name] !== 'function') return `${owner}#${name}`;
  }
  // Kept rows (`deleteAsUpdate`) are type-checked as MikroORM checks an entity it computes a change set for.
  if (typeof validateProperty !== 'function') return 'validateProperty';
  // `markStrict` relies on MikroORM reading the marker it sets for `strict` filters itself.
  if (!String((EntityManager.prototype as unknown as EmInternals).applyFilters).includes('__strict')) return 'the __strict filter marker';
  return undefined;
}

/** Plain JavaScript may hand the exported helpers anything: a typed error rather than a TypeError deep in MikroORM. */
export function checkEm(fn: string, em: unknown): void {
  if (typeof (em as { getUnitOfWork?: unknown } | null | undefined)?.getUnitOfWork !== 'function') throw invalidArgument(fn, 'em', 'an EntityManager', em);
}

export function checkEntity(fn: string, em: EntityManager, entity: unknown): void {
  let known = false;
  try {
    const name = typeof entity === 'function' || typeof entity === 'string' || entity instanceof EntitySchema;
    known = name && em.getMetadata().find(entity as EntityName<any>)?.root !== undefined;
  } catch {
    // MikroORM's lookup throws on some shapes; either way it is not an entity.
  }
  if (!known) throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `${fn}: expected a discovered entity class or name, got ${typeof entity === 'string' ? JSON.stringify(entity) : entity === null ? 'null' : typeof entity}`);
}
