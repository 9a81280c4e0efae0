import { ReferenceKind, Utils, type ChangeSet, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { tableNameOf } from './orm-internals/index.js';

type Row = Record<string, unknown>;

export interface KeptRow {
  readonly cs: ChangeSet<any>;
  /** The entity's snapshot as the diff saw it; with the payload merged in, its snapshot once written. */
  readonly snapshot: Row;
}

// Rows per statement when values differ: a column whose value differs by row is set by a CASE over the
// statement's rows, which the database walks for each row, so its work grows with the square of this.
const CASE_ROWS = 100;

/**
 * The UPDATEs of one class's kept rows, each in the flush's transaction: a chunk of up to `batchSize`
 * rows that get the same values is one `UPDATE … SET col = ? … WHERE pk IN (…)`; otherwise chunks of
 * 100 rows, where a column whose value differs by row is set by a CASE on the key. Built as MikroORM's
 * batch update builds its own (`nativeUpdateMany`): identifiers quoted by the platform, every value a
 * parameter in the snapshot form MikroORM's updates pass, run by the driver. Composite or relation
 * keys, and columns a custom type writes through SQL or that span several columns, take
 * `nativeUpdateMany` itself.
 */
export async function writeClass(em: EntityManager, meta: EntityMetadata, rows: readonly KeptRow[]): Promise<void> {
  const driver = em.getDriver() as unknown as SqlDriver;
  const size = em.config.get('batchSize');
  const pk = meta.primaryKeys.length === 1 && meta.getPrimaryProps()[0]!.kind === ReferenceKind.SCALAR ? meta.getPrimaryProps()[0]! : undefined;
  const ctx = em.getTransactionContext();
  const loggerContext = em.getLoggerContext();
  for (let start = 0; start < rows.length; ) {
    const schema = rows[start]!.cs.schema ?? meta.schema;
    const same = pk === undefined ? 0 : sameValues(rows, start, size);
    const chunk = rows.slice(start, same > 1 ? start + same : start + (pk === undefined ? size : CASE_ROWS));
    start += chunk.length;
    const statement = pk === undefined ? undefined : updateStatement(em, meta, pk, chunk, schema);
    if (statement === undefined) {
      const options = { ctx, schema, convertCustomTypes: false, processCollections: false, loggerContext };
      await driver.nativeUpdateMany(meta.class, chunk.map(row => row.cs.getPrimaryKey(true)), chunk.map(row => row.cs.payload), options);
    } else {
      await driver.execute(statement.sql, statement.params, 'run', ctx, loggerContext);
    }
  }
}

interface SqlDriver {
  nativeUpdateMany(entityName: unknown, where: unknown[], data: unknown[], options: object): Promise<unknown>;
  execute(sql: string, params: unknown[], method: 'run', ctx: unknown, loggerContext: unknown): Promise<unknown>;
}

/** One chunk's statement: shared values set once, the others by a CASE on the key; undefined when a column cannot be written so. */
function updateStatement(em: EntityManager, meta: EntityMetadata, pk: EntityProperty, chunk: readonly KeptRow[], schema: string | undefined): { sql: string; params: unknown[] } | undefined {
  const platform = em.getPlatform();
  const first = chunk[0]!.cs.payload as Row;
  const keys = new Set<string>();
  for (const { cs } of chunk) for (const key in cs.payload as Row) keys.add(key);
  const pkColumn = platform.quoteIdentifier(pk.fieldNames[0]!);
  const params: unknown[] = [];
  const sets: string[] = [];
  for (const key of keys) {
    const prop = meta.properties[key as never] as EntityProperty;
    if (prop.fieldNames.length !== 1 || (prop.customType !== undefined && 'convertToDatabaseValueSQL' in prop.customType)) return undefined;
    const column = platform.quoteIdentifier(prop.fieldNames[0]!);
    if (chunk.every(({ cs }) => key in (cs.payload as Row) && sameValue((cs.payload as Row)[key], first[key]))) {
      sets.push(`${column} = ?`);
      params.push(first[key] ?? null);
    } else {
      sets.push(`${column} = ${caseOf(chunk, key, pkColumn, column, params)}`);
    }
  }
  const ids = chunk.map(({ cs }) => cs.getPrimaryKey());
  params.push(...ids);
  const sql = `update ${tableNameOf(em, meta, schema)} set ${sets.join(', ')} where ${pkColumn} in (${ids.map(() => '?').join(', ')})`;
  return { sql, params };
}

/**
 * `CASE pk WHEN ? THEN ? … END` for values that differ by row; where rows share values (roots of one
 * flush stamped in the same millisecond), `CASE WHEN pk IN (?, ?) THEN ? … END`, fewer parameters.
 */
function caseOf(chunk: readonly KeptRow[], key: string, pkColumn: string, column: string, params: unknown[]): string {
  const groups = new Map<unknown, { value: unknown; keys: unknown[] }>();
  let rows = 0;
  for (const { cs } of chunk) {
    const payload = cs.payload as Row;
    if (!(key in payload)) continue;
    rows++;
    const value = payload[key] ?? null;
    const group = value instanceof Date ? value.getTime() : value !== null && typeof value === 'object' ? cs : value;
    let found = groups.get(group);
    if (found === undefined) groups.set(group, (found = { value, keys: [] }));
    found.keys.push(cs.getPrimaryKey());
  }
  let sql = '';
  if (groups.size * 2 <= rows) {
    for (const { value, keys } of groups.values()) {
      sql += ` when ${pkColumn} in (${keys.map(() => '?').join(', ')}) then ?`;
      params.push(...keys, value);
    }
    return `case${sql} else ${column} end`;
  }
  for (const { value, keys } of groups.values()) {
    for (const key of keys) {
      sql += ' when ? then ?';
      params.push(key, value);
    }
  }
  return `case ${pkColumn}${sql} else ${column} end`;
}

/** How many rows from `start` (at most `size`) get the same values as the first. */
function sameValues(rows: readonly KeptRow[], start: number, size: number): number {
  const first = rows[start]!.cs.payload as Row;
  const keys = Object.keys(first);
  let end = start + 1;
  const last = Math.min(rows.length, start + size);
  for (; end < last; end++) {
    const payload = rows[end]!.cs.payload as Row;
    if (Utils.getObjectKeysSize(payload) !== keys.length || !keys.every(key => sameValue(first[key], payload[key]))) break;
  }
  return end - start;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Utils.equals(a, b);
}
