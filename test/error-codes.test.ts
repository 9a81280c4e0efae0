// Error codes are declared next to the code that raises them (defineErrorCodes) and merged into
// PluginErrorCodes. Checked here: the README table against the declarations, every code the source
// raises is declared, a third-party declaration through the public API, and (compiled by `tsc
// --noEmit`) that a misspelt code does not compile.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntitySchema } from '@mikro-orm/core';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { AUDIT_ERRORS } from '../src/audit.js';
// The cache and operations entries declare their codes when loaded, as in an application that imports them.
import '../src/cache.js';
import '../src/operations/index.js';
import '../src/console.js';
import { CORE_ERRORS, defineErrorCodes, errorCodeInfo, errorCodes, hook, HookError, PluginError, PluginRegistrationError, PluginRegistry, pluginSystem, SOFT_DELETE_ERRORS, type ErrorCodeInfo, type ErrorCodesOf, type PluginErrorCode } from '../src/index.js';
import { sqlite } from './support/databases.js';

// Taken before this file declares its own codes: what the package alone declares.
const packageCodes = errorCodes();

const TEST_ERRORS = defineErrorCodes('errorCodesTest', {
  TEST_SLUG_TAKEN: 'at run time: another row already has the slug',
  TEST_SLUG_EMPTY: 'at run time: the title gives an empty slug',
});

declare module '../src/index.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof TEST_ERRORS> {}
}

interface TableRow {
  code: string;
  owner: string;
  description: string;
}

function readmeTable(): TableRow[] {
  // The table is the page's first section, before "## Declaring a plugin's own codes".
  const section = readFileSync('docs/error-codes.md', 'utf8').split(/^## /m)[0]!;
  return section
    .split('\n')
    .filter(line => line.startsWith('| `'))
    .map(line => {
      const match = /^\| `([^`]+)` \| `([^`]+)` \| [^|]+ \| (.+) \|$/.exec(line);
      if (!match) throw new Error(`README error table row has not the shape | code | owner | class | raised |: ${line}`);
      return { code: match[1]!, owner: match[2]!, description: match[3]! };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('declared codes and the README table', () => {
  const table = readmeTable();
  const declared = packageCodes.map(({ code, owner, description }) => ({ code, owner, description }));

  test('the package declares codes of core and of each plugin that raises its own', () => {
    expect(new Set(packageCodes.map(c => c.owner))).toEqual(new Set(['core', 'operations', 'softDelete', 'cache', 'audit', 'validation', 'console']));
    expect(errorCodeInfo('MOP_HOOK_FAILED')).toBe(CORE_ERRORS.MOP_HOOK_FAILED);
    expect(SOFT_DELETE_ERRORS.MOP_DELETE_REFUSED).toMatchObject({ code: 'MOP_DELETE_REFUSED', owner: 'softDelete' });
    expect(Object.keys(AUDIT_ERRORS)).toEqual(['MOP_AUDIT_NOT_INSTALLED', 'MOP_AUDIT_SINK_FAILED']);
  });

  test('the README lists every declared code, with its owner and description', () => {
    const missing = declared.filter(d => !table.some(row => row.code === d.code && row.owner === d.owner && row.description === d.description));
    expect(missing).toEqual([]);
  });

  test('the README lists no code that is not declared, and none twice', () => {
    expect(table.filter(row => !declared.some(d => d.code === row.code))).toEqual([]);
    expect(table.map(row => row.code)).toEqual([...new Set(table.map(row => row.code))]);
  });

  test('every MOP_ code written in src is declared', () => {
    const written = new Set(sourceFiles('src').flatMap(file => [...readFileSync(file, 'utf8').matchAll(/'(MOP_[A-Z0-9_]+)'/g)].map(m => m[1]!)));
    expect(written.size).toBeGreaterThan(20);
    expect([...written].filter(code => !errorCodeInfo(code))).toEqual([]);
  });
});

describe('a third-party declaration through the public API', () => {
  test('is listed with its owner and description', () => {
    const listed = errorCodes().filter(c => c.owner === 'errorCodesTest');
    expect(listed).toEqual([
      { code: 'TEST_SLUG_TAKEN', owner: 'errorCodesTest', description: 'at run time: another row already has the slug' },
      { code: 'TEST_SLUG_EMPTY', owner: 'errorCodesTest', description: 'at run time: the title gives an empty slug' },
    ]);
    expect(errorCodeInfo('TEST_SLUG_TAKEN')).toBe(TEST_ERRORS.TEST_SLUG_TAKEN);
    expect(Object.isFrozen(TEST_ERRORS.TEST_SLUG_TAKEN)).toBe(true);
  });

  test('is thrown with its code', () => {
    const error = new PluginError('TEST_SLUG_TAKEN', "slug 'hello' is taken", { plugin: 'slug', entity: 'Article' });
    expect(() => {
      throw error;
    }).toThrow(PluginError);
    expect(error).toMatchObject({ code: 'TEST_SLUG_TAKEN', plugin: 'slug', entity: 'Article', message: "[TEST_SLUG_TAKEN] slug 'hello' is taken" });
  });

  test('reaches the caller from a hook with its code, tagged with hook and entity', async () => {
    class SlugPlugin {
      @hook('beforeCreate')
      fill(entity: { title: string }): void {
        if (entity.title.trim() === '') throw new PluginError('TEST_SLUG_EMPTY', 'the title gives an empty slug', { plugin: 'slug' });
      }
    }
    const registry = new PluginRegistry();
    registry.register('slug', SlugPlugin);
    const Article = new EntitySchema({ name: 'Article', properties: { id: { type: 'integer', primary: true }, title: { type: 'string' } } });
    const orm = await sqlite.init({ entities: [Article], extensions: [pluginSystem({ registry, entities: { Article: ['slug'] } })] });
    try {
      const em = orm.em.fork();
      em.create(Article, { title: ' ' });
      const error = await em.flush().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginError);
      expect(error).not.toBeInstanceOf(HookError);
      expect(error).toMatchObject({ code: 'TEST_SLUG_EMPTY', plugin: 'slug', hook: 'fill (beforeCreate)', entity: 'Article' });
    } finally {
      await orm.close();
    }
  });

  test('the same declaration again is a no-op', () => {
    const again = defineErrorCodes('errorCodesTest', { TEST_SLUG_TAKEN: 'at run time: another row already has the slug' });
    expect(again.TEST_SLUG_TAKEN).toBe(TEST_ERRORS.TEST_SLUG_TAKEN);
    expect(errorCodes().filter(c => c.code === 'TEST_SLUG_TAKEN')).toHaveLength(1);
  });
});

describe('malformed declarations are a PluginRegistrationError (MOP_INVALID_PLUGIN)', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['a code another owner declared', () => defineErrorCodes('thief', { MOP_HOOK_FAILED: 'at run time: mine now' }), /'thief' declares MOP_HOOK_FAILED, which 'core' already declares/],
    ['a code again with another description', () => defineErrorCodes('errorCodesTest', { TEST_SLUG_TAKEN: 'changed' }), /declares TEST_SLUG_TAKEN twice/],
    ['a code that is not UPPER_SNAKE_CASE', () => defineErrorCodes('slug', { slugTaken: 'at run time' }), /"slugTaken"; a code is UPPER_SNAKE_CASE/],
    ['an empty description', () => defineErrorCodes('slug', { SLUG_X: ' ' }), /gives code SLUG_X no description/],
    ['a description that is not a string (plain JavaScript)', () => defineErrorCodes('slug', { SLUG_X: 1 } as never), /gives code SLUG_X no description/],
    ['no codes', () => defineErrorCodes('slug', {}), /'slug' declares no codes/],
    ['null instead of the codes (plain JavaScript)', () => defineErrorCodes('slug', null as never), /got null/],
    ['an owner that is not a string (plain JavaScript)', () => defineErrorCodes(undefined as never, { SLUG_X: 'at run time' }), /owner must be a non-empty string, got undefined/],
  ];

  test.each(cases)('%s', (_name, declare, message) => {
    const error = (() => {
      try {
        declare();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect((error as PluginError).code).toBe('MOP_INVALID_PLUGIN');
    expect((error as PluginError).message).toMatch(message);
  });

  test('a refused declaration adds nothing to the list', () => {
    const before = errorCodes().length;
    expect(() => defineErrorCodes('slug', { SLUG_FINE: 'at run time', slug_bad: 'at run time' })).toThrow(PluginRegistrationError);
    expect(errorCodes()).toHaveLength(before);
    expect(errorCodeInfo('SLUG_FINE')).toBeUndefined();
  });
});

describe('types', () => {
  test('PluginErrorCode is the union of declared codes, open to augmentation', () => {
    expectTypeOf<'MOP_HOOK_FAILED'>().toExtend<PluginErrorCode>();
    expectTypeOf<'MOP_AUDIT_SINK_FAILED'>().toExtend<PluginErrorCode>();
    expectTypeOf<'TEST_SLUG_TAKEN'>().toExtend<PluginErrorCode>();
    expectTypeOf<string>().not.toExtend<PluginErrorCode>();
    expectTypeOf(TEST_ERRORS.TEST_SLUG_EMPTY).toEqualTypeOf<ErrorCodeInfo<'TEST_SLUG_EMPTY'>>();
    expectTypeOf(new PluginError('TEST_SLUG_TAKEN', 'x').code).toEqualTypeOf<PluginErrorCode>();
  });
});

// Never called: `tsc --noEmit` fails when one of these @ts-expect-error lines compiles.
export const misspeltCodes = () => [
  // @ts-expect-error MOP_HOOK_FAILD is not a declared code
  new PluginError('MOP_HOOK_FAILD', 'x'),
  // @ts-expect-error TEST_SLUG_TAKNE is not a declared code
  new PluginError('TEST_SLUG_TAKNE', 'x'),
  // @ts-expect-error a plain string is not a code
  new PluginError('MOP_HOOK_FAILED' as string, 'x'),
];
