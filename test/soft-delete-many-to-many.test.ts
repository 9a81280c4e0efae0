// softCascade along many-to-many relations named in `cascade`: removing the owner soft-deletes the
// related rows in its batch, from either side of the relation; the pivot rows stay, so a cascade
// restore finds the rows again and the relation reads as before.
import { Cascade, Collection, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, hardDelete, pluginSystem, restore, withDeleted, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ softDelete: SoftDeletePlugin });

/** Owning side. */
@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['tags'] } }])
@Entity()
class MnPost {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToMany({ entity: () => MnTag }) tags = new Collection<MnTag>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

@withPlugins(['softDelete'])
@Entity()
class MnTag {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

/** Inverse side: the members own the relation. */
@withPlugins([{ softDelete: { policy: 'softCascade', cascade: ['members'] } }])
@Entity()
class MnClub {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany({ entity: () => MnMember, mappedBy: 'clubs' }) members = new Collection<MnMember>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

@withPlugins(['softDelete'])
@Entity()
class MnMember {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany({ entity: () => MnClub, inversedBy: 'members' }) clubs = new Collection<MnClub>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

/** `soft` policy: MikroORM's own Cascade.Remove takes the loaded labels, which join the album's batch. */
@withPlugins(['softDelete'])
@Entity()
class MnAlbum {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @ManyToMany({ entity: () => MnTag, cascade: [Cascade.PERSIST, Cascade.REMOVE] }) labels = new Collection<MnTag>(this);
  deletedAt?: Date | null;
  deletionBatch?: string | null;
}

const entities = [MnPost, MnTag, MnClub, MnMember, MnAlbum];
const earlier = new Date('2020-01-02T03:04:05.000Z');
const names = (rows: readonly { name: string }[]) => rows.map(r => r.name).sort();

describeEachDatabase('soft delete: softCascade along many-to-many relations', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));

  test('removing the owner soft-deletes its related rows in its batch, loaded or not; rows deleted before keep theirs; the pivot rows stay', async () => {
    const o = await init();
    const setup = o.em.fork();
    const news = setup.create(MnTag, { name: 'news' });
    const old = setup.create(MnTag, { name: 'old', deletedAt: earlier, deletionBatch: 'before' });
    const other = setup.create(MnTag, { name: 'other' });
    const post = setup.create(MnPost, { title: 'post', tags: [news, old] });
    setup.create(MnPost, { title: 'kept', tags: [news, other] });
    await setup.flush();

    const em = o.em.fork();
    const loaded = await em.findOneOrFail(MnPost, post.id);
    em.remove(loaded);
    await em.flush();
    // The other post's tags loaded: MikroORM leaves loaded collections as they are.
    const kept = await o.em.fork().findOneOrFail(MnPost, { title: 'kept' }, { populate: ['tags'], ...withDeleted() });
    expect(names(kept.tags.getItems())).toEqual(['news', 'other']);

    const read = o.em.fork();
    const tags = await read.find(MnTag, {}, { ...withDeleted(), orderBy: { name: 'asc' } });
    expect(tags.map(t => [t.name, t.deletionBatch ?? null])).toEqual([
      ['news', loaded.deletionBatch],
      ['old', 'before'],
      ['other', null],
    ]);
    expect(names(await read.find(MnTag, {}))).toEqual(['other']);
    const again = await o.em.fork().findOneOrFail(MnPost, post.id, { ...withDeleted(), populate: ['tags'] });
    expect(names(again.tags.getItems())).toEqual(['news', 'old']);
  });

  test('with the collection loaded, the pivot rows stay too', async () => {
    const o = await init();
    const setup = o.em.fork();
    const post = setup.create(MnPost, { title: 'post', tags: [setup.create(MnTag, { name: 'news' }), setup.create(MnTag, { name: 'misc' })] });
    await setup.flush();
    const em = o.em.fork();
    em.remove(await em.findOneOrFail(MnPost, post.id, { populate: ['tags'] }));
    await em.flush();
    expect(await o.em.fork().count(MnTag, {})).toBe(0);
    const again = await o.em.fork().findOneOrFail(MnPost, post.id, { ...withDeleted(), populate: ['tags'] });
    expect(names(again.tags.getItems())).toEqual(['misc', 'news']);
  });

  test('from the inverse side too', async () => {
    const o = await init();
    const setup = o.em.fork();
    const club = setup.create(MnClub, { name: 'club' });
    setup.create(MnMember, { name: 'ann', clubs: [club] });
    setup.create(MnMember, { name: 'bob', clubs: [club] });
    setup.create(MnMember, { name: 'cy' });
    await setup.flush();

    const em = o.em.fork();
    const removed = await em.findOneOrFail(MnClub, club.id);
    em.remove(removed);
    await em.flush();
    expect(names(await o.em.fork().find(MnMember, {}))).toEqual(['cy']);
    expect(names(await o.em.fork().find(MnMember, { deletionBatch: removed.deletionBatch! }, withDeleted()))).toEqual(['ann', 'bob']);
  });

  test('a cascade restore brings back the rows of the batch, linked as before', async () => {
    const o = await init();
    const setup = o.em.fork();
    const news = setup.create(MnTag, { name: 'news' });
    const old = setup.create(MnTag, { name: 'old', deletedAt: earlier, deletionBatch: 'before' });
    const post = setup.create(MnPost, { title: 'post', tags: [news, old] });
    await setup.flush();
    const remover = o.em.fork();
    remover.remove(await remover.findOneOrFail(MnPost, post.id));
    await remover.flush();

    const em = o.em.fork();
    await restore(em, await em.findOneOrFail(MnPost, post.id, withDeleted()), { cascade: true });
    await em.flush();
    const back = await o.em.fork().findOneOrFail(MnPost, post.id, { populate: ['tags'] });
    expect(names(back.tags.getItems())).toEqual(['news']);
    expect((await o.em.fork().findOneOrFail(MnTag, old.id, withDeleted())).deletionBatch).toBe('before');
  });

  test('Cascade.Remove (soft policy): the loaded rows MikroORM cascades to join the batch; a cascade restore brings them back, linked', async () => {
    const o = await init();
    const setup = o.em.fork();
    const album = setup.create(MnAlbum, { name: 'album', labels: [setup.create(MnTag, { name: 'a' }), setup.create(MnTag, { name: 'b' })] });
    await setup.flush();
    const em = o.em.fork();
    const removed = await em.findOneOrFail(MnAlbum, album.id, { populate: ['labels'] });
    em.remove(removed);
    await em.flush();
    const tags = await o.em.fork().find(MnTag, {}, withDeleted());
    expect(tags.map(t => t.deletionBatch)).toEqual([removed.deletionBatch, removed.deletionBatch]);
    const editor = o.em.fork();
    await restore(editor, await editor.findOneOrFail(MnAlbum, album.id, withDeleted()), { cascade: true });
    await editor.flush();
    const back = await o.em.fork().findOneOrFail(MnAlbum, album.id, { populate: ['labels'] });
    expect(names(back.labels.getItems())).toEqual(['a', 'b']);
  });

  test('hardDelete takes the related rows with it, soft-deleted ones included', async () => {
    const o = await init();
    const setup = o.em.fork();
    const post = setup.create(MnPost, { title: 'post', tags: [setup.create(MnTag, { name: 'news' }), setup.create(MnTag, { name: 'old', deletedAt: earlier })] });
    setup.create(MnTag, { name: 'other' });
    await setup.flush();
    const em = o.em.fork();
    await hardDelete(em, await em.findOneOrFail(MnPost, post.id));
    expect(names(await o.em.fork().find(MnTag, {}, withDeleted()))).toEqual(['other']);
    expect(await o.em.fork().count(MnPost, {}, withDeleted())).toBe(0);
  });
});
