// PostgreSQL without a reachable `pg` pool: an application that hands MikroORM its own Kysely dialect owns
// the pool, so the driver's native client is not available to open a LISTEN connection. That instance must
// say so (MOP_STATE_NOTIFY_FAILED) and poll; changes still reach it, and its own changes still notify the others.
import { MikroORM } from '@mikro-orm/core';
import { PostgresDialect, type PostgresPool } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { PluginError, pluginSystem } from '../src/index.js';
import { disablePlugin, enablePlugin, pluginOperations, pluginStatePropagation, syncPluginState } from '../src/operations/index.js';
import { postgresql, type TestOrm } from './support/databases.js';
import { describeWith, eventually, firstInstance, newRegistry, nextRefresh, NOTIFY_ONLY, probeRuns, PropPost } from './support/propagation-app.js';

const open: TestOrm[] = [];
afterEach(async () => {
  for (const orm of open.splice(0).reverse()) await orm.close();
});

/** Instance B on A's database through a dialect of the application's own (a `pg` pool it made), polling every 50 ms. */
async function ownDialectInstance(first: TestOrm, errors: unknown[]): Promise<TestOrm> {
  const c = first.config;
  // `pg` has no types installed here; the pool is only handed to Kysely.
  const { Pool } = (await import('pg' as string)).default as { Pool: new (options: Record<string, unknown>) => PostgresPool };
  const pool = new Pool({ host: c.get('host'), port: c.get('port'), user: c.get('user'), password: c.get('password'), database: c.get('dbName'), max: 2 });
  return (await MikroORM.init({
    driver: c.get('driver'),
    dbName: c.get('dbName'),
    driverOptions: new PostgresDialect({ pool }),
    allowGlobalContext: true,
    entities: [PropPost],
    extensions: [pluginSystem({ registry: newRegistry() }), pluginOperations({ state: { pollInterval: 50 }, onError: error => errors.push(error) })],
  })) as TestOrm;
}

describeWith('plugin state propagation when the PostgreSQL driver exposes no pg pool', postgresql, undefined, () => {
  test('the instance reports MOP_STATE_NOTIFY_FAILED, polls, and changes still propagate both ways', async () => {
    const aErrors: unknown[] = [];
    const a = await firstInstance(postgresql, {}, { state: NOTIFY_ONLY, onError: error => aErrors.push(error) });
    open.push(a);
    await syncPluginState(a);
    const bErrors: unknown[] = [];
    const b = await ownDialectInstance(a, bErrors);
    open.push(b);

    // The real driver refuses to hand out a pool it does not own.
    await expect(b.em.getConnection().getNativeClient()).rejects.toThrow(/native client is not available/);
    expect(bErrors).toHaveLength(1);
    expect(bErrors[0]).toBeInstanceOf(PluginError);
    expect((bErrors[0] as PluginError).code).toBe('MOP_STATE_NOTIFY_FAILED');
    expect((bErrors[0] as Error).message).toContain("the driver's native client is not a 'pg' pool; this instance polls instead");
    expect(pluginStatePropagation(b)).toBe('polling');
    expect(pluginStatePropagation(a)).toBe('postgres-notify');

    // A's change reaches B by B's polling.
    expect(probeRuns(b)).toBe(true);
    await disablePlugin(a, 'propProbe', { entity: 'PropPost' });
    expect(await eventually(() => !probeRuns(b))).toBe(true);

    // B's change still sends NOTIFY in its transaction: A, which only listens, hears it.
    const refreshed = nextRefresh(a);
    await enablePlugin(b, 'propProbe', { entity: 'PropPost' });
    await refreshed;
    expect(probeRuns(a)).toBe(true);
    expect(aErrors).toEqual([]);
    expect(bErrors).toHaveLength(1);
  });
});
