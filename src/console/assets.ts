import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { notFound } from './errors.js';

// The page ships inside the package, next to this module: no CDN, no network.

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};
/** One file name of the assets folder: no path, no dot file, a known extension. */
const NAME = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.([a-z0-9]+)$/i;

// Next to this module in the sources (src/console/assets/); beside the bundled entry in the package
// (dist/console.js, its page copied to dist/console/assets/ by the build).
const folder = [new URL('./assets/', import.meta.url), new URL('./console/assets/', import.meta.url)].find(url => existsSync(new URL('index.html', url))) ?? new URL('./assets/', import.meta.url);
const loaded = new Map<string, Promise<Uint8Array>>();

/** One of the page's files (index.html, its scripts and styles), read once; 404 for any other name (the URL never names a path). */
export async function asset(name: string): Promise<{ contentType: string; body: Uint8Array }> {
  const extension = NAME.exec(name)?.[1]?.toLowerCase();
  const contentType = extension !== undefined && Object.hasOwn(TYPES, extension) ? TYPES[extension] : undefined;
  if (contentType === undefined) throw notFound('no such console asset');
  let body = loaded.get(name);
  if (!body) {
    body = readFile(new URL(name, folder)).then(buffer => new Uint8Array(buffer));
    loaded.set(name, body);
  }
  try {
    return { contentType, body: await body };
  } catch {
    loaded.delete(name);
    throw notFound(`the console's ${name} is missing from the package`);
  }
}
