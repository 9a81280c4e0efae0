import fc from 'fast-check';
import { expect, test } from 'vitest';
import { toAuditValue } from '../src/plugins/audit/json-values.js';

// The audit keeps dates as ISO text, whichever form the change set holds (a Date, epoch milliseconds,
// text); conversions are remembered for a few recent inputs, so any order of repeats must still give each its own text.

const dateProp = { runtimeType: 'Date' } as never;

test('any sequence of dates, repeated in any order and form, converts each to its own ISO text', () => {
  const time = fc.integer({ min: -8_640_000_000_000, max: 8_640_000_000_000 });
  const input = fc.oneof(
    time.map(t => ({ value: new Date(t) as unknown, iso: new Date(t).toISOString() })),
    time.map(t => ({ value: t as unknown, iso: new Date(t).toISOString() })),
    time.map(t => ({ value: new Date(t).toISOString() as unknown, iso: new Date(t).toISOString() })),
  );
  fc.assert(
    fc.property(fc.array(input, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (pool, picks) => {
      for (const pick of picks) {
        const { value, iso } = pool[pick % pool.length]!;
        expect(toAuditValue(dateProp, value)).toBe(iso);
      }
    }),
  );
});

test('what is not a date stays as it is', () => {
  const invalid = new Date(Number.NaN);
  expect(toAuditValue(dateProp, invalid)).toBe(invalid);
  expect(toAuditValue(dateProp, 'not a date')).toBe('not a date');
  expect(toAuditValue(dateProp, Number.NaN)).toBeNaN();
  expect(toAuditValue(dateProp, null)).toBeNull();
});
