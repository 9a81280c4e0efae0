// peers: the insert and update workloads of flush-insert and flush-update (all rows in one operation) with
// equivalent timestamp and validation hooks in Sequelize (model hooks) and TypeORM (an entity subscriber),
// beside MikroORM's hand-written hooks and our plugins. Each ORM's own with-hooks ÷ without-hooks ratio is
// what compares across ORMs: the absolute times measure each ORM's write path, not its hooks.
//
// Databases: PostgreSQL (127.0.0.1:5432) for all three; SQLite in memory for MikroORM and TypeORM
// (better-sqlite3, the copy @mikro-orm/sqlite installed in the root node_modules). Sequelize's SQLite
// dialect needs the `sqlite3` package, whose install downloads a prebuilt binary, which cannot be fetched here.
//
// The peer ORMs live in benchmarks/package.json (dev dependencies of the benchmarks only):
// `npm install --prefix benchmarks`, which the runner does when this scenario is selected and they are missing.
// Run through `npm run bench -- peers`. A benchmark, never a test: nothing asserts on time.
import os from 'node:os';
import { databases, pgDatabase, settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds, timed } from './lib/harness.mjs';
import { DATABASE_LABELS, emptyTable, itemData, itemRules, variantOrm } from './lib/mikro.mjs';
import { pgAvailable } from './lib/pg.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './lib/results.mjs';

let Sequelize, DataTypes, DataSource, TypeormSchema, EventSubscriber;
try {
  ({ Sequelize, DataTypes } = await import('sequelize'));
  ({ DataSource, EntitySchema: TypeormSchema, EventSubscriber } = await import('typeorm'));
} catch (error) {
  console.error(`peers: the peer ORMs are not installed (${error.message}). Run \`npm install --prefix benchmarks\`, or \`npm run bench -- peers\`, which does it.`);
  process.exit(2);
}

// 3,000 rows by default, not the 10,000 of flush-insert/flush-update: Sequelize and TypeORM update one row per statement
// (about 5 s per 10,000-row sample here), which would take the full run past 10 minutes. `--rows=10000` runs the full size.
const cfg = settings({ rounds: 4, warmup: 1, rows: 3000, smoke: { rows: 40 } });
const dbs = [];
const skipped = {};
for (const db of databases(['postgresql', 'sqlite-memory'])) {
  if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
  else dbs.push(db);
}
skipped['sequelize/sqlite-memory'] = "Sequelize's SQLite dialect needs the sqlite3 package, whose install downloads a prebuilt binary (no network here)";
console.log(`peers: ${cfg.rows} rows, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}`);

/** The validation every ORM's hooks run: the zod schema of the MikroORM variants. */
function check(entity) {
  const result = itemRules.safeParse(entity);
  if (!result.success) throw new Error(`invalid: ${result.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

const newData = i => itemData(i + 1);
const changed = (item, sample) => {
  item.name = `item ${item.id} v${sample}`;
  item.age = (item.age + 1) % 100;
};

// ------------------------------------------------------------------------------------------ MikroORM
async function mikro(db) {
  const out = {};
  for (const variant of ['a', 'b', 'c']) {
    const v = await variantOrm({ scenario: 'peers', db, variant, behaviour: { timestamps: true, validation: true } });
    out[variant] = {
      close: v.close,
      insert: {
        op: async () => {
          const em = v.orm.em.fork();
          for (let i = 0; i < cfg.rows; i++) em.create(v.entity, newData(i));
          return timed(() => em.flush());
        },
        prepare: () => emptyTable(v.orm, v.table, db),
      },
      update: updateOps(async () => {
        const em = v.orm.em.fork();
        const items = await em.find(v.entity, {});
        return { items, save: () => em.flush() };
      }),
      check: async () => {
        const em = v.orm.em.fork();
        em.create(v.entity, { name: '', email: 'nope', age: -1 });
        return rejects(() => em.flush());
      },
      empty: () => emptyTable(v.orm, v.table, db),
    };
  }
  return out;
}

function updateOps(load) {
  let sample = 0;
  return {
    op: async () => {
      sample++;
      const { items, save } = await load();
      if (items.length !== cfg.rows) throw new Error(`update: loaded ${items.length} rows`);
      for (const item of items) changed(item, sample);
      return timed(save);
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
async function sequelize() {
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
    insert: {
      op: () => timed(() => Model.bulkCreate(Array.from({ length: cfg.rows }, (_, i) => newData(i)), bulkOptions)),
      prepare: () => Model.truncate({ restartIdentity: true }),
    },
    update: updateOps(async () => {
      const items = await Model.findAll({ order: [['id', 'ASC']] });
      return { items, save: () => seq.transaction(async transaction => { for (const item of items) await item.save({ transaction }); }) };
    }),
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
async function typeorm(db) {
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
      insert: {
        op: () => {
          const items = Array.from({ length: cfg.rows }, (_, i) => repo.create(newData(i)));
          return timed(() => repo.save(items));
        },
        prepare: () => empty(repo),
      },
      update: updateOps(async () => {
        const items = await repo.find({ order: { id: 'ASC' } });
        return { items, save: () => repo.save(items) };
      }),
      check: () => rejects(() => repo.save(repo.create({ name: '', email: 'nope', age: -1 }))),
      empty: () => empty(repo),
    };
  };
  return { plain: ops(Plain), hooked: ops(Hooked), close: () => ds.destroy() };
}

// ------------------------------------------------------------------------------------------ cases
const systems = []; // { orm, db, variants: { key: { insert, update, check, empty } }, close }
for (const db of dbs) {
  const m = await mikro(db);
  systems.push({ orm: 'MikroORM', db, variants: { plain: m.a, hooked: m.b, ours: m.c }, close: () => Promise.all(Object.values(m).map(v => v.close())) });
  if (db === 'postgresql') {
    const s = await sequelize();
    systems.push({ orm: 'Sequelize', db, variants: { plain: s.plain, hooked: s.hooked, individual: s.individual }, close: s.close });
  }
  const t = await typeorm(db);
  systems.push({ orm: 'TypeORM', db, variants: { plain: t.plain, hooked: t.hooked }, close: t.close });
}

// Before timing: the variants with hooks reject an invalid row and stamp the rows; those without write both.
for (const s of systems) {
  for (const [key, v] of Object.entries(s.variants)) {
    const rejected = await v.check();
    if (rejected !== (key !== 'plain')) throw new Error(`${s.orm} ${key} on ${s.db}: an invalid row was ${rejected ? 'rejected' : 'written'}`);
    await v.empty();
  }
}

const cases = [];
for (const s of systems) {
  const insertVariants = Object.fromEntries(Object.entries(s.variants).map(([k, v]) => [k, v.insert]));
  cases.push({ id: `${s.orm}/${s.db}/insert`, orm: s.orm, db: s.db, workload: 'insert', variants: insertVariants });
  const updateVariants = Object.fromEntries(Object.entries(s.variants).filter(([k]) => k !== 'individual').map(([k, v]) => [k, v.update]));
  // Each update changes the rows the same variant's insert wrote earlier in the round (the insert empties the table first).
  cases.push({ id: `${s.orm}/${s.db}/update`, orm: s.orm, db: s.db, workload: 'update', variants: updateVariants });
}

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'peers' });
const loadAfter = os.loadavg();
for (const s of systems) await s.close();

const LABELS = {
  plain: 'without hooks',
  hooked: 'with hooks',
  ours: 'with our plugins',
  individual: 'with hooks, individualHooks: true',
};
const HOOKS = {
  MikroORM: 'hand-written: entity hooks (timestamps) + subscriber (zod); ours: timestamp + validation plugins',
  Sequelize: 'model hooks: beforeBulkCreate (insert; individualHooks row: beforeCreate per instance) and beforeUpdate, setting timestamps and running zod',
  TypeORM: 'entity subscriber: beforeInsert / beforeUpdate setting timestamps and running zod',
};
const WORKLOADS = {
  MikroORM: { insert: 'em.create() × N, one em.flush()', update: 'em.find() all (untimed), change each, one em.flush()' },
  Sequelize: { insert: 'Model.bulkCreate(N rows)', update: 'Model.findAll() (untimed), change each, instance.save() each in one transaction' },
  TypeORM: { insert: 'repository.save(N new entities)', update: 'repository.find() all (untimed), change each, repository.save(all)' },
};
const results = cases.map(c => {
  const s = samples.get(c.id);
  const figures = Object.fromEntries(Object.keys(c.variants).map(k => [k, { label: LABELS[k], ms: figure(s[k]) }]));
  const ratios = Object.fromEntries(Object.keys(c.variants).filter(k => k !== 'plain').map(k => [k, ratio(s, k, 'plain')]));
  return { orm: c.orm, db: c.db, database: DATABASE_LABELS[c.db], workload: c.workload, how: WORKLOADS[c.orm][c.workload], hooks: HOOKS[c.orm], figures, ratiosToWithoutHooks: ratios };
});
// Target: our ratio is the lowest among the ORMs, per database and workload.
const targets = [];
for (const db of dbs) {
  for (const workload of ['insert', 'update']) {
    const rows = results.filter(r => r.db === db && r.workload === workload);
    const ours = rows.find(r => r.orm === 'MikroORM')?.ratiosToWithoutHooks.ours.median;
    const peers = rows.filter(r => r.orm !== 'MikroORM').map(r => ({ orm: r.orm, ratio: r.ratiosToWithoutHooks.hooked.median }));
    const best = Math.min(...peers.map(p => p.ratio));
    targets.push({ db, workload, ours, peers, met: peers.length > 0 ? ours <= best : null });
  }
}

const json = {
  benchmark: 'peers',
  title: 'Peers: with-hooks ÷ without-hooks, per ORM',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: {
    '@mikro-orm/core': version('@mikro-orm/core'),
    sequelize: version('sequelize'),
    typeorm: version('typeorm'),
    pg: version('pg'),
    'better-sqlite3': version('better-sqlite3'),
    zod: version('zod'),
  },
  settings: { ...cfg, smoke },
  method:
    `${cfg.warmup} warm-up + ${cfg.rounds} round(s); each round runs every case, its variants in an order rotated each round, full GC before each sample. ` +
    'A sample is the one operation writing all rows (loads before an update untimed). Each ORM’s ratio is its with-hooks sample ÷ its without-hooks sample ' +
    'of the same round, then the median over rounds.',
  skipped,
  seconds,
  results,
  targets,
};

const md = [];
md.push(`# ${json.title}`);
md.push('');
md.push(
  `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}; @mikro-orm/core ${json.packages['@mikro-orm/core']}, ` +
    `sequelize ${json.packages.sequelize}, typeorm ${json.packages.typeorm}, pg ${json.packages.pg}, better-sqlite3 ${json.packages['better-sqlite3']}` +
    `; load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${load.join(', ')})` +
    (json.commit ? `, commit ${json.commit}` : '') +
    `. ${cfg.rows.toLocaleString('en')} rows per operation, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${seconds} s. Regenerate with \`npm run bench -- peers\`.`,
);
if (smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
md.push('');
md.push('| ORM | database | workload | without hooks ms | with hooks ms | with-hooks ÷ without | ours ms | ours ÷ without |');
md.push('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const f = k => (r.figures[k] ? `${fmt(r.figures[k].ms.median)} (${fmt(r.figures[k].ms.min)}–${fmt(r.figures[k].ms.max)})` : '—');
  const q = k => (r.ratiosToWithoutHooks[k] ? `${fmtRatio(r.ratiosToWithoutHooks[k].median)} (${fmtRatio(r.ratiosToWithoutHooks[k].min)}–${fmtRatio(r.ratiosToWithoutHooks[k].max)})` : '—');
  md.push(`| ${r.orm} | ${r.database} | ${r.workload} | ${f('plain')} | ${f('hooked')} | ${q('hooked')} | ${f('ours')} | ${q('ours')} |`);
  if (r.figures.individual) md.push(`| Sequelize, individualHooks | ${r.database} | ${r.workload} | ${f('plain')} | ${f('individual')} | ${q('individual')} | — | — |`);
}
md.push('');
for (const r of results.filter(x => x.workload === 'insert')) md.push(`- ${r.orm} (${r.database}): ${r.hooks}. Insert: ${r.how}; update: ${WORKLOADS[r.orm].update}.`);
md.push('');
for (const t of targets) {
  md.push(
    `- ${DATABASE_LABELS[t.db]}, ${t.workload}: ours ${fmtRatio(t.ours)} vs ${t.peers.map(p => `${p.orm} ${fmtRatio(p.ratio)}`).join(', ')}: ` +
      (t.met === null ? 'no peer on this database' : t.met ? 'ours is the lowest (met)' : '**ours is not the lowest (missed)**'),
  );
}
md.push('', `Not measured: ${Object.entries(skipped).map(([k, v]) => `${k}: ${v}`).join('; ')}.`);
writeResults('peers', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
