import { HookError, PluginError } from '../errors.js';
import { scrubSecrets } from '../registry/secrets.js';
import { messageOf } from '../registry/plugin-meta.js';
import type { AroundContext, Chain, ChainLink, DispatchContext } from './chain.js';
import { eachSyncUntilAsync } from './each-sync-until-async.js';

export type Vetoed = false;

/**
 * The dispatcher: every hook of every kind runs through here. `subject` is what the hooks act on
 * (the entity, the entity name, the value of a waterfall); `payload` goes before the context for
 * events that have one. Returns a promise only when a hook was async (tapable's and hookable's rule):
 * - sequential, veto: nothing, or `false` when vetoed;
 * - waterfall: the value the last hook left;
 * - collect: the values the hooks returned, in chain order;
 * - around: the operation's result (`ctx` is an `AroundContext`).
 * Every error leaves tagged with the plugin, hook and entity (the original is `cause`).
 */
export function dispatch(chain: Chain<true>, ctx: DispatchContext, subject: unknown, payload?: unknown): void | Vetoed | Promise<void | Vetoed>;
export function dispatch(chain: Chain<false>, ctx: DispatchContext, subject: unknown, payload?: unknown): any;
export function dispatch(chain: Chain, ctx: DispatchContext, subject: unknown, payload?: unknown): unknown {
  // Hooks are called (subject, payload, ctx) or (subject, ctx); the extra argument costs nothing.
  const arg = chain.withPayload ? payload : ctx;
  return ctx.skip === undefined ? chain.run(ctx, subject, arg) : chain.runSkipping(ctx, subject, arg);
}

/** Sequential and veto chains from link `start` on: honours `withoutPlugins`, vetoes and async hooks. */
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
  if (isThenable(result)) return continueAsync(chain, ctx, subject, arg, index, result);
  return runFrom(chain, ctx, subject, arg, index + 1);
}

async function continueAsync(chain: Chain, ctx: DispatchContext, subject: unknown, arg: unknown, index: number, pending: PromiseLike<unknown>): Promise<void | Vetoed> {
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
        if (isThenable(result)) result = await result;
      }
    } catch (error) {
      throw tagError(error, link, chain.entity);
    }
    if (result === false && chain.veto) return false;
  }
}

/**
 * Waterfall and collect, sync until a hook returns a thenable. A waterfall hook's result (unless
 * undefined) is the next hook's subject, and the last one is returned; collect (given `collected`)
 * keeps the subject and gathers the results instead.
 */
export function runValues(chain: Chain, ctx: DispatchContext, subject: unknown, arg: unknown, collected?: unknown[], start = 0): unknown {
  const links = chain.links;
  const skip = ctx.skip;
  for (let i = start; i < links.length; i++) {
    const link = links[i]!;
    if (skip !== undefined && skip.has(link.plugin)) continue;
    ctx.link = link;
    let result: unknown;
    try {
      result = link.fn.call(link.instance, subject, arg, ctx);
    } catch (error) {
      throw tagError(error, link, chain.entity);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        resolved => {
          if (resolved !== undefined) {
            if (collected) collected.push(resolved);
            else subject = resolved;
          }
          return runValues(chain, ctx, subject, arg, collected, i + 1);
        },
        error => Promise.reject(tagError(error, link, chain.entity)),
      );
    }
    if (result !== undefined) {
      if (collected) collected.push(result);
      else subject = result;
    }
  }
  return collected ?? subject;
}

/** Settled: every hook runs, in order, past failures; returns the failures, tagged (none: empty). */
export async function runSettled(chain: Chain, ctx: DispatchContext, subject: unknown, arg: unknown): Promise<PluginError[]> {
  const failures: PluginError[] = [];
  for (const link of chain.links) {
    if (ctx.skip !== undefined && ctx.skip.has(link.plugin)) continue;
    ctx.link = link;
    try {
      await link.fn.call(link.instance, subject, arg, ctx);
    } catch (error) {
      failures.push(tagError(error, link, chain.entity));
    }
  }
  return failures;
}

/**
 * Batch: each hook once with all the entities (`link.batch`), in chain order, sync until one returns
 * a thenable. Hooks are called `(entities, ctx)`, or `(entities, payloads, ctx)` on a chain with a
 * payload (`afterChange`: `payloads[i]` is the changes of `entities[i]`). Only chains whose every hook
 * has the batch form are dispatched this way.
 */
export function dispatchBatch(chain: Chain, ctx: DispatchContext, entities: readonly object[], payloads?: readonly unknown[]): void | Promise<void> {
  const skip = ctx.skip;
  const arg = chain.withPayload ? payloads : ctx;
  return eachSyncUntilAsync(chain.links, link => {
    if (skip !== undefined && skip.has(link.plugin)) return;
    ctx.link = link;
    let result: unknown;
    try {
      result = link.batch!.call(link.instance, entities, arg, ctx);
    } catch (error) {
      throw tagError(error, link, chain.entity);
    }
    // Only this hook's own rejection is tagged with it; the later hooks' errors come tagged already.
    if (isThenable(result)) return Promise.resolve(result).catch(error => Promise.reject(tagError(error, link, chain.entity)));
  });
}

/** Errors that came out of the operation an around chain wraps: they pass through untagged. */
const fromInner = new WeakSet<object>();

/** Around: link `start` gets a call whose continuation runs the next link, and after the last `ctx.inner()`. */
export function runAround(chain: Chain, ctx: AroundContext, start = 0): Promise<unknown> {
  const links = chain.links;
  const skip = ctx.skip;
  for (let i = start; i < links.length; i++) {
    const link = links[i]!;
    if (skip !== undefined && skip.has(link.plugin)) continue;
    const call = ctx.callFor(link, () => runAround(chain, ctx, i + 1));
    let result: unknown;
    try {
      result = link.fn.call(link.instance, call, undefined, ctx);
    } catch (error) {
      return Promise.reject(tagError(error, link, chain.entity));
    }
    return Promise.resolve(result).catch(error => {
      throw error !== null && typeof error === 'object' && fromInner.has(error) ? error : tagError(error, link, chain.entity);
    });
  }
  return ctx.inner().catch(error => {
    if (error !== null && typeof error === 'object') fromInner.add(error);
    throw error;
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Names the plugin, hook and entity (none for a plugin-level chain) on an error; our own typed errors keep their class. */
export function tagError(error: unknown, link: Pick<ChainLink, 'plugin' | 'method' | 'declaredOn'> & Partial<Pick<ChainLink, 'secrets'>>, entity: string): PluginError {
  if (entity === '') return tagPluginLevel(error, link.plugin, link.method, link.secrets);
  const hook = `${link.method} (${link.declaredOn})`;
  if (error instanceof PluginError) {
    error.plugin ??= link.plugin;
    error.hook ??= hook;
    error.entity ??= entity;
    return error;
  }
  // The original stays the cause, untouched: it is the plugin's own error; the message written here leaves out the options' secrets.
  const message = scrubSecrets(messageOf(error), link.secrets);
  return new HookError('MOP_HOOK_FAILED', `Hook ${link.plugin}.${hook} failed on ${entity}: ${message}`, {
    plugin: link.plugin,
    hook,
    entity,
    cause: error,
  });
}

function tagPluginLevel(error: unknown, plugin: string, hook: string, secrets: readonly string[] | undefined): PluginError {
  if (error instanceof PluginError) {
    error.plugin ??= plugin;
    error.hook ??= hook;
    return error;
  }
  return new HookError('MOP_HOOK_FAILED', `Plugin '${plugin}' failed in ${hook}: ${scrubSecrets(messageOf(error), secrets)}`, { plugin, hook, cause: error });
}
