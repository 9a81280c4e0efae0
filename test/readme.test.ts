import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';

// README and docs code must be real: each TypeScript block is an excerpt of an example that CI compiles and runs.
const normalize = (code: string) => code.replace(/\s+/g, ' ').trim();

function exampleSources(dir = 'examples'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return exampleSources(path);
    return path.endsWith('.ts') ? [normalize(readFileSync(path, 'utf8'))] : [];
  });
}

const tsBlocks = (markdown: string) => [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]!);
const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as object);
const unknownScripts = (markdown: string) => [...markdown.matchAll(/npm run ([\w:-]+)/g)].map(m => m[1]!).filter(c => !scripts.includes(c));

const readme = readFileSync('README.md', 'utf8');
const blocks = tsBlocks(readme);
const sources = exampleSources();

describe('README', () => {
  test('has TypeScript examples to check', () => {
    // The Install excerpt and the complete quickstart (which test/packaging.test.ts also runs from the tarball).
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  test.each(blocks.map((code, i) => [i + 1, code] as const))('TypeScript block %i is an excerpt of an example', (_n, code) => {
    expect(sources.some(source => source.includes(normalize(code))), code).toBe(true);
  });

  test('shell commands are the npm scripts that exist', () => {
    expect(unknownScripts(readme)).toEqual([]);
  });
});

// docs/*.md, checked as the README is.
const pages = existsSync('docs') ? readdirSync('docs').filter(name => name.endsWith('.md')).map(name => join('docs', name)) : [];

describe.each(pages)('%s', page => {
  const markdown = readFileSync(page, 'utf8');
  const pageBlocks = tsBlocks(markdown);

  test.each(pageBlocks.map((code, i) => [i + 1, code] as const))('TypeScript block %i is an excerpt of an example', (_n, code) => {
    expect(sources.some(source => source.includes(normalize(code))), code).toBe(true);
  });

  test('shell commands are the npm scripts that exist', () => {
    expect(unknownScripts(markdown)).toEqual([]);
  });
});

test('the docs pages have TypeScript examples to check', () => {
  expect(pages.flatMap(page => tsBlocks(readFileSync(page, 'utf8'))).length).toBeGreaterThan(40);
});

test('docs/testing.md is among the pages checked', () => {
  expect(pages).toContain(join('docs', 'testing.md'));
});

// Links between the pages: every relative link names a file that exists, and every #anchor a heading of its page.
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
const withoutCode = (markdown: string) => markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
const anchorsOf = (markdown: string) => new Set([...withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)].map(m => slug(m[1]!)));

test.each(['README.md', 'CHANGELOG.md', ...pages])('%s links only to files and headings that exist', page => {
  const broken: string[] = [];
  for (const [, target] of withoutCode(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?|mailto):/.test(target!)) continue;
    const [path, anchor] = target!.split('#');
    const file = path ? join(dirname(page), path) : page;
    if (!existsSync(file)) broken.push(target!);
    else if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) broken.push(target!);
  }
  expect(broken).toEqual([]);
});
