/** What one step returns: nothing when it finished, a promise (or thenable) when it went async. */
export type StepResult = void | PromiseLike<unknown>;

/**
 * Calls `step` on each item in order, synchronously while each step returns nothing; once a step
 * returns a promise, the items after it run when it resolves, and a rejection ends the run.
 * Hookable's rule: when every step is sync, no promise, closure or microtask is made.
 */
export function eachSyncUntilAsync<T>(items: readonly T[], step: (item: T, index: number) => StepResult): void | Promise<void> {
  return eachFrom(items, step, 0);
}

function eachFrom<T>(items: readonly T[], step: (item: T, index: number) => StepResult, start: number): void | Promise<void> {
  for (let i = start; i < items.length; i++) {
    const pending = step(items[i]!, i);
    // Promise.resolve returns a native promise as it is: no extra microtask.
    if (pending !== undefined) return Promise.resolve(pending).then(() => eachFrom(items, step, i + 1));
  }
}
