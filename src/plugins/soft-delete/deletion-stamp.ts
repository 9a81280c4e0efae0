import type { EntityManager } from '@mikro-orm/core';
import { currentContext, type HookContext } from '../../core.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

/** What one deletion batch writes on every row it soft-deletes: the roots one flush removes and everything cascaded from them. */
export interface DeletionStamp {
  readonly batch: string;
  readonly at: Date;
  /** The actor of `runWithContext` / `bindContext` when the batch started, or null. */
  readonly by: string | null;
}

export function newStamp(em: EntityManager): DeletionStamp {
  // The Web Crypto global, loaded on first use: importing node:crypto would add its load to every application's start.
  return { batch: globalThis.crypto.randomUUID(), at: new Date(), by: currentContext(em).actor ?? null };
}

const flushStamps = new WeakMap<object, DeletionStamp>();

/** The stamp of the flush a `beforeDelete` hook runs in: one batch, time and actor for all its soft deletes. */
export function flushStamp(ctx: HookContext): DeletionStamp {
  const flush = ctx.flush;
  if (flush === undefined) return newStamp(ctx.em);
  let stamp = flushStamps.get(flush);
  if (stamp === undefined) flushStamps.set(flush, (stamp = newStamp(ctx.em)));
  return stamp;
}

/** The columns a soft delete sets, by this entity's option names (each row gets its own Date object). */
export function stampValues(options: SoftDeleteOptions, stamp: DeletionStamp): Row {
  const values: Row = { [options.field]: new Date(stamp.at.getTime()) };
  if (options.batchField !== false) values[options.batchField] = stamp.batch;
  if (options.deletedBy !== false) values[options.deletedBy] = stamp.by;
  return values;
}

/** The columns a restore clears. */
export function clearedValues(options: SoftDeleteOptions): Row {
  const values: Row = { [options.field]: null };
  if (options.batchField !== false) values[options.batchField] = null;
  if (options.deletedBy !== false) values[options.deletedBy] = null;
  return values;
}
