// The ORMs of the peers benchmark, each with and without equivalent timestamp and validation hooks:
// MikroORM (bare, hand-written hooks, our plugins), Sequelize (model hooks) and TypeORM (an entity subscriber).
// Every variant offers the same operations: insert, update, check (an invalid row is rejected or written), empty.
import { pgDatabase } from './cli.mjs';
import { timed } from './harness.mjs';
import { emptyTable, itemData, itemRules, variantOrm } from './mikro.mjs';

let Sequelize, DataTypes, DataSource, TypeormSchema, EventSubscriber;
try {
  ({ Sequelize, DataTypes } = await import('sequelize'));
  ({ DataSource, EntitySchema: TypeormSchema, EventSubscriber } = await import('typeorm'));
} catch (error) {
  console.error(`peers: the peer ORMs are not installed (${error.message}). Run \`npm install --prefix benchmarks\`, or \`npm run bench -- peers\`, which does it.`);
  process.exit(2);
}

let rows = 0;

/** The rows every operation writes (set before building the ORMs). */
export const setRows = n => {
  rows = n;
};

/** The validation every ORM's hooks run: the zod schema of the MikroORM variants. */
function check(entity) {
  const result = itemRules.safeParse(entity);
  if (!result.success) throw new Error(`invalid: ${result.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

const newData = i => itemData(i + 1);
/** What an update changes in each row. */
export const changed = (item, sample) => {
  item.name = `item ${item.id} v${sample}`;
  item.age = (item.age + 1) % 100;
};

// ------------------------------------------------------------------------------------------ MikroORM
/** Variants a, b, c (lib/mikro.mjs), and f: bare MikroORM doing the hooks' work by hand before each flush. */
export async function mikro(db, variants = ['a', 'b', 'c']) {
  const out = {};
  for (const variant of variants) {
    const v = await variantOrm({ scenario: 'peers', db, variant, behaviour: { timestamps: true, validation: true } });
    const write = em => (variant === 'f' ? byHand(em) : em.flush());
    out[variant] = {
      close: v.close,
      stageInsert: () => {
        const em = v.orm.em.fork();
        for (let i = 0; i < rows; i++) em.create(v.entity, newData(i));
        return () => write(em);
      },
      load: async () => {
        const em = v.orm.em.fork();
        const items = await em.find(v.entity, {});
        return { items, save: () => write(em) };
      },
      check: async () => {
        const em = v.orm.em.fork();
        em.create(v.entity, { name: '', email: 'nope', age: -1 });
        return rejects(() => write(em));
      },
      empty: () => emptyTable(v.orm, v.table, db),
    };
  }
  return out;
}

/**
 * The floor: the hooks' work done by hand, with no hook, before a bare flush. New entities get both dates,
 * loaded ones (all changed by the update) `updatedAt`, one date per flush as our timestamp plugin sets; each
 * gets the zod parse.
 */
function byHand(em) {
  const now = new Date();
  const uow = em.getUnitOfWork();
  const fresh = uow.getPersistStack();
  for (const entity of fresh.size > 0 ? fresh : uow.getIdentityMap().values()) {
    if (fresh.size > 0) entity.createdAt = now;
    entity.updatedAt = now;
    check(entity);
  }
  return em.flush();
}

/** A variant's timed operations: the write of every row, staged untimed (entities built, rows loaded and changed). */
function benchOps(v) {
  let sample = 0;
  return {
    ...v,
    insert: { op: () => timed(v.stageInsert()), prepare: v.empty },
    update: {
      op: async () => {
        sample++;
        const { items, save } = await v.load();
        if (items.length !== rows) throw new Error(`update: loaded ${items.length} rows`);
        for (const item of items) changed(item, sample);
        return timed(save);
      },
    },
  };
}

async function rejects(fn) {
  try {
    await fn();
    return false;
  } catch {
    return true;
  }
}

// ------------------------------------------------------------------------------------------ Sequelize
export async function sequelize() {
  const seq = new Sequelize(`postgres://postgres@127.0.0.1:5432/${pgDatabase}`, { logging: false, pool: { min: 1, max: 2 } });
  const attributes = {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    name: { type: DataTypes.STRING, allowNull: false },
    email: { type: DataTypes.STRING, allowNull: false },
    age: { type: DataTypes.INTEGER, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: true },
    updatedAt: { type: DataTypes.DATE, allowNull: true },
    deletedAt: { type: DataTypes.DATE, allowNull: true },
  };
  // Sequelize's own automatic timestamps are off in both models: the hooks are the timestamps.
  const Plain = seq.define('PeerSeqPlain', attributes, { tableName: 'bench_peers_seq_plain', timestamps: false });
  const stamp = (instance, create) => {
    const now = new Date();
    if (create) instance.createdAt ??= now;
    instance.updatedAt = create ? (instance.updatedAt ?? now) : now;
    check(instance);
  };
  const Hooked = seq.define('PeerSeqHooked', attributes, {
    tableName: 'bench_peers_seq_hooked',
    timestamps: false,
    hooks: {
      // bulkCreate fires beforeBulkCreate once with every instance; per-instance beforeCreate only with individualHooks.
      beforeBulkCreate(instances) {
        for (const instance of instances) stamp(instance, true);
      },
      beforeCreate(instance) {
        stamp(instance, true);
      },
      beforeUpdate(instance) {
        stamp(instance, false);
      },
    },
  });
  await seq.sync({ force: true });
  const ops = (Model, bulkOptions = {}) => ({
    stageInsert: () => {
      const data = Array.from({ length: rows }, (_, i) => newData(i));
      return () => Model.bulkCreate(data, bulkOptions);
    },
    load: async () => {
      const items = await Model.findAll({ order: [['id', 'ASC']] });
      return { items, save: () => seq.transaction(async transaction => { for (const item of items) await item.save({ transaction }); }) };
    },
    check: () => rejects(() => Model.bulkCreate([{ name: '', email: 'nope', age: -1 }], bulkOptions)),
    empty: () => Model.truncate({ restartIdentity: true }),
  });
  return {
    plain: ops(Plain),
    hooked: ops(Hooked),
    individual: ops(Hooked, { individualHooks: true }),
    close: () => seq.close(),
  };
}

// ------------------------------------------------------------------------------------------ TypeORM
export async function typeorm(db) {
  const columns = {
    id: { type: Number, primary: true, generated: true },
    name: { type: String },
    email: { type: String },
    age: { type: Number },
    createdAt: { type: db === 'postgresql' ? 'timestamptz' : 'datetime', nullable: true },
    updatedAt: { type: db === 'postgresql' ? 'timestamptz' : 'datetime', nullable: true },
    deletedAt: { type: db === 'postgresql' ? 'timestamptz' : 'datetime', nullable: true },
  };
  const Plain = new TypeormSchema({ name: 'PeerTypeormPlain', tableName: 'bench_peers_typeorm_plain', columns });
  const Hooked = new TypeormSchema({ name: 'PeerTypeormHooked', tableName: 'bench_peers_typeorm_hooked', columns });
  /** The idiomatic TypeORM way: an entity subscriber for the one entity. */
  class StampAndValidate {
    listenTo() {
      return 'PeerTypeormHooked';
    }
    beforeInsert(event) {
      const now = new Date();
      event.entity.createdAt ??= now;
      event.entity.updatedAt ??= now;
      check(event.entity);
    }
    beforeUpdate(event) {
      event.entity.updatedAt = new Date();
      check(event.entity);
    }
  }
  // What `@EventSubscriber()` on the class does (plain .mjs has no decorators).
  EventSubscriber()(StampAndValidate);
  const options =
    db === 'postgresql'
      ? { type: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: pgDatabase, poolSize: 2 }
      : { type: 'better-sqlite3', database: ':memory:' };
  const ds = new DataSource({ ...options, entities: [Plain, Hooked], subscribers: [StampAndValidate], synchronize: false, logging: false });
  await ds.initialize();
  for (const table of ['bench_peers_typeorm_plain', 'bench_peers_typeorm_hooked']) await ds.query(`drop table if exists ${table}`);
  await ds.synchronize();
  const empty = async repo => {
    const table = repo.metadata.tableName;
    if (db === 'postgresql') await ds.query(`truncate table ${table} restart identity`);
    else await ds.query(`delete from ${table}`);
  };
  const ops = schema => {
    const repo = ds.getRepository(schema);
    return {
      stageInsert: () => {
        const items = Array.from({ length: rows }, (_, i) => repo.create(newData(i)));
        return () => repo.save(items);
      },
      load: async () => {
        const items = await repo.find({ order: { id: 'ASC' } });
        return { items, save: () => repo.save(items) };
      },
      check: () => rejects(() => repo.save(repo.create({ name: '', email: 'nope', age: -1 }))),
      empty: () => empty(repo),
    };
  };
  return { plain: ops(Plain), hooked: ops(Hooked), close: () => ds.destroy() };
}

/** Every ORM on every database in `dbs`, writing `rowCount` rows per operation. */
export async function peerSystems(dbs, rowCount) {
  setRows(rowCount);
  const systems = []; // { orm, db, variants: { key: { insert, update, check, empty } }, close }
  for (const db of dbs) {
    const m = await mikro(db);
    systems.push({ orm: 'MikroORM', db, variants: { plain: benchOps(m.a), hooked: benchOps(m.b), ours: benchOps(m.c) }, close: () => Promise.all(Object.values(m).map(v => v.close())) });
    if (db === 'postgresql') {
      const s = await sequelize();
      systems.push({ orm: 'Sequelize', db, variants: { plain: benchOps(s.plain), hooked: benchOps(s.hooked), individual: benchOps(s.individual) }, close: s.close });
    }
    const t = await typeorm(db);
    systems.push({ orm: 'TypeORM', db, variants: { plain: benchOps(t.plain), hooked: benchOps(t.hooked) }, close: t.close });
  }
  return systems;
}
