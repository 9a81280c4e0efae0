import type { EntityManager } from '@mikro-orm/core';
import type { ImplementationInfo } from '../../operations/index.js';
import { AuditSinkError, type SinkFailure } from './errors.js';
import type { AuditSettings } from './settings.js';
import type { AuditRecord, AuditSink, BulkAuditRecord } from './types.js';

/**
 * The entity records one flush made for the sinks. They commit or roll back together (a flush runs
 * in one transaction or savepoint), so a sink with `writeMany` can take them all at the first one's
 * commit; `delivered` keeps it from getting them twice.
 */
interface FlushRecords {
  readonly flushId: string;
  readonly records: AuditRecord[];
  readonly delivered: Set<AuditSink>;
}

const current = new WeakMap<EntityManager, FlushRecords>();
const groupOf = new WeakMap<AuditRecord, FlushRecords>();

/** Keeps an entity record for the sinks, with the others of its flush. */
export function holdForSinks(em: EntityManager, record: AuditRecord): void {
  let group = current.get(em);
  if (group?.flushId !== record.flushId) current.set(em, (group = { flushId: record.flushId, records: [], delivered: new Set() }));
  group.records.push(record);
  groupOf.set(record, group);
}

/** Whether a record has anywhere to go besides the table: given sinks, or a chosen registered one. */
export function hasSinks(settings: AuditSettings, em: EntityManager): boolean {
  if (settings.sinks.length > 0) return true;
  try {
    return settings.sinkType?.chosen(em) !== undefined;
  } catch {
    // A type's own selector threw: the publish reports it after the commit; the write itself must not fail.
    return true;
  }
}

/**
 * Hands a committed record to every given sink in order, then to the registered one chosen now (so a
 * switch in the stored state takes effect from the next commit); failures are collected and reported together.
 * A sink with `writeMany` gets the record's whole flush at once, the first time one of its records comes.
 */
export async function publishToSinks(settings: AuditSettings, em: EntityManager, record: AuditRecord | BulkAuditRecord): Promise<void> {
  // One sink must not change what the next one sees.
  Object.freeze(record.changes);
  Object.freeze(record);
  const group = groupOf.get(record as AuditRecord);
  const failures: SinkFailure[] = [];
  // `sink` is read inside the try: a registered class is instantiated on first use, and its constructor may throw.
  const write = async (name: string, sink: () => AuditSink) => {
    try {
      const chosen = sink();
      if (group === undefined || typeof chosen.writeMany !== 'function') await chosen.write(record);
      else if (!group.delivered.has(chosen)) {
        group.delivered.add(chosen);
        await chosen.writeMany(frozen(group.records));
      }
    } catch (error) {
      failures.push({ sink: name, error });
    }
  };
  for (const [i, sink] of settings.sinks.entries()) await write(sink.name ?? `sinks[${i}]`, () => sink);
  if (settings.sinkType) {
    let chosen: ImplementationInfo<AuditSink> | undefined;
    try {
      chosen = settings.sinkType.chosen(em);
    } catch (error) {
      failures.push({ sink: settings.sinkType.name, error });
    }
    if (chosen) await write(chosen.key, () => chosen.implementation);
  }
  if (failures.length > 0) throw new AuditSinkError(record.entity, record.entityId, record.operation, failures);
}

function frozen(records: readonly AuditRecord[]): readonly AuditRecord[] {
  for (const record of records) {
    Object.freeze(record.changes);
    Object.freeze(record);
  }
  return Object.freeze([...records]);
}
