import type { IncomingMessage, ServerResponse } from 'node:http';
import { collect, tooLarge } from './body.js';
import type { Inbound, Outbound } from './exchange.js';

/**
 * Express-style servers hand mounted handlers the URL without the mount path and keep the whole one here;
 * a body parser that ran before the console (`express.json()`, NestJS's default) leaves what it parsed in `body`.
 */
type MountedRequest = IncomingMessage & { originalUrl?: string; body?: unknown };

/**
 * The Node request as the pipeline sees it, or undefined when it is outside the console. With a
 * `prefix`, the URL must start with it; mounted by Express or NestJS (`app.use('/admin', handler)`),
 * the URL already lacks the mount path and `originalUrl` has it.
 */
export function fromNode(req: MountedRequest, prefix: string): Inbound | undefined {
  const raw = req.url ?? '/';
  const original = typeof req.originalUrl === 'string' ? req.originalUrl : raw;
  const host = req.headers.host ?? 'localhost';
  const url = new URL(raw, 'http://placeholder');
  const full = new URL(original, 'http://placeholder');
  let path = url.pathname;
  if (prefix !== '') {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
    path = path.slice(prefix.length);
  } else if (path === '/' && !full.pathname.endsWith('/')) {
    // Mounted with the path stripped: `/admin/plugins` arrives as `/`, its page lives at `/admin/plugins/`.
    path = '';
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    method,
    path,
    fullPath: full.pathname,
    query: url.searchParams,
    headers,
    host,
    console: { method, url: new URL(original, `http://${host}`), headers, node: req },
    readBody: limit => (req.readableEnded && req.body !== undefined ? reparsed(req.body, limit) : collect(req, limit)),
  };
}

export function toNode(res: ServerResponse, out: Outbound): void {
  res.statusCode = out.status;
  for (const [name, value] of Object.entries(out.headers)) res.setHeader(name, value);
  res.end(out.body);
}

/** A body a parser already read from the stream: the console checks it as JSON again, with the same size limit. */
async function reparsed(body: unknown, limit: number): Promise<Uint8Array> {
  const bytes = body instanceof Uint8Array ? body : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  if (bytes.byteLength > limit) throw tooLarge(limit);
  return bytes;
}
