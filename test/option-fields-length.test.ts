// A string field's `min`/`max` count characters (code points), as the exported JSON Schema's
// minLength/maxLength do: start-up and the schema agree on astral-plane text such as emoji.
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { OptionsSpec } from '../src/index.js';
import { toJsonSchema } from '../src/operations/index.js';
import { validateFields } from '../src/registry/option-fields.js';

const spec: OptionsSpec = { fields: { label: { type: 'string', min: 2, max: 3 } } };

function schemaValidator() {
  const ajv = new Ajv2020({ strict: true });
  for (const keyword of ['x-group', 'x-order', 'x-schema-error']) ajv.addKeyword(keyword);
  return ajv.compile(toJsonSchema(spec));
}

describe('string length in option fields', () => {
  test('an emoji is one character: three of them fit max 3, one does not meet min 2', () => {
    expect(validateFields(spec.fields, { label: '😀😀😀' })).toEqual([]);
    expect(validateFields(spec.fields, { label: '𝄞a' })).toEqual([]);
    expect(validateFields(spec.fields, { label: '😀' })).toEqual([{ option: 'label', expected: 'a string of at least 2 characters' }]);
    expect(validateFields(spec.fields, { label: '😀😀😀😀' })).toEqual([{ option: 'label', expected: 'a string of at most 3 characters' }]);
  });

  test('start-up and the exported JSON Schema agree on any text, astral or not', () => {
    const validate = schemaValidator();
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 5 }), fc.string({ unit: fc.constantFrom('😀', '𝄞', 'a', 'é'), maxLength: 5 }));
    fc.assert(
      fc.property(text, label => {
        expect(validateFields(spec.fields, { label }).length === 0, JSON.stringify(label)).toBe(validate({ label }));
      }),
      { numRuns: 300 },
    );
  });
});
