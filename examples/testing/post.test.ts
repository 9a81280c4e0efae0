import { afterEach, beforeEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog, history } from 'mikro-orm-plugins/audit';
import { createTestOrm, expectChain, fakeClock, recordHooks, testRegistry, withActor, type TestOrm, type TestOrmOptions } from 'mikro-orm-plugins/testing';
import { Post } from './entities.js';
import { ExcerptPlugin } from './excerpt-plugin.js';

const clock = fakeClock('2030-01-01T00:00:00.000Z');
let orm: TestOrm;

async function start(options: Partial<TestOrmOptions> = {}): Promise<TestOrm> {
  return createTestOrm({
    entities: [Post],
    // A registry of this test's own: the built-ins, the plugin under test, and audit.
    registry: testRegistry(ExcerptPlugin, AuditPlugin),
    // Merged into Post's own timestamp entry: the hooks read the fake clock.
    entityPlugins: { Post: [{ timestamp: { now: clock.now } }] },
    extensions: [auditLog()],
    ...options,
  });
}

beforeEach(async () => {
  clock.set('2030-01-01T00:00:00.000Z');
  orm = await start();
});

afterEach(() => orm.close());

test('the create chain runs timestamp, then excerpt', () => {
  expectChain(orm, Post, 'beforeCreate', ['timestamp.stampCreate', 'excerpt.fill']);
});

test('a wrong chain fails with both chains in the message', () => {
  expect(() => expectChain(orm, Post, 'beforeCreate', ['excerpt.fill'])).toThrow(/expected: excerpt\.fill\n {2}actual: {3}timestamp\.stampCreate\(-100\) -> excerpt\.fill\(-10\)/);
});

test('the recorder sees which hooks ran, in order, with their arguments', async () => {
  const recorder = recordHooks(orm);
  const post = orm.em.create(Post, { title: 'Hello', body: 'A body long enough to be cut short.' });
  await orm.em.flush();
  expect(recorder.hooks({ entity: Post, event: 'beforeCreate' })).toEqual(['timestamp.stampCreate', 'excerpt.fill']);
  expect(recorder.calls[1]).toMatchObject({ hook: 'excerpt.fill', event: 'beforeCreate', entity: 'Post', args: [post] });
  expect(post.excerpt).toBe('A body long enough t…');
  recorder.stop();
});

test('the fake clock sets createdAt and updatedAt', async () => {
  const post = orm.em.create(Post, { title: 'Dated', body: 'Short body.' });
  await orm.em.flush();
  expect(post.createdAt).toEqual(new Date('2030-01-01T00:00:00.000Z'));

  clock.advance(60_000);
  post.title = 'Dated, edited';
  await orm.em.flush();
  expect(post.createdAt).toEqual(new Date('2030-01-01T00:00:00.000Z'));
  expect(post.updatedAt).toEqual(new Date('2030-01-01T00:01:00.000Z'));
});

test('switched off, a plugin stays attached but runs no hook', async () => {
  await orm.close();
  orm = await start({ disabled: ['excerpt'] });
  const post = orm.em.create(Post, { title: 'Plain', body: 'No excerpt for this one.' });
  await orm.em.flush();
  expect(post.excerpt).toBeUndefined();
  expectChain(orm, Post, 'beforeCreate', ['timestamp.stampCreate']);
});

test('audit rows record the actor withActor names', async () => {
  const post = await withActor('alice', async () => {
    const em = orm.em.fork();
    const created = em.create(Post, { title: 'Audited', body: 'Who wrote this?' });
    await em.flush();
    return created;
  });
  const [row] = await history(orm.em.fork(), Post, post.id);
  expect(row).toMatchObject({ operation: 'create', actor: 'alice' });
});
