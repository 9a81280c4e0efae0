import type { IncomingMessage, ServerResponse } from 'node:http';
import { collect } from './body.js';
import type { Inbound, Outbound } from './exchange.js';

/** Express-style servers hand mounted handlers the URL without the mount path and keep the whole one here. */
type MountedRequest = IncomingMessage & { originalUrl?: string };

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
    readBody: limit => collect(req, limit),
  };
}

export function toNode(res: ServerResponse, out: Outbound): void {
  res.statusCode = out.status;
  for (const [name, value] of Object.entries(out.headers)) res.setHeader(name, value);
  res.end(out.body);
}
