import type { Redis, RedisOptions } from 'ioredis';
import type { HealthCheckResult } from '../../core.js';
import { scrubSecrets } from '../../operations/index.js';
import { loadIoredis } from './ioredis-module.js';

/** What a health check or connection test reports: never a password. */
export type HealthReport = Exclude<HealthCheckResult, void | boolean>;

/** A Redis URL as messages may show it: credentials removed; something that does not parse is not shown at all. */
export function publicRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured Redis URL';
  }
}

/**
 * The passwords a Redis connection holds, to take out of messages: the URL's (raw and decoded), and
 * those of its ioredis options (`password`, `sentinelPassword`), which a server may quote back.
 */
export function redisSecrets(url: string | undefined, options: Partial<RedisOptions> | undefined): string[] {
  const secrets: string[] = [];
  try {
    // The user too when there is a password: some servers name it in their refusal.
    const { username, password } = url ? new URL(url) : { username: '', password: '' };
    if (password) secrets.push(password, safeDecode(password), ...(username ? [safeDecode(username)] : []));
  } catch {
    // Not a URL: the store's options check refused it already.
  }
  for (const value of [options?.password, options?.sentinelPassword]) if (typeof value === 'string' || typeof value === 'number') secrets.push(String(value));
  return secrets.filter(Boolean);
}

/** An error message without the connection's secrets, its URL shown without credentials. */
export function scrubRedisMessage(message: string, url: string | undefined, secrets: readonly string[] = redisSecrets(url, undefined)): string {
  return scrubSecrets(url ? message.split(url).join(publicRedisUrl(url)) : message, secrets);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Sends PING on a client, failing after `timeoutMs`. */
export async function ping(client: Redis, timeoutMs: number): Promise<void> {
  const answer = await withTimeout(client.ping(), timeoutMs, `no answer to PING within ${timeoutMs} ms`);
  if (answer !== 'PONG') throw new Error(`PING answered ${JSON.stringify(answer)}`);
}

/**
 * Connects a new client with these settings, sends PING and disconnects: whether an application
 * started with them would reach Redis. The message names the server without credentials.
 */
export async function testRedisConnection(url: string, redisOptions: RedisOptions | undefined, timeoutMs: number, label = publicRedisUrl(url)): Promise<HealthReport> {
  const where = label;
  let client: Redis | undefined;
  // The socket's own error (ECONNREFUSED, ETIMEDOUT, WRONGPASS) says more than the "Connection is closed." connect() rejects with.
  let cause: Error | undefined;
  try {
    client = new (loadIoredis().Redis)(url, {
      ...redisOptions,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      retryStrategy: () => null,
    });
    client.on('error', (error: Error) => void (cause ??= error));
    await withTimeout(client.connect(), timeoutMs, `could not connect within ${timeoutMs} ms`);
    await ping(client, timeoutMs);
    return { ok: true, message: `${where} answered PING` };
  } catch (error) {
    return { ok: false, message: `${where}: ${scrubRedisMessage((cause ?? (error as Error))?.message ?? String(error), url, redisSecrets(url, redisOptions))}` };
  } finally {
    client?.disconnect();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles when a client that is connecting gets ready or fails to (an error, or the connection closed). */
export function firstAttempt(client: Redis, settled: () => void): Promise<void> {
  return new Promise<void>(resolve => {
    const events = ['ready', 'error', 'close', 'end'] as const;
    const done = () => {
      for (const event of events) client.off(event, done);
      settled();
      resolve();
    };
    for (const event of events) client.on(event, done);
  });
}
