import { wrap, type EntityManager, type MikroORM } from '@mikro-orm/core';
import { pluginOptions, runWithContext, runtimeOf } from '../core.js';
import { hardDelete, onlyDeleted, restore, withDeleted, type SoftDeleteOptions } from '../plugins/soft-delete/index.js';
import { entityMeta, jsonSafe, primaryKey } from './audit.js';
import { ConsoleError, invalidField, notFound } from './errors.js';
import { bodyObject, onlyFields, queryValue, requiredName } from './fields.js';
import type { Route } from './router.js';

const ROWS_PER_ENTITY = 500;

/** `api/trash`: soft-deleted rows and their deletion batches; restore a batch or a row; hard-delete one row after confirmation. */
export function trashRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/trash',
      changes: false,
      run: async ({ orm, query }) => {
        const only = queryValue(query, 'entity');
        const entities = softDeleteEntities(orm);
        if (only !== undefined && !entities.includes(only)) throw notFound(`no soft-deleting entity named '${only.slice(0, 100)}'`);
        const rows: TrashRow[] = [];
        for (const entity of only === undefined ? entities : [only]) rows.push(...(await deletedRows(orm.em.fork(), entity)));
        return { json: { batches: batchesOf(rows), rows } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/trash/restore',
      changes: true,
      run: async ({ orm, body, grant }) => {
        const input = bodyObject(body);
        onlyFields(input, ['entity', 'batch', 'id']);
        const { meta, options } = softDeleting(orm, requiredName(input, 'entity'));
        const byBatch = input.batch !== undefined;
        if (byBatch === (input.id !== undefined)) throw invalidField(byBatch ? 'id' : 'batch', 'given, either batch or id (not both)');
        const em = orm.em.fork();
        const restored = await runWithContext({ actor: grant.actor }, async () => {
          if (byBatch) {
            const batch = requiredName(input, 'batch');
            if (options.batchField === false) throw invalidField('batch', `absent: ${meta.className} keeps no deletion batches`);
            const rows = await restore(em, meta.class, { [options.batchField]: batch } as never, { cascade: true });
            if (rows.length === 0) throw notFound(`no soft-deleted ${meta.className} in batch '${batch.slice(0, 100)}'`);
            await em.flush();
            return rows.length;
          }
          const id = idOf(input);
          const row = await em.findOne(meta.class, primaryKey(meta, id) as never, onlyDeleted());
          if (!row) throw notFound(`no soft-deleted ${meta.className} with id ${id.slice(0, 100)}`);
          await restore(em, row, { cascade: true });
          await em.flush();
          return 1;
        });
        return { json: { restored }, change: { subjectId: meta.className, action: 'restore', details: byBatch ? { batch: input.batch, restored } : { id: input.id } } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/trash/hard-delete',
      changes: true,
      run: async ({ orm, body, grant }) => {
        const input = bodyObject(body);
        onlyFields(input, ['entity', 'id', 'confirm']);
        const { meta } = softDeleting(orm, requiredName(input, 'entity'));
        const id = idOf(input);
        if (input.confirm !== `${meta.className}:${id}`) {
          throw new ConsoleError('MOP_CONSOLE_CONFIRM_REQUIRED', `a hard delete cannot be undone: send confirm: "${meta.className}:${id.slice(0, 100)}"`, { field: 'confirm' });
        }
        const em = orm.em.fork();
        await runWithContext({ actor: grant.actor }, async () => {
          const row = await em.findOne(meta.class, primaryKey(meta, id) as never, withDeleted());
          if (!row) throw notFound(`no ${meta.className} with id ${id.slice(0, 100)}`);
          await hardDelete(em, row);
        });
        return { json: { deleted: 1 }, change: { subjectId: meta.className, action: 'hardDelete', details: { id } } };
      },
    },
  ];
}

export interface TrashRow {
  readonly entity: string;
  readonly id: string;
  readonly deletedAt: string | null;
  readonly batch: string | null;
  readonly deletedBy: string | null;
  readonly data: unknown;
}

function softDeleteEntities(orm: MikroORM): string[] {
  return [...runtimeOf(orm).attachments().keys()].filter(name => pluginOptions(orm.em, name, 'softDelete' as never) !== undefined).sort();
}

function softDeleting(orm: MikroORM, entity: string) {
  const meta = entityMeta(orm, entity);
  const options = pluginOptions(orm.em, meta.className, 'softDelete' as never) as SoftDeleteOptions | undefined;
  if (!options) throw notFound(`${meta.className} does not use soft delete`);
  return { meta, options };
}

function idOf(input: Record<string, unknown>): string {
  const id = input.id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id !== '' && id.length <= 255) return id;
  throw invalidField('id', "the row's primary key (a string or number)");
}

async function deletedRows(em: EntityManager, entity: string): Promise<TrashRow[]> {
  const options = pluginOptions(em, entity, 'softDelete' as never) as unknown as SoftDeleteOptions;
  const meta = em.getMetadata().getByClassName(entity);
  const rows = await em.find(meta.class, {}, { ...onlyDeleted(), limit: ROWS_PER_ENTITY, orderBy: { [options.field]: 'desc' } as never });
  return rows.map(row => {
    const r = row as Record<string, unknown>;
    const pk = meta.primaryKeys.map(k => String(r[k]));
    const at = r[options.field];
    return {
      entity,
      id: pk.length === 1 ? pk[0]! : JSON.stringify(pk),
      deletedAt: at instanceof Date ? at.toISOString() : at == null ? null : String(at),
      batch: options.batchField === false ? null : ((r[options.batchField] as string | null) ?? null),
      deletedBy: options.deletedBy ? ((r[options.deletedBy] as string | null) ?? null) : null,
      data: jsonSafe(wrap(row).toObject()),
    };
  });
}

function batchesOf(rows: readonly TrashRow[]) {
  const batches = new Map<string, { batch: string; at: string | null; by: string | null; count: number; entities: string[] }>();
  for (const row of rows) {
    if (row.batch === null) continue;
    const b = batches.get(row.batch) ?? { batch: row.batch, at: row.deletedAt, by: row.deletedBy, count: 0, entities: [] };
    b.count++;
    if (!b.entities.includes(row.entity)) b.entities.push(row.entity);
    if (row.deletedAt !== null && (b.at === null || row.deletedAt < b.at)) b.at = row.deletedAt;
    batches.set(row.batch, b);
  }
  return [...batches.values()].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}
