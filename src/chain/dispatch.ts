import { HookError, PluginError } from '../errors.js';
import type { Chain, ChainLink, DispatchContext } from './chain.js';

export type Vetoed = false;

/**
 * The dispatcher. Runs a chain synchronously until a hook returns a thenable, then awaits each
 * remaining hook in order; a sync chain allocates no promise. Veto chains stop at the first `false`.
 * Every error leaves tagged with the plugin, hook and entity (the original is `cause`).
 *
 * The common case (no `withoutPlugins` scope, every hook returning nothing) runs in the chain's
 * compiled straight-line code (compile-chain.ts); anything else continues in `runFrom`.
 */
export function dispatch(chain: Chain<true>, ctx: DispatchContext, subject: unknown, payload?: unknown): void | Vetoed | Promise<void | Vetoed>;
export function dispatch(chain: Chain<false>, ctx: DispatchContext, subject: unknown, payload?: unknown): void | Promise<void>;
export function dispatch(chain: Chain, ctx: DispatchContext, subject: unknown, payload?: unknown): void | Vetoed | Promise<void | Vetoed> {
  // Hooks are called (subject, payload, ctx) or (subject, ctx); the extra argument costs nothing.
  const arg = chain.withPayload ? payload : ctx;
  return ctx.skip === undefined ? chain.run(ctx, subject, arg) : runFrom(chain, ctx, subject, arg, 0);
}

/** The generic loop from link `start` on: honours `withoutPlugins`, vetoes and async hooks. */
export function runFrom(chain: Chain, ctx: DispatchContext, subject: unknown, arg: unknown, start: number): void | Vetoed | Promise<void | Vetoed> {
  const links = chain.links;
  const skip = ctx.skip;
  let i = start;
  // One try around the loop, not one per hook; `i` says which hook threw.
  try {
    for (; i < links.length; i++) {
      const link = links[i]!;
      if (skip !== undefined && skip.has(link.plugin)) continue;
      ctx.link = link;
      const result: unknown = link.fn.call(link.instance, subject, arg, ctx);
      if (result !== undefined) return settle(chain, ctx, subject, arg, i, result);
    }
  } catch (error) {
    throw tagError(error, links[i]!, chain.entity);
  }
}

/** Link `index` returned something: a veto ends the chain, a thenable switches to awaiting, anything else is ignored. */
export function settle(chain: Chain, ctx: DispatchContext, subject: unknown, arg: unknown, index: number, result: unknown): void | Vetoed | Promise<void | Vetoed> {
  if (result === false && chain.veto) return false;
  if (result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
    return continueAsync(chain, ctx, subject, arg, index, result as PromiseLike<unknown>);
  }
  return runFrom(chain, ctx, subject, arg, index + 1);
}

async function continueAsync(
  chain: Chain,
  ctx: DispatchContext,
  subject: unknown,
  arg: unknown,
  index: number,
  pending: PromiseLike<unknown>,
): Promise<void | Vetoed> {
  const links = chain.links;
  const skip = ctx.skip;
  for (let i = index; i < links.length; i++) {
    const link = links[i]!;
    let result: unknown;
    try {
      if (i === index) {
        result = await pending;
      } else {
        if (skip !== undefined && skip.has(link.plugin)) continue;
        ctx.link = link;
        result = link.fn.call(link.instance, subject, arg, ctx);
        if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') result = await result;
      }
    } catch (error) {
      throw tagError(error, link, chain.entity);
    }
    if (result === false && chain.veto) return false;
  }
}

/** Names the plugin, hook and entity on an error; our own typed errors keep their class. */
export function tagError(error: unknown, link: Pick<ChainLink, 'plugin' | 'method' | 'declaredOn'>, entity: string): PluginError {
  const hook = `${link.method} (${link.declaredOn})`;
  if (error instanceof PluginError) {
    error.plugin ??= link.plugin;
    error.hook ??= hook;
    error.entity ??= entity;
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HookError('MOP_HOOK_FAILED', `Hook ${link.plugin}.${hook} failed on ${entity}: ${message}`, {
    plugin: link.plugin,
    hook,
    entity,
    cause: error,
  });
}
