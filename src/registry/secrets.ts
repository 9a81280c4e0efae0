// The one masking rule: what counts as a secret in options, and how it is taken out of text and values.

/** What a secret value is printed as, everywhere. */
export const MASK = '***';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A URL's credentials inside free text: scheme, then userinfo up to the `@` before the host. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@/gi;

/**
 * A URL as output may show it, the way database and Redis clients print theirs: the password
 * replaced by `***` (`redis://user:***@host`), a userinfo without a colon (a bare token) replaced
 * whole, the query and fragment (`?password=…`) left out. Text that is not `scheme://…` is returned as is.
 */
export function maskUrl(url: string): string {
  const scheme = SCHEME.exec(url)?.[0];
  if (!scheme) return url;
  const after = url.slice(scheme.length);
  // The last `@` ends the credentials, whatever characters the password holds.
  const at = after.lastIndexOf('@');
  const place = after.slice(at + 1).replace(/[?#].*$/s, '');
  if (at < 0) return `${scheme}${place}`;
  const userinfo = after.slice(0, at);
  const colon = userinfo.indexOf(':');
  return `${scheme}${colon < 0 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`}@${place}`;
}

/** A copy of a value with every URL string in it (at any depth) masked by `maskUrl`. */
export function maskUrls(value: unknown): unknown {
  if (typeof value === 'string') return hasCredentials(value) ? maskUrl(value) : value;
  if (Array.isArray(value)) return value.map(maskUrls);
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUrls(v)]));
  return value;
}

/**
 * The texts a secret value may show up as in a message: each string and number in it (at any depth
 * of an object or array), as is, JSON-escaped and URL-encoded. Booleans and empty strings are not
 * texts one can take out of a message; they are still masked wherever options are shown.
 */
export function secretTexts(value: unknown): string[] {
  const texts: string[] = [];
  const visit = (v: unknown, seen: Set<object>) => {
    if (typeof v === 'string') {
      if (v !== '') texts.push(...forms(v));
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      texts.push(String(v));
    } else if (typeof v === 'object' && v !== null && !seen.has(v) && (Array.isArray(v) || isPlain(v))) {
      seen.add(v);
      for (const item of Object.values(v)) visit(item, seen);
    }
  };
  visit(value, new Set());
  return [...new Set(texts)];
}

/** The passwords of every URL with credentials among these values (at any depth), in the forms `secretTexts` gives. */
export function urlPasswords(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (typeof v === 'string' && hasCredentials(v) && v.includes('@')) {
      const after = v.slice(SCHEME.exec(v)![0].length);
      const userinfo = after.slice(0, Math.max(0, after.lastIndexOf('@')));
      const secret = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
      if (secret !== '') found.push(...forms(secret), ...forms(safeDecode(secret)));
    } else if (depth < 10 && (Array.isArray(v) || isPlain(v))) {
      for (const item of Object.values(v as object)) visit(item, depth + 1);
    }
  };
  visit(value, 0);
  return [...new Set(found)];
}

/**
 * Takes every given secret out of a text (longest first, so overlapping ones vanish whole), then
 * masks the credentials of any URL in it. A secret of digits only is taken out where it stands as a
 * number of its own, so that a PIN of `25` leaves "25 ms" elsewhere alone.
 */
export function scrubSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of [...new Set(secrets)].filter(Boolean).sort((a, b) => b.length - a.length)) {
    out = /^-?\d+(\.\d+)?$/.test(secret) ? out.replace(new RegExp(`(?<![\\d.])${secret.replace(/[.-]/g, '\\$&')}(?![\\d])`, 'g'), MASK) : out.split(secret).join(MASK);
  }
  return out.replace(URL_CREDENTIALS, (_, scheme: string, userinfo: string) => `${scheme}${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${MASK}` : MASK}@`);
}

function hasCredentials(text: string): boolean {
  const scheme = SCHEME.exec(text)?.[0];
  return scheme !== undefined && /[@?#]/.test(text.slice(scheme.length));
}

/** A string as is, as it appears inside JSON, and URL-encoded. */
function forms(text: string): string[] {
  return [text, JSON.stringify(text).slice(1, -1), encodeURIComponent(text)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
