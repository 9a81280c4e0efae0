// Where plugin hooks run relative to the entity's own hooks and to other subscribers, for every event
// (docs/hooks.md, "Order"): entity hooks, then the `subscribers` option, then the plugins, then subscribers
// registered later.
import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import {
  AfterCreate,
  AfterDelete,
  AfterUpdate,
  AfterUpsert,
  BeforeCreate,
  BeforeDelete,
  BeforeUpdate,
  BeforeUpsert,
  Entity,
  OnLoad,
  PrimaryKey,
  Property,
} from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { hook, plugin, pluginSystem, PluginRegistry, withPlugins, type EntityChanges } from '../src/index.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    orderSpy: Record<string, never>;
    orderStamp: Record<string, never>;
  }
}

const log: string[] = [];
const registry = new PluginRegistry();

/** Logs every event it can hook; `false` from beforeDelete (a veto) for rows labelled `keep`. */
@plugin({ name: 'orderSpy', registry })
export class OrderSpyPlugin {
  @hook('beforeCreate') beforeCreate() { log.push('plugin:beforeCreate'); }
  @hook('afterCreate') afterCreate() { log.push('plugin:afterCreate'); }
  @hook('beforeUpdate') beforeUpdate() { log.push('plugin:beforeUpdate'); }
  @hook('afterUpdate') afterUpdate() { log.push('plugin:afterUpdate'); }
  @hook('beforeDelete') async beforeDelete(entity: OrderRow): Promise<void | false> {
    await Promise.resolve();
    log.push('plugin:beforeDelete');
    if (entity.label === 'keep') {
      entity.note = `${entity.note ?? ''}+plugin`;
      return false;
    }
  }
  @hook('afterDelete') afterDelete() { log.push('plugin:afterDelete'); }
  @hook('afterChange') afterChange(_entity: object, changes: EntityChanges) { log.push(`plugin:afterChange:${changes.kind}`); }
  @hook('afterCommit') afterCommit() { log.push('plugin:afterCommit'); }
  @hook('afterLoad') afterLoad() { log.push('plugin:afterLoad'); }
  @hook('beforeUpsert') beforeUpsert() { log.push('plugin:beforeUpsert'); }
  @hook('beforeBulkUpdate') beforeBulkUpdate() { log.push('plugin:beforeBulkUpdate'); }
  @hook('afterBulkUpdate') afterBulkUpdate() { log.push('plugin:afterBulkUpdate'); }
}

@plugin({ name: 'orderStamp', registry })
export class OrderStampPlugin {
  @hook('afterCreate') afterCreate() { log.push('plugin:afterCreate'); }
}

@withPlugins(['orderSpy'])
@Entity()
class OrderRow {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', unique: true }) label!: string;
  @Property({ type: 'string', nullable: true }) note?: string | null;

  @BeforeCreate() ownBeforeCreate() { log.push('entity:beforeCreate'); }
  @AfterCreate() ownAfterCreate() { log.push('entity:afterCreate'); }
  @BeforeUpdate() ownBeforeUpdate() { log.push('entity:beforeUpdate'); }
  @AfterUpdate() ownAfterUpdate() { log.push('entity:afterUpdate'); }
  @BeforeDelete() async ownBeforeDelete() {
    await Promise.resolve();
    log.push('entity:beforeDelete');
    if (this.label === 'keep') this.note = 'entity';
  }
  @AfterDelete() ownAfterDelete() { log.push('entity:afterDelete'); }
  @OnLoad() ownOnLoad() { log.push('entity:afterLoad'); }
  @BeforeUpsert() ownBeforeUpsert() { log.push('entity:beforeUpsert'); }
  @AfterUpsert() ownAfterUpsert() { log.push('entity:afterUpsert'); }
}

/** Has a plugin, but none that hooks beforeDelete: MikroORM runs that event at the DELETE, as always. */
@withPlugins(['orderStamp'])
@Entity()
class OrderPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @BeforeDelete() ownBeforeDelete() { log.push('entity:beforeDelete'); }
}

/** The plugin event each MikroORM event carries. */
const PLUGIN_EVENT: Record<string, string> = { onLoad: 'afterLoad', afterTransactionCommit: 'afterCommit' };
const ENTITY_EVENTS = ['beforeCreate', 'afterCreate', 'beforeUpdate', 'afterUpdate', 'beforeDelete', 'afterDelete', 'onLoad', 'beforeUpsert', 'afterUpsert'] as const;

/** Logs every entity event (and commits) under its plugin event name, prefixed with `who`. */
function spySubscriber(who: string): EventSubscriber {
  const subscriber: Record<string, unknown> = {
    afterTransactionCommit: (args: TransactionEventArgs) => {
      if (args.transaction && !('savepointName' in args.transaction)) log.push(`${who}:afterCommit`);
    },
    beforeTransactionStart: () => void log.push('transaction'),
  };
  for (const event of ENTITY_EVENTS) {
    subscriber[event] = (args: EventArgs<any>) => {
      if (args.meta?.className === 'OrderRow' || args.entity?.constructor?.name === 'OrderRow') log.push(`${who}:${PLUGIN_EVENT[event] ?? event}`);
    };
  }
  return subscriber as EventSubscriber;
}

/** The log lines of one event, in the order they ran. */
function ofEvent(event: string): string[] {
  return log.filter(line => line.split(':')[1] === event);
}

const RULE = (event: string) => [`entity:${event}`, `subscriber:${event}`, `plugin:${event}`, `late:${event}`];

describeEachDatabase('hook order', db => {
  let orm: TestOrm;

  beforeEach(async () => {
    log.length = 0;
    orm = await db.init({ entities: [OrderRow, OrderPlain], subscribers: [spySubscriber('subscriber')], extensions: [pluginSystem({ registry })] });
    orm.em.getEventManager().registerSubscriber(spySubscriber('late'));
    log.length = 0;
  });
  afterEach(() => orm.close());

  test('create and update: entity hooks, the subscribers option, plugins, later subscribers; afterChange with the plugins', async () => {
    const em = orm.em.fork();
    const row = em.create(OrderRow, { label: 'a' });
    await em.flush();
    expect(ofEvent('beforeCreate')).toEqual(RULE('beforeCreate'));
    expect(ofEvent('afterCreate')).toEqual(RULE('afterCreate'));
    const at = log.indexOf('plugin:afterChange:create');
    expect(log.slice(at - 1, at + 2)).toEqual(['plugin:afterCreate', 'plugin:afterChange:create', 'late:afterCreate']);
    log.length = 0;
    row.note = 'changed';
    await em.flush();
    expect(ofEvent('beforeUpdate')).toEqual(RULE('beforeUpdate'));
    expect(ofEvent('afterUpdate')).toEqual(RULE('afterUpdate'));
    expect(log.indexOf('plugin:afterChange:update')).toBe(log.indexOf('plugin:afterUpdate') + 1);
  });

  test('afterCommit runs at the outermost commit, where the package sits among the subscribers', async () => {
    await orm.em.fork().transactional(async em => {
      em.create(OrderRow, { label: 'c' });
      await em.flush();
      expect(ofEvent('afterCommit')).toEqual([]);
    });
    expect(ofEvent('afterCommit')).toEqual(['subscriber:afterCommit', 'plugin:afterCommit', 'late:afterCommit']);
  });

  test('afterLoad: after the entity\'s @OnLoad and the subscribers option, before later subscribers', async () => {
    await orm.em.fork().persist(orm.em.create(OrderRow, { label: 'l' }, { persist: false })).flush();
    log.length = 0;
    await orm.em.fork().findOneOrFail(OrderRow, { label: 'l' });
    expect(ofEvent('afterLoad')).toEqual(RULE('afterLoad'));
  });

  test('beforeDelete: the whole event runs once, in the same order, inside the flush transaction', async () => {
    const em = orm.em.fork();
    const row = em.create(OrderRow, { label: 'gone' });
    await em.flush();
    log.length = 0;
    em.remove(row);
    await em.flush();
    expect(ofEvent('beforeDelete')).toEqual(RULE('beforeDelete'));
    // Run in onFlush, so a veto can still keep the row, in a transaction opened before it: one transaction, what the hooks read is part of it.
    expect(log.indexOf('transaction')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('transaction')).toBeLessThan(log.indexOf('entity:beforeDelete'));
    expect(log.slice(log.indexOf('entity:beforeDelete'))).not.toContain('transaction');
    expect(ofEvent('afterDelete')).toEqual(RULE('afterDelete'));
    expect(await orm.em.fork().count(OrderRow)).toBe(0);
  });

  test('a vetoed delete: the entity hooks and the subscribers option ran first, later subscribers never see it', async () => {
    const em = orm.em.fork();
    const row = em.create(OrderRow, { label: 'keep' });
    await em.flush();
    log.length = 0;
    em.remove(row);
    await em.flush();
    expect(ofEvent('beforeDelete')).toEqual(['entity:beforeDelete', 'subscriber:beforeDelete', 'plugin:beforeDelete']);
    expect(ofEvent('afterDelete')).toEqual([]);
    // The row stays; what the hooks changed, the entity's own included, is saved as an update.
    expect(ofEvent('afterUpdate')).toEqual(RULE('afterUpdate'));
    const kept = await orm.em.fork().findOneOrFail(OrderRow, { label: 'keep' });
    expect(kept.note).toBe('entity+plugin');
  });

  test('a vetoed delete in a transaction that rolls back leaves the row as it was', async () => {
    await orm.em.fork().persist(orm.em.create(OrderRow, { label: 'keep' }, { persist: false })).flush();
    await expect(
      orm.em.fork().transactional(async em => {
        em.remove(await em.findOneOrFail(OrderRow, { label: 'keep' }));
        await em.flush();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await orm.em.fork().findOneOrFail(OrderRow, { label: 'keep' })).note).toBeNull();
  });

  test('an entity whose plugins do not hook beforeDelete keeps MikroORM\'s timing, once', async () => {
    const em = orm.em.fork();
    const row = em.create(OrderPlain, {});
    await em.flush();
    log.length = 0;
    em.remove(row);
    await em.flush();
    expect(log.filter(line => line === 'entity:beforeDelete')).toEqual(['entity:beforeDelete']);
    expect(log.indexOf('entity:beforeDelete')).toBeGreaterThan(log.indexOf('transaction'));
  });

  test('beforeUpsert: once per row, in the same order, for data objects and entities, upsert and upsertMany', async () => {
    const em = orm.em.fork();
    await em.upsert(OrderRow, { label: 'u', note: 'x' });
    expect(ofEvent('beforeUpsert')).toEqual(RULE('beforeUpsert'));
    log.length = 0;
    await em.upsertMany(OrderRow, [{ label: 'v' }, { label: 'w' }]);
    expect(ofEvent('beforeUpsert')).toEqual([...RULE('beforeUpsert'), ...RULE('beforeUpsert')]);
    log.length = 0;
    await orm.em.fork().upsert(orm.em.create(OrderRow, { label: 'z' }, { persist: false }));
    expect(ofEvent('beforeUpsert')).toEqual(RULE('beforeUpsert'));
    expect(ofEvent('afterUpsert')).toEqual(['entity:afterUpsert', 'subscriber:afterUpsert', 'late:afterUpsert']);
  });

  test('bulk events have no MikroORM counterpart: they run around the SQL of the call', async () => {
    await orm.em.fork().persist(orm.em.create(OrderRow, { label: 'b' }, { persist: false })).flush();
    log.length = 0;
    await orm.em.fork().nativeUpdate(OrderRow, { label: 'b' }, { note: 'bulk' });
    expect(log.filter(line => !line.startsWith('transaction') && !line.endsWith('afterCommit'))).toEqual(['plugin:beforeBulkUpdate', 'plugin:afterBulkUpdate']);
  });
});
