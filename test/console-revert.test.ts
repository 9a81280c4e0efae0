// Issue #17: POST api/audit/revert writes a row back to its state as of a past time (or audit record) through
// the ORM, audited with the console's actor; refused with typed errors when that state cannot be restored.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { AuditPlugin, auditEvents, auditLog } from '../src/audit.js';
import { pluginConsole } from '../src/console.js';
import { PluginRegistry, pluginSystem, runWithContext, ValidationPlugin, withPlugins } from '../src/index.js';
import { pluginOperations } from '../src/operations/index.js';
import { auditRows, type RawAuditRow } from './support/audit-support.js';
import { authorizeByToken, client, ConInvoice, seed, serve, serveWithPrefix, snapshot, startOrm, type Served } from './support/console-app.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 60_000 });

/** Amounts the validation plugin refuses from now on: what was valid then may not be now. */
const refusedAmounts = new Set<number>();

@withPlugins(['audit', { validation: { validate: (row: { amount: number }) => (refusedAmounts.has(row.amount) ? [{ field: 'amount', message: 'no longer allowed' }] : []) } }])
@Entity()
class RevPayment {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'integer' }) amount!: number;
}

/** Audit rows are stamped to the millisecond: wait for the next one, so "as of" a row leaves out the rows after it. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() <= now) await new Promise(resolve => setTimeout(resolve, 1));
}

async function change(orm: TestOrm, actor: string, id: number, values: Partial<Pick<ConInvoice, 'amount' | 'number'>>): Promise<void> {
  await nextMillisecond();
  await runWithContext({ actor }, async () => {
    const em = orm.em.fork();
    em.assign(await em.findOneOrFail(ConInvoice, id), values);
    await em.flush();
  });
  await nextMillisecond();
}

const invoice = async (orm: TestOrm, id: number) => {
  const row = await orm.em.fork().findOneOrFail(ConInvoice, id, { filters: false });
  return { number: row.number, amount: row.amount };
};
const rowsOf = async (orm: TestOrm, id: number): Promise<RawAuditRow[]> => (await auditRows(orm)).filter(r => r.entityName === 'ConInvoice' && r.entityId === String(id));

describeEachDatabase('console audit revert', db => {
  let orm: TestOrm;
  let server: Served;
  let api: ReturnType<typeof client>['call'];
  beforeEach(async () => {
    orm = await startOrm(db);
    await seed(orm);
    server = await serveWithPrefix(orm);
    api = client(server.base, '/admin/plugins').call;
  });
  afterEach(async () => {
    await server.close();
    await orm.close(true);
  });

  test('restores a row as of an audit record or a time, through the ORM: its audit row has the console actor, the revert is audited too', async () => {
    const [created] = await rowsOf(orm, 1);
    await change(orm, 'bob', 1, { amount: 250, number: 'INV-1b' });
    const { json, status } = await api('POST', '/api/audit/revert', { body: { entity: 'ConInvoice', id: '1', eventId: created!.id } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ state: { number: 'INV-1', amount: 100 }, leftAsIs: [] });
    expect(json.restored).toEqual(expect.arrayContaining(['number', 'amount']));
    expect(await invoice(orm, 1)).toEqual({ number: 'INV-1', amount: 100 });
    const reverted = (await rowsOf(orm, 1)).at(-1)!;
    expect(reverted).toMatchObject({ operation: 'update', actor: 'alice', changes: { amount: [250, 100], number: ['INV-1b', 'INV-1'] } });
    const events = await auditEvents(orm.em.fork(), { subjectId: 'ConInvoice:1' });
    expect(events.map(e => [e.action, e.actor])).toEqual([['revert', 'alice']]);

    // By time: bob's state, which a time after his change and before the revert reads.
    const bobs = (await rowsOf(orm, 1)).find(r => r.actor === 'bob')!;
    const byTime = await api('POST', '/api/audit/revert', { body: { entity: 'ConInvoice', id: 1, at: new Date(bobs.recordedAt).toISOString() } });
    expect(byTime.status).toBe(200);
    expect(await invoice(orm, 1)).toEqual({ number: 'INV-1b', amount: 250 });
  });

  test('refuses, changing nothing: no such entity, no such record, a time before the row existed, a row in the trash, the read role, bad fields', async () => {
    const [created] = await rowsOf(orm, 1);
    const [other] = await rowsOf(orm, 2);
    await runWithContext({ actor: 'carol' }, async () => {
      const em = orm.em.fork();
      em.remove(await em.findOneOrFail(ConInvoice, 3));
      await em.flush();
    });
    const was = await snapshot(orm);
    const cases: [unknown, number, string, string | undefined, string?][] = [
      [{ entity: 'Nope', id: '1', at: '2030-01-01T00:00:00Z' }, 404, 'MOP_CONSOLE_NOT_FOUND', undefined],
      [{ entity: 'ConInvoice', id: '1', eventId: other!.id }, 404, 'MOP_CONSOLE_NOT_FOUND', undefined],
      [{ entity: 'ConInvoice', id: '1', at: '2000-01-01T00:00:00Z' }, 409, 'MOP_CONSOLE_NO_STATE', 'at'],
      [{ entity: 'ConInvoice', id: '3', eventId: (await rowsOf(orm, 3))[0]!.id }, 409, 'MOP_CONSOLE_NO_STATE', 'id'],
      [{ entity: 'ConInvoice', id: '1', at: 'yesterday' }, 422, 'MOP_CONSOLE_INVALID', 'at'],
      [{ entity: 'ConInvoice', id: '1' }, 422, 'MOP_CONSOLE_INVALID', 'at'],
      [{ entity: 'ConInvoice', id: '1', at: '2030-01-01T00:00:00Z', eventId: created!.id }, 422, 'MOP_CONSOLE_INVALID', 'at'],
      [{ entity: 'ConInvoice', id: 'x', at: '2030-01-01T00:00:00Z' }, 422, 'MOP_CONSOLE_INVALID', 'id'],
      [{ entity: 'ConInvoice', id: '1', eventId: -1 }, 422, 'MOP_CONSOLE_INVALID', 'eventId'],
      [{ entity: 'ConInvoice', id: '1', eventId: created!.id, leaveRedacted: 'yes' }, 422, 'MOP_CONSOLE_INVALID', 'leaveRedacted'],
      [{ entity: 'ConInvoice', id: '1', eventId: created!.id, actor: 'x' }, 422, 'MOP_CONSOLE_INVALID', 'actor'],
      [{ entity: 'ConInvoice', id: '1', eventId: created!.id }, 403, 'MOP_CONSOLE_FORBIDDEN', undefined, 'reader'],
    ];
    for (const [body, status, code, field, as] of cases) {
      const { json, status: got } = await api('POST', '/api/audit/revert', { body, ...(as && { as }) });
      expect([got, json.error.code, json.error.field], JSON.stringify(body)).toEqual([status, code, field]);
    }
    expect(await snapshot(orm)).toBe(was);
  });

  test('redacted fields cannot be restored: refused naming them, or left as they are with leaveRedacted', async () => {
    // Redaction switched on while the app runs (a live option): what bob writes next is recorded redacted.
    expect((await api('POST', '/api/plugins/audit/options', { body: { entity: 'ConInvoice', options: { redact: ['number'] } } })).status).toBe(200);
    await change(orm, 'bob', 2, { number: 'INV-2-secret', amount: 210 });
    const bobs = (await rowsOf(orm, 2)).at(-1)!;
    expect(bobs.changes.number).toEqual(['[redacted]', '[redacted]']);
    await change(orm, 'dan', 2, { number: 'INV-2-dan', amount: 999 });
    const was = await snapshot(orm);

    const refused = await api('POST', '/api/audit/revert', { body: { entity: 'ConInvoice', id: '2', eventId: bobs.id } });
    expect([refused.status, refused.json.error.code]).toEqual([409, 'MOP_CONSOLE_REDACTED']);
    expect(refused.json.error.issues).toEqual([{ path: 'number', message: expect.stringContaining('redacted') }]);
    expect(await snapshot(orm)).toBe(was);

    const partial = await api('POST', '/api/audit/revert', { body: { entity: 'ConInvoice', id: '2', eventId: bobs.id, leaveRedacted: true } });
    expect(partial.status).toBe(200);
    expect(partial.json.leftAsIs).toEqual(['number']);
    expect(await invoice(orm, 2)).toEqual({ number: 'INV-2-dan', amount: 210 });
  });

  test('the hooks run on the revert: a state the validation plugin refuses now is a 422 with its issues, nothing written', async () => {
    const registry = new PluginRegistry().registerMany({ audit: AuditPlugin, validation: ValidationPlugin });
    const own = await db.init({ entities: [RevPayment], extensions: [pluginSystem({ registry }), pluginOperations({ state: false }), auditLog()] });
    const served = await serve(pluginConsole(own, { authorize: authorizeByToken }).node);
    try {
      const em = own.em.fork();
      const payment = em.create(RevPayment, { id: 1, amount: 5 });
      await em.flush();
      await nextMillisecond();
      payment.amount = 6;
      await em.flush();
      const [created] = (await auditRows(own)).filter(r => r.entityName === 'RevPayment');
      refusedAmounts.add(5);
      const { json, status } = await client(served.base, '').call('POST', '/api/audit/revert', { body: { entity: 'RevPayment', id: 1, eventId: created!.id } });
      expect([status, json.error.code]).toEqual([422, 'MOP_CONSOLE_INVALID']);
      expect(json.error.issues).toEqual([{ path: 'amount', message: 'no longer allowed' }]);
      expect((await own.em.fork().findOneOrFail(RevPayment, 1)).amount).toBe(6);
    } finally {
      refusedAmounts.clear();
      await served.close();
      await own.close(true);
    }
  });
});
