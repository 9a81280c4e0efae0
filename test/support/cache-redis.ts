// Real Redis for the cache suites: the shared server on 127.0.0.1:6379, or one a test starts on a spare port.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';

export const SHARED_REDIS = 'redis://127.0.0.1:6379';

export function reachable(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** Whether the shared Redis answers. Under CI (REQUIRE_DATABASES=1) a missing Redis fails the run instead of skipping its suites. */
export const redisUp = await reachable(6379);
if (!redisUp && process.env.REQUIRE_DATABASES === '1') throw new Error(`Redis is required (REQUIRE_DATABASES=1) but does not answer at ${SHARED_REDIS}`);

/** A key prefix unique to this run, so parallel runs never meet. */
export function uniquePrefix(label: string): string {
  return `mop-test:${label}:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
}

/** Deletes every key under a prefix. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it holds, at most `ms` milliseconds. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Where a private redis-server keeps its dump: it saves on shutdown and reloads it at start, as the default redis.conf does. */
export interface Persistence {
  readonly dir: string;
}

/**
 * A private redis-server on a loopback port; stop() and start() again on the same port. Without
 * `persistence` it keeps nothing; with it, it saves its dump on shutdown (and on `save()`) and loads it at start.
 */
export class OwnRedis {
  #child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly persistence?: Persistence,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const saving = this.persistence ? ['--save', '3600 1', '--dir', this.persistence.dir, '--dbfilename', 'dump.rdb'] : ['--save', ''];
    this.#child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', ...saving, '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => reachable(this.port), 10_000, `redis-server on ${this.port}`);
  }

  /** Writes the dump now (the state a later `kill()` and `start()` comes back to). */
  async save(): Promise<void> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.save();
    } finally {
      client.disconnect();
    }
  }

  /** Stops the server's process (SIGSTOP): connections stay open, and nothing is answered until `thaw()`. */
  freeze(): void {
    this.#child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  /** A clean shutdown (SIGTERM): a persistent server saves its dump first. */
  stop(): Promise<void> {
    return this.#end('SIGTERM');
  }

  /** A crash (SIGKILL): whatever changed since the last dump is lost. */
  kill(): Promise<void> {
    return this.#end('SIGKILL');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>(r => child.once('exit', () => r()));
    child.kill(signal);
    await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await waitFor(async () => !(await reachable(this.port)), 5000, `redis-server on ${this.port} to stop`);
  }
}
