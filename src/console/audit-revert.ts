import type { EntityMetadata, MikroORM } from '@mikro-orm/core';
import { entityTrait, PluginError, runWithContext } from '../core.js';
import { auditTable, REDACTED, stateAt } from '../plugins/audit/index.js';
import { entityMeta, jsonSafe, primaryKey } from './audit.js';
import { ConsoleError, invalidField, notFound } from './errors.js';
import { bodyObject, onlyFields, requiredName } from './fields.js';
import type { Route } from './router.js';

const REDACTED_FIELD = 'redacted in the audit log: its value then is unknown, so it is left as it is';

/**
 * `POST api/audit/revert` `{ entity, id, at | eventId, leaveRedacted? }`: writes a row back to its state
 * as of a time (or as of an audit record, that change included) through the ORM, so its hooks,
 * validation and audit run, the audit row with the console's actor. Refused, with nothing written, when
 * the row did not exist then or does not now (in the trash: restore it there first), or when redacted
 * fields would need restoring (unless `leaveRedacted`, which leaves them as they are and says which).
 */
export function auditRevertRoutes(): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/api/audit/revert',
      changes: true,
      run: async ({ orm, grant, body }) => {
        const input = bodyObject(body);
        onlyFields(input, ['entity', 'id', 'at', 'eventId', 'leaveRedacted']);
        const entity = requiredName(input, 'entity');
        const id = input.id;
        if ((typeof id !== 'string' || id === '' || id.length > 255) && !Number.isSafeInteger(id)) throw invalidField('id', "the row's primary key");
        const leaveRedacted = input.leaveRedacted ?? false;
        if (typeof leaveRedacted !== 'boolean') throw invalidField('leaveRedacted', 'true or false');
        const table = auditTable(orm.em);
        const meta = entityMeta(orm, entity);
        const pk = primaryKey(meta, String(id));
        const when = await revertTime(orm, table, meta, String(id), input);
        const state = await stateAt(orm.em.fork(), meta.className, pk, when);
        const label = `${meta.className} ${String(id).slice(0, 100)}`;
        if (!state) throw new ConsoleError('MOP_CONSOLE_NO_STATE', `${label} did not exist at ${when.toISOString()}`, { field: input.eventId === undefined ? 'at' : 'eventId' });
        const redacted = Object.keys(state).filter(field => state[field] === REDACTED);
        if (redacted.length > 0 && !leaveRedacted) {
          throw new ConsoleError('MOP_CONSOLE_REDACTED', `${label}: ${redacted.join(', ')} ${redacted.length === 1 ? 'was' : 'were'} redacted in the audit log and cannot be restored; send leaveRedacted: true to restore the rest`, {
            field: 'leaveRedacted',
            issues: redacted.map(path => ({ path, message: REDACTED_FIELD })),
          });
        }
        const values = restorable(orm, meta, state, redacted);
        const after = await runWithContext({ actor: grant.actor }, async () => {
          const em = orm.em.fork();
          const row = await em.findOne(meta.class, pk as never);
          if (!row) throw new ConsoleError('MOP_CONSOLE_NO_STATE', `${label} does not exist now (deleted, or in the trash: restore it there first)`, { field: 'id' });
          em.assign(row, values as never);
          await flushRefusals(() => em.flush());
          return row;
        });
        const notRecorded = Object.keys(meta.properties).filter(name => !(name in state) && isWritable(meta, name));
        return {
          json: { state: jsonSafe(pick(after, Object.keys(values))), restored: Object.keys(values), leftAsIs: redacted, notRecorded, at: when.toISOString() },
          change: {
            subjectId: `${meta.className}:${String(id)}`.slice(0, 255),
            action: 'revert',
            details: { entity: meta.className, id: String(id), at: when.toISOString(), ...(input.eventId !== undefined && { eventId: input.eventId }), restored: Object.keys(values), leftAsIs: redacted },
          },
        };
      },
    },
  ];
}

/** The time to go back to: `at`, or the time of audit record `eventId` (which must be about this row). */
async function revertTime(orm: MikroORM, table: ReturnType<typeof auditTable>, meta: EntityMetadata, id: string, input: Record<string, unknown>): Promise<Date> {
  const { at, eventId } = input;
  if ((at === undefined) === (eventId === undefined)) throw invalidField('at', "an ISO date-time, or an 'eventId' (one of the two)");
  if (at !== undefined) {
    const date = typeof at === 'string' && /^\d{4}-\d{2}-\d{2}/.test(at) ? new Date(at) : undefined;
    if (!date || Number.isNaN(date.getTime())) throw invalidField('at', 'an ISO date-time such as 2026-01-31T12:00:00Z');
    return date;
  }
  if (!Number.isSafeInteger(eventId) || (eventId as number) < 1) throw invalidField('eventId', 'the id of an audit record (a positive integer)');
  const record = await orm.em.fork().findOne(table, { id: eventId as number });
  if (!record || record.entityName !== meta.className || record.entityId !== id) throw notFound(`no audit record ${String(eventId)} of ${meta.className} ${id.slice(0, 100)}`);
  return new Date(record.recordedAt);
}

/** What a revert writes: recorded values of properties an update may set; never the key, the version, the soft-delete field or a redacted value. */
function restorable(orm: MikroORM, meta: EntityMetadata, state: Record<string, unknown>, redacted: readonly string[]): Record<string, unknown> {
  const softDeleteField = entityTrait(orm.em, meta.className, 'softDeletable')?.field;
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state)) {
    if (redacted.includes(name) || name === softDeleteField || !isWritable(meta, name)) continue;
    values[name] = value;
  }
  return values;
}

function isWritable(meta: EntityMetadata, name: string): boolean {
  const prop = meta.properties[name as never] as { primary?: boolean; persist?: boolean; kind?: string; formula?: unknown; embedded?: unknown; version?: boolean } | undefined;
  // The version column is the ORM's to move: an old value written back would defeat optimistic locking.
  if (!prop || prop.primary || prop.version || prop.persist === false || prop.formula || prop.embedded) return false;
  return prop.kind === 'scalar' || prop.kind === 'm:1' || prop.kind === 'embedded' || (prop.kind === '1:1' && (prop as { owner?: boolean }).owner === true);
}

function pick(row: object, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.map(name => [name, (row as Record<string, unknown>)[name]]));
}

/** A hook that refused the write (validation) is the caller's 422, not the console's failure. */
async function flushRefusals(flush: () => Promise<void>): Promise<void> {
  try {
    await flush();
  } catch (error) {
    const refusal = [error, (error as { cause?: unknown })?.cause].find(e => e instanceof PluginError && e.code === 'MOP_VALIDATION_FAILED') as (PluginError & { issues?: { field: string; message: string }[] }) | undefined;
    if (!refusal) throw error;
    throw new ConsoleError('MOP_CONSOLE_INVALID', refusal.message.replace(/^\[[A-Z_]+\] /, ''), { issues: (refusal.issues ?? []).map(i => ({ path: i.field, message: i.message })) });
  }
}
