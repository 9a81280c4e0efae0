// A raw() value assigned in a unit of work (`counter.views = raw('views + 1')`) never reaches the audit
// as MikroORM's own text of it (`raw('…')`), its SQL or its parameters: the row keeps the value
// MikroORM read back, or else the `{ $raw: '[raw SQL]' }` marker bulk writes use.
import { raw } from '@mikro-orm/core';
import { Embeddable, Embedded, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { pluginSystem, PluginRegistry } from '../src/index.js';
import { auditRows, auditTableText, recordingSink } from './support/audit-support.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

@Embeddable()
class RawPlace {
  @Property({ type: 'string' }) street!: string;
  @Property({ type: 'string' }) city!: string;
}

@Entity({ tableName: 'raw_counter' })
class RawCounter {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'integer' }) views!: number;
  @Property({ type: 'string' }) label!: string;
  @Embedded({ entity: () => RawPlace, object: true, nullable: true }) place?: RawPlace | null;
  @Property({ type: 'json', nullable: true }) meta?: unknown;
}

const SECRET = 'sk-raw-4471';
const MARKER = { $raw: '[raw SQL]' };

describeEachDatabase('audit of a raw() value assigned in a unit of work', (db: Database) => {
  let orm: TestOrm;
  let sink: ReturnType<typeof recordingSink>;
  beforeEach(async () => {
    sink = recordingSink();
    orm = await db.init({
      entities: [RawCounter, RawPlace],
      extensions: [pluginSystem({ registry: new PluginRegistry().registerMany({ audit: AuditPlugin }) }), auditLog({ sinks: [sink] })],
    });
  });
  afterEach(() => orm.close(true));

  /** Neither the audit table nor a sink holds the SQL, its parameters or MikroORM's `raw(…)` text. */
  async function expectNoRawText() {
    for (const text of [await auditTableText(orm), JSON.stringify(sink.records)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('raw(');
    }
  }

  test('a scalar set to raw() records the value read back, and a batch insert the marker', async () => {
    const q = (name: string) => orm.em.getPlatform().quoteIdentifier(name);
    const em = orm.em.fork();
    const counter = em.create(RawCounter, { id: 1, views: 1, label: 'a' });
    em.create(RawCounter, { id: 2, views: raw(`length(?)`, [SECRET]) as never, label: 'b' });
    await em.flush();
    counter.views = raw(`${q('views')} + length(?)`, [SECRET]) as never;
    await em.flush();
    const rows = await auditRows(orm);
    expect(rows.filter(r => r.operation === 'create').map(r => r.changes.views)).toEqual([[null, 1], [null, MARKER]]);
    expect(rows.filter(r => r.operation === 'update').map(r => r.changes.views)).toEqual([[1, 1 + SECRET.length]]);
    await expectNoRawText();
  });

  test('raw() inside an object-mode embeddable or a JSON value records the marker in its place', async () => {
    const em = orm.em.fork();
    const counter = em.create(RawCounter, { id: 3, views: 0, label: 'c', place: { street: 's', city: 'c' }, meta: { n: 1 } });
    await em.flush();
    counter.place!.city = raw(`'${SECRET}'`) as never;
    counter.meta = { n: 2, k: raw(`'${SECRET}'`), list: [raw('1')] };
    await em.flush();
    const update = (await auditRows(orm)).find(r => r.operation === 'update')!;
    expect(update.changes.place).toEqual([{ street: 's', city: 'c' }, { street: 's', city: MARKER }]);
    expect(update.changes.meta).toEqual([{ n: 1 }, { n: 2, k: MARKER, list: [MARKER] }]);
    expect(sink.records.find(r => r.operation === 'update')!.changes).toEqual(update.changes);
    await expectNoRawText();
  });
});
