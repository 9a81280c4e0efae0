import { wrap, type EntityManager, type EntityMetadata, type MetadataStorage } from '@mikro-orm/core';
import { currentContext, entityTrait, hook, onCommit, plugin, pluginOptions, type BatchAfterHookContext, type EntityChanges, type HookContext, type Plugin, type SetupContext } from '../../core.js';
import { RecordBuilder } from './build-record.js';
import { buildBulkRecord } from './bulk-record.js';
import { auditClock } from './clock.js';
import { serializeEntityId } from './entity-id.js';
import { AuditNotInstalledError } from './errors.js';
import { fieldPolicy } from './field-policy.js';
import { bulkFlushIdOf, flushIdOf } from './flush-tracker.js';
import { auditDefaults, validateAuditOptions, type AuditOptions } from './options.js';
import { addRows, writeNow } from './pending-rows.js';
import { auditSettings } from './settings.js';
import { hasSinks, holdForSinks, publishToSinks } from './sink-publishing.js';
import type { AuditRecord, BulkAuditOperation } from './types.js';

/**
 * Writes one audit row per create, update, delete, soft delete and restore of an entity, and one
 * bulk row per native or bulk operation (`em.insert`, `upsert`, `nativeUpdate`, `nativeDelete`…).
 *
 * Why `afterChange` (a batch hook) and not `onFlush`: in `onFlush` the INSERTs have not run, so ids the database
 * generates (auto-increment) are unknown and the row could not say which entity it is about.
 * `afterChange` runs right after each write, inside the flush's transaction, with the id on the
 * entity; the row is kept, and the flush's rows go in together once its last change is written, as
 * multi-row INSERTs on the same transaction (`FlushTracker`): a flush that rolls back takes its
 * audit rows with it, and one that commits has them. Sinks run later, once the transaction committed (`onCommit`).
 */
@plugin({
  name: 'audit',
  package: 'mikro-orm-plugins',
  // Metadata only: the package's entry modules register the built-ins (src/index.ts, audit.ts, cache.ts).
  registry: false,
  version: '1.0.0',
  description: 'Records who changed what and when, in the same transaction, with history and point-in-time queries.',
  // Every per-entity option is read from the hook's options at each write, so each may change live.
  options: {
    defaults: auditDefaults,
    validate: validateAuditOptions,
    // For forms (the console): property names as a list.
    fields: {
      include: { type: 'array', description: 'Record only these properties (not with exclude)', order: 1 },
      exclude: { type: 'array', description: 'Never record these properties', order: 2 },
      redact: { type: 'array', description: 'Record that these changed, never their values', order: 3 },
      ignoreNoopUpdates: { type: 'boolean', description: 'No row for an update that changes nothing recorded', order: 4 },
    },
    live: ['include', 'exclude', 'redact', 'ignoreNoopUpdates'],
  },
})
export class AuditPlugin implements Plugin<AuditOptions> {
  setupEntity(meta: EntityMetadata, { options, platform }: SetupContext<AuditOptions>): void {
    const settings = auditSettings(platform.getConfig());
    if (!settings) {
      throw new AuditNotInstalledError(`Entity '${meta.className}' uses the audit plugin, but auditLog() is not in the ORM's extensions`, meta.className);
    }
    settings.audited.set(meta.className, options);
  }

  /**
   * A batch hook: one call per flush and entity class with every change of it (or one change per call
   * when the flush dispatches per entity), so what the records share is worked out once.
   */
  @hook('afterChange', { batch: true })
  record(entities: readonly object[], changes: readonly EntityChanges[], ctx: BatchAfterHookContext<AuditOptions>): void | Promise<void> {
    const { em, meta } = ctx;
    const settings = auditSettings(em.config)!;
    const builder = new RecordBuilder({
      meta,
      options: ctx.options,
      softDeleteField: softDeleteFieldOf(em, meta),
      context: currentContext(em),
      flushId: flushIdOf(em),
      recordedAt: auditClock(),
    });
    const sinks = hasSinks(settings, em);
    const changeSets = ctx.changeSets;
    const records: AuditRecord[] = [];
    for (let i = 0; i < entities.length; i++) {
      const entity = entities[i]!;
      const pk = changeSets[i]?.getPrimaryKey() ?? wrap(entity, true).getPrimaryKey();
      const record = builder.build(entity, changes[i]!, serializeEntityId(meta, pk));
      if (!record) continue;
      if (sinks) holdForSinks(em, record);
      records.push(record);
    }
    if (records.length === 0) return;
    const written = settings.table ? addRows(em, settings, records) : undefined;
    if (!sinks) return written;
    // Sinks get each record once its transaction committed (never after a rollback), after its row has its
    // id; outside any transaction the change stands, and the flush awaits them now.
    const publish = async () => {
      for (const record of records) await onCommit(em, () => publishToSinks(settings, em, record));
    };
    return written === undefined ? publish() : written.then(publish);
  }

  /** `nativeUpdate`, and the UPDATE a vetoed `nativeDelete` becomes: a soft delete or restore when `data` sets or clears the softDelete field. */
  @hook('afterBulkUpdate')
  bulkUpdated(_entityName: string, where: unknown, data: Record<string, unknown>, ctx: HookContext<AuditOptions>): void | Promise<void> {
    const field = entityTrait(ctx.em, ctx.meta.className, 'softDeletable')?.field;
    const operation: BulkAuditOperation =
      field === undefined || !Object.hasOwn(data, field) ? 'bulkUpdate' : data[field] == null ? 'bulkRestore' : 'bulkSoftDelete';
    return recordBulk(ctx, operation, where, data);
  }

  /** A real DELETE by `nativeDelete`; the data a vetoing hook may have filled was not written. */
  @hook('afterBulkDelete')
  bulkDeleted(_entityName: string, where: unknown, _data: Record<string, unknown>, ctx: HookContext<AuditOptions>): void | Promise<void> {
    return recordBulk(ctx, 'bulkDelete', where, {});
  }

  @hook('afterBulkInsert')
  bulkInserted(_entityName: string, _where: null, rows: readonly object[], ctx: HookContext<AuditOptions>): void | Promise<void> {
    return recordBulk(ctx, 'bulkInsert', null, rows);
  }

  @hook('afterBulkUpsert')
  bulkUpserted(_entityName: string, _where: null, rows: readonly object[], ctx: HookContext<AuditOptions>): void | Promise<void> {
    return recordBulk(ctx, 'bulkUpsert', null, rows);
  }

}

// Per ORM (its metadata) and entity: what plugins stated at start-up does not change afterwards.
const softDeleteFields = new WeakMap<MetadataStorage, Map<string, string | undefined>>();

/** The softDelete plugin's field on the entity, if it has the plugin: an update of it is a soft delete or a restore. */
function softDeleteFieldOf(em: EntityManager, meta: EntityMetadata): string | undefined {
  const storage = em.getMetadata();
  let fields = softDeleteFields.get(storage);
  if (!fields) softDeleteFields.set(storage, (fields = new Map()));
  if (!fields.has(meta.className)) fields.set(meta.className, entityTrait(em, meta.className, 'softDeletable')?.field);
  return fields.get(meta.className);
}

/**
 * One row for a whole native or bulk operation, written from its after-event on the em the operation
 * ran on, so in its transaction (the plugin system opens one when the caller has none).
 */
function recordBulk(ctx: HookContext<AuditOptions>, operation: BulkAuditOperation, where: unknown, data: object | readonly object[]): void | Promise<void> {
  const settings = auditSettings(ctx.em.config)!;
  const record = buildBulkRecord({
    meta: ctx.meta,
    operation,
    where,
    data,
    count: ctx.affected,
    options: ctx.options,
    policyOf: meta => {
      // The options it runs with now: a live edit (redact, exclude…) counts from the next write.
      const options = settings.audited.has(meta.className) ? (pluginOptions(ctx.em, meta.className, 'audit') as AuditOptions | undefined) : undefined;
      return options && fieldPolicy(meta, options);
    },
    context: currentContext(ctx.em),
    flushId: bulkFlushIdOf(ctx.em),
    recordedAt: auditClock(),
  });
  if (!record) return;
  // Sinks see it once the operation's transaction committed, like per-entity records; never after a rollback.
  if (hasSinks(settings, ctx.em)) void onCommit(ctx.em, () => publishToSinks(settings, ctx.em, record));
  if (settings.table) return writeNow(ctx.em, settings, record);
}
