import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { pluginSystem, PluginRegistry, runWithContext, SoftDeletePlugin, TimestampPlugin, withoutPlugins } from '../src/index.js';
import { auditRows } from './support/audit-support.js';
import { postgresql, type TestOrm } from './support/databases.js';

@Entity()
class CrowdCounter {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'integer' }) value!: number;
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, audit: AuditPlugin });
const REQUESTS = 200;
const ROWS_PER_ACTOR = 2;
const FLUSHES_PER_REQUEST = 2;

describe.skipIf(postgresql.unavailable !== undefined)('audit: 200 concurrent requests [postgresql]', () => {
  let orm: TestOrm;

  beforeAll(async () => {
    // 20 connections for 200 requests: most requests queue for a connection, interleaving with the others.
    orm = await postgresql.init({ entities: [CrowdCounter], extensions: [pluginSystem({ registry }), auditLog()], pool: { min: 0, max: 20 } });
    const em = orm.em.fork();
    for (let i = 0; i < REQUESTS; i++) for (let r = 0; r < ROWS_PER_ACTOR; r++) em.create(CrowdCounter, { owner: `u${i}`, value: 0 });
    // The seed rows are not part of the scenario.
    await withoutPlugins(['audit'], () => em.flush());
  });
  afterAll(() => orm?.close());

  test('every audit row names the actor and request that made the change: 0 misattributed', async () => {
    const request = (i: number) =>
      runWithContext({ actor: `u${i}`, requestId: `req-${i}` }, async () => {
        const em = orm.em.fork();
        const mine = await em.find(CrowdCounter, { owner: `u${i}` });
        for (let f = 1; f <= FLUSHES_PER_REQUEST; f++) {
          for (const row of mine) row.value = f;
          await em.flush();
        }
      });
    await Promise.all(Array.from({ length: REQUESTS }, (_, i) => request(i)));

    const owners = new Map((await orm.em.fork().find(CrowdCounter, {})).map(c => [String(c.id), c.owner]));
    const rows = await auditRows(orm);
    expect(rows).toHaveLength(REQUESTS * ROWS_PER_ACTOR * FLUSHES_PER_REQUEST);
    const misattributed = rows.filter(r => {
      const owner = owners.get(r.entityId);
      return r.actor !== owner || r.requestId !== `req-${owner!.slice(1)}`;
    });
    expect(misattributed).toEqual([]);
    // Each request's two flushes got two flush ids, shared by its rows of that flush only.
    const flushesByActor = new Map<string, Set<string>>();
    for (const r of rows) flushesByActor.set(r.actor!, (flushesByActor.get(r.actor!) ?? new Set()).add(r.flushId));
    expect([...flushesByActor.values()].every(ids => ids.size === FLUSHES_PER_REQUEST)).toBe(true);
    expect(new Set(rows.map(r => r.flushId)).size).toBe(REQUESTS * FLUSHES_PER_REQUEST);
  });
});
