import type { Inbound } from './exchange.js';
import { ConsoleError } from './errors.js';

/** A changing request's body: JSON only, at most `limit` bytes; an empty body reads as `{}`. */
export async function readJsonBody(request: Inbound, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const bytes = await request.readBody(limit);
  if (bytes.byteLength === 0) return {};
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ConsoleError('MOP_CONSOLE_BAD_JSON', `the body must be sent as application/json, got ${type === '' ? 'no content-type' : JSON.stringify(type.slice(0, 60))}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConsoleError('MOP_CONSOLE_BAD_JSON', 'the body is not UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConsoleError('MOP_CONSOLE_BAD_JSON', 'the body is not valid JSON');
  }
}

export const tooLarge = (limit: number) => new ConsoleError('MOP_CONSOLE_BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);

/** Reads chunks until the end, refusing (413) past `limit` bytes. */
export async function collect(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
