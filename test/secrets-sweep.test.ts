// Issue #15 §3: a unique secret planted in every secret-bearing option (schema secrets of every type,
// a URL with a password, Redis URLs, ioredis options, a client of yours) never appears in anything the
// package prints, throws, logs or stores: start-up errors, doctor, list, explain, the CLI, plugin_state.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { expect, test, vi } from 'vitest';
import { redisStore } from '../src/cache.js';
import { run } from '../src/cli/run.js';
import { Output } from '../src/cli/output.js';
import { doctor, doctorConfig, explainChains, formatExplainMermaid, formatExplainText, listPlugins, readPluginState, syncPluginState } from '../src/operations/index.js';
import { allRows, errorText, PIN, S, scratchFile, secretsEntities, secretsOptions, secretsSweep, TAG, VALID_VAULT } from './support/secrets-app.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 120_000 });

const sweep = secretsSweep();
const { printed, captureConsole, leaks, noLeak } = sweep;

/** Runs the CLI in this process on a config file that hands over `options`; returns what it printed. */
async function cli(args: string[], options: Options): Promise<string> {
  const file = join(dirname(scratchFile('x')), 'mikro-orm.config.mjs');
  writeFileSync(file, 'export default globalThis.__secretsSweepConfig;\n');
  (globalThis as Record<string, unknown>).__secretsSweepConfig = options;
  const written: string[] = [];
  const stream = { isTTY: false, write: (text: string) => (written.push(text), true) } as unknown as NodeJS.WriteStream;
  try {
    const code = await run([...args, '--config', file], { out: new Output(stream, stream, true) });
    return `exit ${code}\n${written.join('')}`;
  } finally {
    delete (globalThis as Record<string, unknown>).__secretsSweepConfig;
  }
}

/** One ORM on this database with the tables of the app; the options to start it again (doctorConfig, the CLI). */
async function startApp(db: Database, logs: string[]): Promise<{ orm: TestOrm; options: Options; entities: ReturnType<typeof secretsEntities> }> {
  const entities = secretsEntities(sweep.ports());
  const file = db.name === 'sqlite' ? scratchFile('secrets.sqlite') : undefined;
  const orm = await db.init({ ...secretsOptions(undefined, entities, file), debug: true, logger: (message: string) => logs.push(message) });
  return { orm, options: secretsOptions(orm, entities, file), entities };
}

describeEachDatabase('a planted secret never appears', db => {
  test('start, writes, sync, list, explain, doctor, doctorConfig, the CLI, logs and every row of every table', async () => {
    captureConsole();
    const logs: string[] = [];
    const { orm, options, entities } = await startApp(db, logs);
    const [Safe] = entities;
    const out: Record<string, string> = {};
    try {
      out.syncCreate = JSON.stringify(await syncPluginState(orm));
      const em = orm.em.fork();
      for (const entity of entities) em.create(entity, { id: 1, name: 'one' });
      await em.flush();
      for (const entity of entities) await orm.em.fork().findOne(entity, 1);
      // A hook quoting the options: the error the package writes leaves them out (the plugin's own error stays its cause).
      const boom = orm.em.fork();
      boom.create(Safe!, { id: 2, name: 'boom' });
      const hookError = await boom.flush().then(() => undefined, (e: unknown) => e as Error);
      expect(hookError).toMatchObject({ code: 'MOP_HOOK_FAILED' });
      out.hookError = [hookError!.message, hookError!.stack, JSON.stringify(hookError)].join('\n');
      const late = orm.em.fork();
      late.create(Safe!, { id: 3, name: 'late' });
      await late.flush();
      out.syncUpdate = JSON.stringify(await syncPluginState(orm, { mode: 'update' }));
      out.state = JSON.stringify(readPluginState(orm));
      out.list = JSON.stringify(listPlugins(orm));
      const chains = explainChains(orm);
      out.explain = JSON.stringify(chains) + formatExplainText(chains) + formatExplainMermaid(chains);
      out.doctor = JSON.stringify(await doctor(orm, { timeout: 5000 }));
      out.rows = await allRows(orm);
    } finally {
      await orm.close(true);
    }
    out.doctorConfig = JSON.stringify(await doctorConfig(options, { timeout: 5000 }));
    for (const args of [['list'], ['list', '--json'], ['explain'], ['doctor'], ['doctor', '--json'], ['sync', '--mode', 'update', '--json']]) out[`cli ${args.join(' ')}`] = await cli(args, options);
    out.logs = logs.join('\n');
    out.console = printed.join('\n');

    for (const [what, text] of Object.entries(out)) noLeak(what, text);
    expect(leaks).toEqual([]);
    // The routes were taken: the checks failed quoting the secrets, the URLs are there with their passwords masked.
    expect(out.doctor).toContain('vault: health check failed: vault unreachable: token ***, pin ***, pass ***');
    expect(out.doctor).toContain(`refused: token ***`);
    expect(out.doctor).toContain("with args beginning with: 'mop' '***'");
    expect(out.list).toContain('https://svc:***@api.example.test/v1');
    expect(out.list).toContain(`redis://mop:***@127.0.0.1:${sweep.ports().url}/0`);
    expect(out.rows).toContain('https://svc:***@api.example.test/v1');
    expect(out['cli list']).toContain('"token":"***"');
    expect(out.logs).toContain('plugin_state');
    expect(out.doctor).toContain('backup https://ops:***@backup.example.test');
    expect(out.hookError).toContain('rejected by the vault: token ***, pin ***');
    expect(out.console).toContain('an afterCommit hook failed after the write committed: [MOP_HOOK_FAILED] Hook vault.afterCommit (afterCommit) failed on Safe: audit copy failed: token ***');
    expect(out.console).toContain("cache store 'box' failed (cannot reach memcached://box:***@127.0.0.1:11211)");
  });

  test('every start-up error path: the error, doctorConfig and the CLI', async () => {
    captureConsole();
    const { orm } = await startApp(db, []);
    await orm.close(true);
    const invalid: Record<string, [Record<string, unknown>, unknown?]> = {
      // The plugin's own error (not the package's), quoting every secret: the package prints it scrubbed.
      "the plugin's own set-up error": [{ ...VALID_VAULT, creds: { user: 'jammed', pass: S.creds.pass } }],
      'string secret': [{ ...VALID_VAULT, token: `${S.token}!` }],
      'number secret': [{ ...VALID_VAULT, pin: PIN + 0.5 }],
      'array secret': [{ ...VALID_VAULT, keys: [...S.keys, `${TAG}arr3`] }],
      'object secret quoted by validate': [{ ...VALID_VAULT, creds: { user: 'refused', pass: S.creds.pass } }],
      'URL with a password, not a secret option': [{ ...VALID_VAULT, endpoint: `ftp://svc:${TAG}url@api.example.test` }],
      'cache store: not a redis URL': [VALID_VAULT, `http://mop:${TAG}rds@cache.example.test:6379`],
      'cache store: a redis URL that does not parse': [VALID_VAULT, `redis://mop:${TAG}rds@127.0.0.1:notaport`],
    };
    for (const [what, [vault, store]] of Object.entries(invalid)) {
      const options = secretsOptions(orm, secretsEntities(sweep.ports(), vault, store), db.name === 'sqlite' ? scratchFile('bad.sqlite') : undefined);
      const error = await MikroORM.init(options).then(
        started => started.close(true).then(() => undefined),
        (e: unknown) => e,
      );
      if (what.startsWith('the plugin')) {
        expect((error as Error).message).toContain('cannot open the vault');
        noLeak(`${what}: doctorConfig`, JSON.stringify(await doctorConfig(options, { timeout: 5000 })));
        const list = await cli(['list'], options);
        expect(list).toContain('error: cannot open the vault: token ***');
        noLeak(`${what}: cli list`, list);
        continue;
      }
      expect(error, what).toMatchObject({ code: 'MOP_INVALID_OPTIONS' });
      // A URL in a non-secret option is quoted with its password masked, not hidden whole.
      if (what.startsWith('URL')) expect((error as Error).message).toContain('received "ftp://svc:***@api.example.test"');
      if (what === 'cache store: not a redis URL') expect((error as Error).message).toContain('received "http://mop:***@cache.example.test:6379"');
      noLeak(`${what}: the error`, errorText(error));
      const report = await doctorConfig(options, { timeout: 5000 });
      expect(report.ok, what).toBe(false);
      noLeak(`${what}: doctorConfig`, JSON.stringify(report));
      noLeak(`${what}: cli list`, await cli(['list'], options));
      noLeak(`${what}: cli doctor`, await cli(['doctor', '--json'], options));
    }
    for (const options of [{ url: `http://mop:${TAG}rds@cache.example.test` }, { url: `${TAG}rds@cache.example.test` }, { url: 'redis://127.0.0.1:6379', keyPrefix: '', redisOptions: { password: S.ioredisPassword } }]) {
      let error: unknown;
      try {
        redisStore(options);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS' });
      noLeak(`redisStore(${options.url})`, errorText(error));
    }
    noLeak('console', printed.join('\n'));
    expect(leaks).toEqual([]);
  });
});
