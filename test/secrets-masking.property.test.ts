// The masking rule over any secret value and any URL: what it scrubs never survives in a message.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { maskUrl, scrubSecrets } from '../src/operations/index.js';
import { secretValues } from '../src/registry/option-fields.js';

// Every string a secret holds starts with this, so a survivor is found in any message.
const MARK = 'Zk';
const leafString = fc.string({ maxLength: 12 }).map(s => `${MARK}${s}`);
const leafNumber = fc.oneof(fc.integer({ min: 1000, max: 2 ** 40 }), fc.double({ min: 1000, max: 1e12, noNaN: true }));
const secret = fc.letrec(tie => ({
  value: fc.oneof({ depthSize: 'small' }, leafString, leafNumber, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 3 })),
})).value;

function leaves(value: unknown): (string | number)[] {
  if (typeof value === 'string' || typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

test('a secret option of any type: each string and number in it is gone from a message quoting it bare, as JSON, URL-encoded', () => {
  const spec = { fields: { key: { type: 'object' as const, secret: true } } };
  fc.assert(
    fc.property(secret, value => {
      const parts = leaves(value);
      const message = `failed with ${JSON.stringify(value)}; values ${parts.join(', ')}; path /${parts.map(p => encodeURIComponent(String(p))).join('/')}`;
      const scrubbed = scrubSecrets(message, secretValues(spec, { key: value }));
      expect(scrubbed).not.toContain(MARK);
      for (const n of parts.filter((p): p is number => typeof p === 'number')) expect(scrubbed).not.toMatch(new RegExp(`(?<![\\d.])${String(n).replace(/[.+]/g, '\\$&')}(?![\\d])`));
    }),
  );
});

test('a number secret is taken out where it stands as a number, not inside other numbers', () => {
  expect(scrubSecrets('pin 25 refused after 250 ms (25)', ['25'])).toBe('pin *** refused after 250 ms (***)');
});

const userChars = fc.string({ minLength: 1, maxLength: 8 }).filter(u => !/[:@/?#\s]/.test(u));

test('a URL with credentials in an option: the password is gone from the URL as shown and from any message quoting it', () => {
  fc.assert(
    fc.property(userChars, fc.string({ maxLength: 12 }), fc.constantFrom('redis', 'rediss', 'postgres', 'https'), (user, rest, scheme) => {
      const password = `${MARK}${rest}`;
      const url = `${scheme}://${user}:${password}@cache.example.test:6379/0?password=${MARK}q`;
      expect(maskUrl(url)).toBe(`${scheme}://${user}:***@cache.example.test:6379/0`);
      const message = `cannot reach ${url} (auth ${password}, ${encodeURIComponent(password)}, ${JSON.stringify(password)})`;
      // The query is not a password the rule knows: the URL form is masked whole, but only the password is scrubbed elsewhere.
      expect(scrubSecrets(message, secretValues({}, { store: { url } })).replace(`${MARK}q`, '')).not.toContain(MARK);
    }),
  );
});

test('URLs in free text: user:*** kept, a bare token hidden, text that is not a URL untouched', () => {
  expect(scrubSecrets('backup redis://ops:hunter2@db:6379/1 and https://tok3n@api.example.test/x, mail ada@example.test')).toBe(
    'backup redis://ops:***@db:6379/1 and https://***@api.example.test/x, mail ada@example.test',
  );
  expect(maskUrl('not a url')).toBe('not a url');
  expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
});
