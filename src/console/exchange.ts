import type { ConsoleRequest } from './options.js';

/** A request as the console's pipeline sees it, whichever server delivered it. */
export interface Inbound {
  readonly method: string;
  /** The path under the mount point: `''` for the mount point itself, `/`, `/api/plugins`… */
  readonly path: string;
  /** The path the client asked for, prefix included (for the redirect to the page). */
  readonly fullPath: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  /** `host[:port]` the request was sent to. */
  readonly host: string;
  readonly console: ConsoleRequest;
  /** The body, at most `limit` bytes (else a 413 `ConsoleError`). */
  readBody(limit: number): Promise<Uint8Array>;
}

/** What the pipeline answers, for the adapter to write. */
export interface Outbound {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}
