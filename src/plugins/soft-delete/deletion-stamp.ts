import type { EntityManager } from '@mikro-orm/core';
import { currentContext } from '../../core.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

/** What one deletion batch writes on every row it soft-deletes: the root and everything cascaded from it. */
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
