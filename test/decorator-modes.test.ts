// The decorators must work under `experimentalDecorators` and as standard (TC39) decorators.
// Each mode compiles the package source plus a small fixture with `tsc`, then runs it on SQLite.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PluginInfo } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const modes = ['legacy', 'standard'] as const;
type Mode = (typeof modes)[number];

interface HookInfo {
  event: string;
  method: string;
  priority: number;
}
interface Summary {
  standardDecorators: boolean;
  plugins: Record<string, PluginInfo | null>;
  setups: string[];
  properties: Record<string, string[]>;
  chains: Record<string, Record<string, (HookInfo & { plugin: string })[]>>;
  createCalls: string[];
  updateCalls: string[];
  stored: Record<string, { title: string; createdAt: boolean; updatedAt: boolean; updatedAtRestamped?: boolean }>;
}

interface Outcome {
  compiled: { status: number | null; output: string };
  run?: { status: number | null; output: string; summary?: Summary };
  emitted: string;
}

function run(args: string[]): Promise<{ status: number | null; output: string; stdout: string }> {
  return new Promise((done, fail) => {
    // process.execPath is the Node 22 running vitest; the machine's default node is too old.
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    child.on('error', fail);
    child.on('close', status => done({ status, stdout, output: `${stdout}${stderr}` }));
  });
}

async function compileAndRun(mode: Mode): Promise<Outcome> {
  const outDir = join(root, '.tmp', `decorators-${mode}`);
  rmSync(outDir, { recursive: true, force: true }); // stale output must not pass for a fresh build
  const compiled = await run([tsc, '-p', join(root, 'test/decorator-modes', `tsconfig.${mode}.json`)]);
  const fixture = join(outDir, 'test/decorator-modes/fixtures');
  const entities = join(fixture, mode, 'entities.js');
  const plugin = join(fixture, 'shared/audit-plugin.js');
  const emitted = existsSync(entities) && existsSync(plugin) ? readFileSync(entities, 'utf8') + readFileSync(plugin, 'utf8') : '';
  if (compiled.status !== 0) return { compiled, emitted };
  const ran = await run([join(fixture, mode, 'main.js')]);
  const line = ran.stdout.split('\n').find(l => l.startsWith('SUMMARY '));
  return { compiled, emitted, run: { ...ran, summary: line ? (JSON.parse(line.slice('SUMMARY '.length)) as Summary) : undefined } };
}

const outcomes = {} as Record<Mode, Outcome>;

beforeAll(async () => {
  const results = await Promise.all(modes.map(compileAndRun));
  modes.forEach((mode, i) => (outcomes[mode] = results[i]!));
}, 60_000);

function summaryOf(mode: Mode): Summary {
  const { compiled, run } = outcomes[mode];
  expect(compiled.status, `tsc (${mode}) failed:\n${compiled.output}`).toBe(0);
  expect(run?.status, `compiled ${mode} fixture failed:\n${run?.output}`).toBe(0);
  expect(run?.summary, `no SUMMARY line in the ${mode} output:\n${run?.output}`).toBeDefined();
  return run!.summary!;
}

const callsOf = (calls: string[], entity: string) => calls.filter(c => c.startsWith(`${entity} `));

describe.each(modes)('%s decorators', mode => {
  it('compile with tsc in that mode', () => {
    const { compiled, emitted } = outcomes[mode];
    expect(compiled.status, `tsc (${mode}) failed:\n${compiled.output}`).toBe(0);
    // tsc's helpers tell the two emits apart: __decorate for legacy, __esDecorate for TC39.
    if (mode === 'legacy') {
      expect(emitted).toContain('__decorate(');
      expect(emitted).not.toContain('__esDecorate(');
    } else {
      expect(emitted).toContain('__esDecorate(');
      expect(emitted).not.toContain('__decorate(');
    }
    expect(summaryOf(mode).standardDecorators).toBe(mode === 'standard');
  });

  it('runs decorated hooks in priority order, then the convention hook', () => {
    const { createCalls } = summaryOf(mode);
    expect(callsOf(createCalls, 'Note')).toEqual([
      'Note strict-audit-trail.early[createdAt:true](beforeCreate)',
      'Note strict-audit-trail.touch(beforeCreate)',
      'Note strict-audit-trail.check(beforeCreate)',
      'Note strict-audit-trail.late(beforeCreate)',
      'Note strict-audit-trail.afterCreate[strict](afterCreate)',
    ]);
  });

  it("keeps MikroORM's @BeforeCreate and applies the plugins an entity inherits from its base", () => {
    const { createCalls, setups } = summaryOf(mode);
    expect(callsOf(createCalls, 'Article')).toEqual([
      'Article @BeforeCreate[this is Article:true]',
      'Article audit-trail.early[createdAt:true](beforeCreate)',
      'Article audit-trail.touch(beforeCreate)',
      'Article audit-trail.late(beforeCreate)',
      'Article audit-trail.afterCreate[audit](afterCreate)',
    ]);
    expect(createCalls).toHaveLength(10);
    // Article gets its plugins from Publication's @withPlugins, Note from its static `plugins`.
    expect(setups).toEqual(['audit-trail:Article', 'strict-audit-trail:Note']);
  });

  it('runs a hook declared on several events once per chain', () => {
    expect(summaryOf(mode).updateCalls).toEqual(['Article audit-trail.touch(beforeUpdate)']);
  });

  it('lets the timestamp plugin add and set createdAt/updatedAt', () => {
    const { properties, stored } = summaryOf(mode);
    expect(properties).toEqual({ Article: ['createdAt', 'id', 'title', 'updatedAt'], Note: ['createdAt', 'id', 'title', 'updatedAt'] });
    expect(stored).toEqual({
      Article: { title: 'first, edited', createdAt: true, updatedAt: true, updatedAtRestamped: true },
      Note: { title: 'remember', createdAt: true, updatedAt: true },
    });
  });

  it('registers the plugins with their hooks, inherited ones included', () => {
    const { plugins } = summaryOf(mode);
    const auditHooks = [
      { event: 'beforeCreate', method: 'late', priority: 10 },
      { event: 'beforeCreate', method: 'early', priority: -10 },
      { event: 'beforeSave', method: 'touch', priority: 0 },
      { event: 'beforeUpdate', method: 'touch', priority: 0 },
    ];
    const afterCreate = { event: 'afterCreate', method: 'afterCreate', priority: 0 };
    expect(plugins['audit-trail']).toEqual({
      name: 'audit-trail',
      version: '2.1.0',
      description: 'Records every write.',
      requires: [],
      requiredVersions: {},
      conflicts: {},
      events: {},
      hooks: [...auditHooks, afterCreate],
      package: undefined,
      enabled: true,
    });
    expect(plugins['strict-audit-trail']).toEqual({
      name: 'strict-audit-trail',
      version: '1.0.0',
      description: '',
      requires: ['audit-trail'],
      requiredVersions: { 'audit-trail': '*' },
      conflicts: {},
      events: {},
      hooks: [...auditHooks, { event: 'beforeCreate', method: 'check', priority: 5 }, afterCreate],
      package: undefined,
      enabled: true,
    });
    expect(plugins.timestamp?.hooks).toEqual([
      { event: 'beforeCreate', method: 'stampCreate', priority: -100 },
      { event: 'beforeUpdate', method: 'stampUpdate', priority: -100 },
      { event: 'beforeUpsert', method: 'stampUpsert', priority: -100 },
      { event: 'beforeBulkUpdate', method: 'stampBulkUpdate', priority: -100 },
    ]);
  });

  it('builds the chains describeChain reports', () => {
    const { chains } = summaryOf(mode);
    const link = (plugin: string, method: string, event: string, priority: number) => ({ plugin, method, event, kind: 'sequential', priority });
    expect(chains.Article).toEqual({
      beforeCreate: [
        link('timestamp', 'stampCreate', 'beforeCreate', -100),
        link('audit-trail', 'early', 'beforeCreate', -10),
        link('audit-trail', 'touch', 'beforeSave', 0),
        link('audit-trail', 'late', 'beforeCreate', 10),
      ],
      beforeUpdate: [link('timestamp', 'stampUpdate', 'beforeUpdate', -100), link('audit-trail', 'touch', 'beforeSave', 0)],
    });
    expect(chains.Note?.beforeCreate?.map(l => `${l.plugin}.${l.method}`)).toEqual([
      'timestamp.stampCreate',
      'strict-audit-trail.early',
      'strict-audit-trail.touch',
      'strict-audit-trail.check',
      'strict-audit-trail.late',
    ]);
  });
});

it('both modes produce the same summary', () => {
  const [legacy, standard] = modes.map(summaryOf);
  const { standardDecorators: _l, ...legacyRest } = legacy!;
  const { standardDecorators: _s, ...standardRest } = standard!;
  expect(standardRest).toEqual(legacyRest);
});
