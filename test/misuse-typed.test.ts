// Plain-JavaScript misuse of the exported functions: a typed `PluginError`, never a raw TypeError.
import { describe, expect, test } from 'vitest';
import { PluginError, withoutPlugins } from '../src/index.js';

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('withoutPlugins', () => {
  test('names that are not a list of plugin names are a typed error naming the argument', () => {
    for (const names of [42, 'timestamp', null, undefined, {}, [42], [''], [null], new Set(['timestamp'])]) {
      let ran = false;
      const error = thrown(() => withoutPlugins(names as never, () => (ran = true)));
      expect(error, String(names)).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'plugins' });
      expect(ran).toBe(false);
    }
  });

  test('a callback that is not a function is a typed error naming the argument', () => {
    for (const fn of [42, null, undefined, 'fn', {}]) {
      const error = thrown(() => withoutPlugins(['timestamp'], fn as never));
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'fn' });
    }
  });

  test('valid calls still run the callback and return its result', () => {
    expect(withoutPlugins([], () => 7)).toBe(7);
    expect(withoutPlugins(['timestamp'], () => 'ok')).toBe('ok');
  });
});
