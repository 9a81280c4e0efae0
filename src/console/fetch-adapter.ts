import { collect } from './body.js';
import type { Inbound, Outbound } from './exchange.js';

/** The web request as the pipeline sees it, or undefined when it is outside `prefix`. */
export function fromFetch(request: Request, prefix: string): Inbound | undefined {
  const url = new URL(request.url);
  let path = url.pathname;
  if (prefix !== '') {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
    path = path.slice(prefix.length);
  }
  const method = request.method.toUpperCase();
  return {
    method,
    path,
    fullPath: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    host: request.headers.get('host') ?? url.host,
    console: { method, url, headers: request.headers, request },
    readBody: limit => (request.body ? collect(request.body as unknown as AsyncIterable<Uint8Array>, limit) : Promise.resolve(new Uint8Array())),
  };
}

export function toFetch(out: Outbound): Response {
  return new Response(out.body as ConstructorParameters<typeof Response>[0], { status: out.status, headers: out.headers });
}
