// Hardening of audit redaction: a redacted value never reaches the audit table, whether it sits in an
// embeddable, behind a relation in a bulk where-condition, or in a raw() fragment; bad auditLog() options fail start-up.
import { defineEntity, p, raw } from '@mikro-orm/core';
import { Embeddable, Embedded, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AuditPlugin, auditLog, type AuditLogOptions } from '../src/audit.js';
import { pluginSystem, PluginRegistry } from '../src/index.js';
import { auditRows, auditTableText } from './support/audit-support.js';
import { describeEachDatabase, sqlite, type TestOrm } from './support/databases.js';

@Embeddable()
class HardGeo {
  @Property({ type: 'string' }) lat!: string;
  @Property({ type: 'string' }) pin!: string;
}

@Embeddable()
class HardAddress {
  @Property({ type: 'string' }) street!: string;
  @Property({ type: 'string' }) city!: string;
  @Embedded({ entity: () => HardGeo }) geo!: HardGeo;
}

@Embeddable()
class HardCard {
  @Property({ type: 'string' }) number!: string;
  @Property({ type: 'string' }) holder!: string;
}

@Entity()
class HardCustomer {
  static plugins = [{ audit: { redact: ['apiKey', 'address.street', 'address.geo.pin', 'billing.street', 'card'], exclude: ['address.city'] } }];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) apiKey!: string;
  @Embedded({ entity: () => HardAddress }) address!: HardAddress;
  @Embedded({ entity: () => HardAddress, object: true, nullable: true }) billing?: HardAddress | null;
  @Embedded({ entity: () => HardCard }) card!: HardCard;
}

@Entity()
class HardOrder {
  static plugins = ['audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => HardCustomer }) customer!: HardCustomer;
}

const entities = [HardCustomer, HardOrder, HardAddress, HardGeo, HardCard];
const registry = new PluginRegistry().registerMany({ audit: AuditPlugin });
// Each secret is planted in one redacted (or excluded) place; none may appear in the audit table.
const S = { key: 'sk-key-91f2', street: 'secret-street-7', pin: 'pin-geo-3318', billing: 'secret-billing-55', card: '4111-0000-9999', city: 'hidden-city-12' };
const expectNoSecret = (text: string) => {
  for (const secret of Object.values(S)) expect(text).not.toContain(secret);
};

function plant(orm: TestOrm) {
  const em = orm.em.fork();
  const customer = em.create(HardCustomer, {
    name: 'ada',
    apiKey: S.key,
    address: { street: S.street, city: S.city, geo: { lat: '51.5', pin: S.pin } },
    billing: { street: S.billing, city: 'paris', geo: { lat: '48.8', pin: 'none' } },
    card: { number: S.card, holder: 'ada l.' },
  });
  const order = em.create(HardOrder, { title: 'first', customer });
  return { em, customer, order };
}

describeEachDatabase('audit hardening: redaction', db => {
  let orm: TestOrm;
  beforeEach(async () => {
    orm = await db.init({ entities, extensions: [pluginSystem({ registry }), auditLog()] });
  });
  afterEach(() => orm.close());

  test('redact and exclude reach into inline, nested and object-mode embeddables through the unit of work', async () => {
    const { em, customer, order } = plant(orm);
    await em.flush();
    customer.address.street = `${S.street}-2`;
    customer.address.city = `${S.city}-2`;
    customer.address.geo.pin = `${S.pin}-2`;
    customer.billing!.street = `${S.billing}-2`;
    customer.card.number = `${S.card}-2`;
    customer.name = 'ada l.';
    await em.flush();
    em.remove(order);
    em.remove(customer);
    await em.flush();

    const text = await auditTableText(orm);
    expect(text).toContain('ada l.');
    expect(text).toContain('[redacted]');
    expectNoSecret(text);
    const update = (await auditRows(orm)).find(r => r.operation === 'update')!;
    expect(update.changes).toMatchObject({ name: ['ada', 'ada l.'], address_street: ['[redacted]', '[redacted]'], address_geo_pin: ['[redacted]', '[redacted]'] });
    expect(update.changes).not.toHaveProperty('address_city');
    expect(update.changes.billing).toEqual([
      { street: '[redacted]', city: 'paris', geo: { lat: '48.8', pin: 'none' } },
      { street: '[redacted]', city: 'paris', geo: { lat: '48.8', pin: 'none' } },
    ]);
  });

  test('bulk data and where-conditions on embedded properties are redacted', async () => {
    const { em } = plant(orm);
    await em.flush();
    await em.nativeUpdate(HardCustomer, { address: { street: S.street, city: { $ne: 'nowhere' } } }, { address: { street: 'x', geo: { pin: S.pin } } } as never);
    await em.nativeUpdate(HardCustomer, { card: { number: S.card } }, { card: { number: 'y' } } as never);
    const text = await auditTableText(orm);
    expectNoSecret(text);
    const bulk = (await auditRows(orm)).filter(r => r.operation === 'bulkUpdate');
    expect(bulk.map(r => r.changes)).toEqual([
      { where: { address: { street: '[redacted]', city: { $ne: 'nowhere' } } }, data: { address: { street: '[redacted]', geo: { pin: '[redacted]' } } }, count: 1 },
      { where: { card: '[redacted]' }, data: { card: '[redacted]' }, count: 1 },
    ]);
  });

  test("a bulk where through a relation applies the related entity's redaction", async () => {
    const { em } = plant(orm);
    await em.flush();
    await em.nativeUpdate(HardOrder, { customer: { apiKey: S.key } }, { title: 'second' });
    await em.nativeUpdate(HardOrder, { $or: [{ customer: { address: { street: S.street } } }, { customer: { apiKey: { $in: [S.key] } } }] }, { title: 'third' });
    await em.nativeDelete(HardOrder, { customer: { card: { number: S.card }, name: 'ada' } });
    expectNoSecret(await auditTableText(orm));
    const bulk = (await auditRows(orm)).filter(r => r.operation.startsWith('bulk'));
    expect(bulk.map(r => (r.changes as unknown as { where: unknown }).where)).toEqual([
      { customer: { apiKey: '[redacted]' } },
      { $or: [{ customer: { address: { street: '[redacted]' } } }, { customer: { apiKey: '[redacted]' } }] },
      { customer: { card: '[redacted]', name: 'ada' } },
    ]);
  });

  test('a raw() condition is recorded as a $raw marker, never as an empty condition or its SQL', async () => {
    const { em } = plant(orm);
    await em.flush();
    const q = (name: string) => orm.em.getPlatform().quoteIdentifier(name);
    await em.nativeUpdate(HardOrder, { [raw(`lower(${q('title')})`)]: 'first' }, { title: 'second' });
    await em.nativeUpdate(HardOrder, { title: 'second', [raw(`${q('title')} <> ?`, [S.key])]: [] } as never, { title: raw(`upper(${q('title')})`) } as never);
    const rows = (await auditRows(orm)).filter(r => r.operation === 'bulkUpdate');
    expect(rows.map(r => r.changes)).toEqual([
      { where: { $raw: '[raw SQL]' }, data: { title: 'second' }, count: 1 },
      { where: { title: 'second', $raw: '[raw SQL]' }, data: { title: { $raw: '[raw SQL]' } }, count: 1 },
    ]);
    expectNoSecret(await auditTableText(orm));
  });
});

describe('audit hardening: start-up checks', () => {
  const start = (audit: AuditLogOptions, options: object = {}) =>
    sqlite.init({ entities, extensions: [pluginSystem({ registry, ...options }), auditLog(audit)] }).then(
      orm => orm.close().then(() => undefined),
      (e: unknown) => e,
    );

  test('a table that is not a name fails start-up with a typed error naming the option', async () => {
    for (const table of [42, '', true]) {
      expect(await start({ table } as never)).toMatchObject({ name: 'PluginConfigError', code: 'MOP_INVALID_OPTIONS', plugin: 'audit', option: 'table' });
    }
  });

  test('a sink without write(), or sinks that are not a list, fail start-up with a typed error naming the option', async () => {
    for (const sinks of [[{ name: 'mute' }], [null], 'console']) {
      expect(await start({ sinks } as never)).toMatchObject({ name: 'PluginConfigError', code: 'MOP_INVALID_OPTIONS', plugin: 'audit', option: 'sinks' });
    }
  });

  test('a sinkType that is not a plugin type fails start-up with a typed error naming the option', async () => {
    expect(await start({ sinkType: { name: 'AuditSink' } } as never)).toMatchObject({ name: 'PluginConfigError', code: 'MOP_INVALID_OPTIONS', option: 'sinkType' });
  });

  test('a misspelt embedded path in redact fails start-up', async () => {
    const error = await start({}, { entities: { HardCustomer: [{ audit: { redact: ['address.stret'] } }] } });
    expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'audit', entity: 'HardCustomer', option: 'redact' });
  });
});

// Property: random shapes (inline or object-mode embeddable, redaction by path, flattened name or whole
// embeddable, a redacted JSON property) and random writes (unit of work, em.insert, nativeUpdate/nativeDelete,
// through the relation, raw()): no planted secret (every one contains SECRET) ever appears in the audit
// table or in anything printed.
type Naming = 'paths' | 'flattened' | 'whole';
type Write = 'uow' | 'bulkCustomer' | 'bulkEmbedded' | 'bulkRelation' | 'deleteRelation' | 'raw' | 'insert' | 'json';

function propertyEntities(object: boolean) {
  const Geo = defineEntity({ name: 'PropGeo', embeddable: true, properties: { lat: p.string(), pin: p.string() } });
  const Address = defineEntity({ name: 'PropAddress', embeddable: true, properties: { street: p.string(), city: p.string(), geo: p.embedded(Geo) } });
  const Customer = defineEntity({
    name: 'PropCustomer',
    properties: { id: p.integer().primary(), name: p.string(), apiKey: p.string(), profile: p.json<{ token: string; theme: string }>(), address: p.embedded(Address).object(object) },
  });
  const Order = defineEntity({ name: 'PropOrder', properties: { id: p.integer().primary(), title: p.string(), customer: p.manyToOne(Customer) } });
  return { Customer, Order, all: [Geo, Address, Customer, Order] };
}

const REDACT: Record<Naming, string[]> = {
  paths: ['apiKey', 'profile', 'address.street', 'address.geo.pin'],
  flattened: ['apiKey', 'profile', 'address_street', 'address_geo_pin'],
  whole: ['apiKey', 'profile', 'address'],
};

describeEachDatabase('audit hardening: property', db => {
  test('a planted secret never appears in any audit row', async () => {
    const shape = fc.record({
      object: fc.boolean(),
      naming: fc.constantFrom<Naming>('paths', 'flattened', 'whole'),
      writes: fc.array(fc.constantFrom<Write>('uow', 'bulkCustomer', 'bulkEmbedded', 'bulkRelation', 'deleteRelation', 'raw', 'insert', 'json'), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(shape, async ({ object, naming, writes }) => {
        // MikroORM names an object-mode embeddable's properties differently; flattened names are for inline ones.
        const redact = object && naming === 'flattened' ? REDACT.paths : REDACT[naming];
        const { Customer, Order, all } = propertyEntities(object);
        const orm = await db.init({
          entities: all,
          extensions: [pluginSystem({ registry, entities: { PropCustomer: [{ audit: { redact } }], PropOrder: ['audit'] } }), auditLog()],
        });
        // What the package prints (warnings, the console sink) is captured: no secret in any line.
        const printed: string[] = [];
        const capture = (...args: unknown[]) => void printed.push(args.map(a => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' '));
        const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(level => vi.spyOn(console, level).mockImplementation(capture));
        try {
          let n = 0;
          const secret = () => `SECRET-${++n}`;
          const profile = () => ({ token: secret(), theme: 'dark' });
          const address = () => ({ street: secret(), city: 'rome', geo: { lat: '41.9', pin: secret() } });
          const em = orm.em.fork();
          const customer = em.create(Customer, { name: 'ada', apiKey: secret(), profile: profile(), address: address() });
          em.create(Order, { title: 'first', customer });
          await em.flush();
          for (const write of writes) {
            const known = { apiKey: customer.apiKey, street: customer.address.street, pin: customer.address.geo.pin };
            if (write === 'uow') {
              customer.apiKey = secret();
              customer.address.street = secret();
              customer.address.geo.pin = secret();
              customer.name = `ada ${n}`;
              await em.flush();
              continue;
            }
            if (write === 'json') {
              customer.profile = { ...profile(), theme: `theme ${n}` };
              await em.flush();
              continue;
            }
            if (write === 'insert') {
              await em.insert(Customer, { name: 'bea', apiKey: secret(), profile: profile(), address: address() } as never);
              continue;
            }
            const next = { apiKey: secret(), profile: profile(), address: address() };
            if (write === 'bulkCustomer') await em.nativeUpdate(Customer, { apiKey: known.apiKey }, next as never);
            if (write === 'bulkEmbedded' && !object) await em.nativeUpdate(Customer, { address: { street: known.street, geo: { pin: known.pin } } } as never, next as never);
            if (write === 'bulkRelation') await em.nativeUpdate(Order, { $or: [{ customer: { apiKey: known.apiKey } }, { customer: { name: 'nobody' } }] } as never, { title: 'x' });
            if (write === 'deleteRelation') await em.nativeDelete(Order, { customer: { apiKey: { $in: [known.apiKey] } }, title: 'none' } as never);
            if (write === 'raw') await em.nativeUpdate(Order, { [raw('title <> ?', [secret()])]: [] } as never, { title: 'y' });
            if (write !== 'bulkRelation' && write !== 'deleteRelation' && write !== 'raw') await em.refresh(customer);
          }
          const text = await auditTableText(orm);
          expect(text).toContain('[redacted]');
          expect(text).not.toMatch(/SECRET-/);
          expect(printed.join('\n')).not.toMatch(/SECRET-/);
        } finally {
          for (const spy of spies) spy.mockRestore();
          await orm.close();
        }
      }),
      { numRuns: db.name === 'sqlite' ? 25 : 8 },
    );
  }, 120_000);
});
