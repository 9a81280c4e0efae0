import { readFile } from 'node:fs/promises';
import { notFound } from './errors.js';

// The page ships inside the package, next to this module: no CDN, no network.

const SCRIPT = 'text/javascript; charset=utf-8';
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  // console.js and the ES modules it imports (one per view, small files).
  'console.js': SCRIPT,
  'api.js': SCRIPT,
  'dom.js': SCRIPT,
  'schema-form.js': SCRIPT,
  'view-audit.js': SCRIPT,
  'view-cache.js': SCRIPT,
  'view-chains.js': SCRIPT,
  'view-plugins.js': SCRIPT,
  'view-trash.js': SCRIPT,
};

const folder = new URL('./assets/', import.meta.url);
const loaded = new Map<string, Promise<Uint8Array>>();

/** One of the page's files, read once; 404 for any other name (no path is ever joined from the URL). */
export async function asset(name: string): Promise<{ contentType: string; body: Uint8Array }> {
  const contentType = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
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
