import { describe, expect, test } from 'vitest';
import { eachSyncUntilAsync } from '../src/chain/each-sync-until-async.js';

// The bridge's loops rely on this: sync while every step is, async from the first step that is not, in order either way.

describe('eachSyncUntilAsync', () => {
  test('all sync: runs every item in order and returns no promise', () => {
    const seen: string[] = [];
    const result = eachSyncUntilAsync(['a', 'b', 'c'], (item, index) => {
      seen.push(`${item}${index}`);
    });
    expect(result).toBeUndefined();
    expect(seen).toEqual(['a0', 'b1', 'c2']);
  });

  test('no items: returns no promise', () => {
    expect(eachSyncUntilAsync([], () => Promise.resolve())).toBeUndefined();
  });

  test('a promise in the middle: the next items wait for it, then run in order', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>(resolve => (release = resolve));
    const result = eachSyncUntilAsync([1, 2, 3, 4], item => {
      seen.push(`start ${item}`);
      if (item === 2) return gate.then(() => void seen.push('end 2'));
    });
    expect(result).toBeInstanceOf(Promise);
    // Items before the async one ran synchronously, the ones after it not yet.
    expect(seen).toEqual(['start 1', 'start 2']);
    await Promise.resolve();
    expect(seen).toEqual(['start 1', 'start 2']);
    release();
    await result;
    expect(seen).toEqual(['start 1', 'start 2', 'end 2', 'start 3', 'start 4']);
  });

  test('several async steps each continue from the next index', async () => {
    const seen: number[] = [];
    const result = eachSyncUntilAsync([0, 1, 2, 3, 4], (item, index) => {
      seen.push(index);
      return item % 2 === 1 ? new Promise<void>(resolve => setTimeout(resolve, 1)) : undefined;
    });
    await result;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  test('a thenable that is not a native promise counts as async', async () => {
    const seen: string[] = [];
    const thenable: PromiseLike<void> = { then: (onFulfilled, _onRejected) => Promise.resolve().then(() => onFulfilled?.()) as never };
    const result = eachSyncUntilAsync(['a', 'b'], item => {
      seen.push(item);
      return item === 'a' ? thenable : undefined;
    });
    expect(seen).toEqual(['a']);
    await result;
    expect(seen).toEqual(['a', 'b']);
  });

  test('a rejection propagates and stops the later items', async () => {
    const seen: number[] = [];
    const failure = new Error('step 1 failed');
    const result = eachSyncUntilAsync([0, 1, 2], index => {
      seen.push(index);
      if (index === 1) return Promise.reject(failure);
    });
    await expect(result).rejects.toBe(failure);
    expect(seen).toEqual([0, 1]);
  });

  test('a sync throw propagates at once and stops the later items', () => {
    const seen: number[] = [];
    const failure = new Error('step 0 failed');
    expect(() =>
      eachSyncUntilAsync([0, 1], index => {
        seen.push(index);
        throw failure;
      }),
    ).toThrow(failure);
    expect(seen).toEqual([0]);
  });

  test('a throw after an async step rejects the promise', async () => {
    const seen: number[] = [];
    const failure = new Error('step 2 failed');
    const result = eachSyncUntilAsync([0, 1, 2, 3], index => {
      seen.push(index);
      if (index === 0) return Promise.resolve();
      if (index === 2) throw failure;
    });
    await expect(result).rejects.toBe(failure);
    expect(seen).toEqual([0, 1, 2]);
  });
});
