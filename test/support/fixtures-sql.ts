// Raw-SQL helpers for the atomicity, soft-delete, timestamp and validation suites.
// They read the database directly, never through the identity map.
import type { EntityName, MikroORM } from '@mikro-orm/core';

export type Row = Record<string, unknown>;

/** The table an entity maps to. */
export function tableOf(orm: MikroORM, entity: EntityName<any>): string {
  return orm.getMetadata().get(entity).tableName;
}

/** The column a property maps to. */
export function columnOf(orm: MikroORM, entity: EntityName<any>, property: string): string {
  const prop = orm.getMetadata().get(entity).properties[property as never] as { fieldNames?: string[] } | undefined;
  if (!prop?.fieldNames?.[0]) throw new Error(`no column for ${String(property)}`);
  return prop.fieldNames[0];
}

export function quote(orm: MikroORM, identifier: string): string {
  return orm.em.getPlatform().quoteIdentifier(identifier);
}

/** Raw SQL outside of any entity manager state. */
export async function sql<T = Row>(orm: MikroORM, query: string, params: unknown[] = []): Promise<T[]> {
  return orm.em.getConnection().execute<T[]>(query, params as never[]);
}

/** Every row of an entity's table, ordered by primary key, as the driver returns them. */
export async function dumpTable(orm: MikroORM, entity: EntityName<any>): Promise<Row[]> {
  const meta = orm.getMetadata().get(entity);
  const order = meta.primaryKeys.map(pk => quote(orm, columnOf(orm, entity, pk))).join(', ');
  return sql(orm, `select * from ${quote(orm, meta.tableName)} order by ${order}`);
}

/** Full dumps of several tables, keyed by table name. */
export async function dumpTables(orm: MikroORM, entities: readonly EntityName<any>[]): Promise<Record<string, Row[]>> {
  const dump: Record<string, Row[]> = {};
  for (const entity of entities) dump[tableOf(orm, entity)] = await dumpTable(orm, entity);
  return dump;
}

/** One row by primary key `id`, or undefined when it is not in the table. */
export async function rowById(orm: MikroORM, entity: EntityName<any>, id: unknown): Promise<Row | undefined> {
  const rows = await sql(orm, `select * from ${quote(orm, tableOf(orm, entity))} where ${quote(orm, 'id')} = ?`, [id]);
  return rows[0];
}

export async function countRows(orm: MikroORM, entity: EntityName<any>): Promise<number> {
  const [row] = await sql<{ n: unknown }>(orm, `select count(*) as n from ${quote(orm, tableOf(orm, entity))}`);
  return Number(row!.n);
}

/** Column names of a table as the database reports them (not as the metadata says). */
export async function columnsOf(orm: MikroORM, entity: EntityName<any>): Promise<string[]> {
  const table = tableOf(orm, entity);
  const platform = orm.em.getPlatform().constructor.name;
  let rows: { name: string }[];
  if (/sqlite/i.test(platform)) {
    rows = await sql<{ name: string }>(orm, `pragma table_info(${quote(orm, table)})`);
  } else if (/postgre/i.test(platform)) {
    rows = await sql<{ name: string }>(
      orm,
      'select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ?',
      [table],
    );
  } else {
    rows = await sql<{ name: string }>(
      orm,
      'select column_name as name from information_schema.columns where table_schema = database() and table_name = ?',
      [table],
    );
  }
  return rows.map(r => r.name).sort();
}

/** Collects the SQL MikroORM sends: pass `options` to `db.init`, read `queries`. */
export function queryLog(): { options: { debug: ['query']; colors: false; logger: (message: string) => void }; queries: string[]; clear(): void } {
  const queries: string[] = [];
  return {
    queries,
    clear: () => void queries.splice(0),
    options: {
      debug: ['query'],
      colors: false,
      logger: (message: string) => void queries.push(message),
    },
  };
}

/** Statements of one kind (insert/update/delete) against one table, from a query log. */
export function statements(queries: readonly string[], kind: 'insert' | 'update' | 'delete', table: string): string[] {
  const pattern =
    kind === 'insert'
      ? new RegExp(`\\binsert into [\`"]?${table}[\`"]?[\\s(]`, 'i')
      : kind === 'update'
        ? new RegExp(`\\bupdate [\`"]?${table}[\`"]? `, 'i')
        : new RegExp(`\\bdelete from [\`"]?${table}[\`"]?[\\s]`, 'i');
  return queries.filter(q => pattern.test(q));
}

/** A datetime column value as epoch milliseconds, whatever the driver returned. */
export function epochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`).getTime();
  }
  throw new Error(`not a datetime value: ${String(value)}`);
}
