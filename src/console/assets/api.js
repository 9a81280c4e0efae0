// The console's JSON API, by relative URL (the page lives at <prefix>/, so 'api/x' is <prefix>/api/x).
// Every change sends the CSRF token that GET api/session returned.

let csrfToken = '';

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error.code ?? `HTTP_${status}`;
    this.field = error.field;
    this.issues = Array.isArray(error.issues) ? error.issues : [];
  }
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { error: { message: text.slice(0, 200) } };
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  async session() {
    const session = await call('GET', 'api/session');
    csrfToken = session.csrfToken ?? '';
    return session;
  },
  get: path => call('GET', path),
  post: (path, body = {}) => call('POST', path, body),
  /** A download (CSV or JSON export) as a Blob, with the same authorization as the page. */
  async blob(path) {
    const response = await fetch(path, { credentials: 'same-origin' });
    if (!response.ok) {
      let parsed = {};
      try { parsed = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, parsed);
    }
    return response.blob();
  },
};

/** A plugin path segment. */
export const seg = name => encodeURIComponent(name);
