import { EntitySchema, MetadataStorage, ReferenceKind, type EntityMetadata, type EntityProperty, type Platform } from '@mikro-orm/core';
import { invalidArgument, PluginOptionsError } from '../errors.js';

/** The runtime type of a column a plugin adds. */
export type ColumnType = 'Date' | 'string';
const COLUMN_TYPES: ReadonlySet<string> = new Set<ColumnType>(['Date', 'string']);

/** A column a plugin adds to an entity at discovery (or finds there already). */
export interface PluginColumn {
  readonly plugin: string;
  /** The option that names the property, for errors: `createdAt`, `field`, `batchField`. */
  readonly option: string;
  /** The property name. */
  readonly name: string;
  /** The column name, from the plugin's `columns` option; default: the naming strategy's. */
  readonly column?: string | undefined;
  readonly type: ColumnType;
  readonly nullable?: boolean;
  readonly index?: boolean;
  /**
   * The column must get a value on writes that bypass entity hooks (pivot rows, QueryBuilder
   * `insert()`, raw SQL) and on rows already in the table when it is added: the database's current
   * time (`default current_timestamp`). SQLite cannot add a column with such a default to a table
   * (`ALTER TABLE … ADD COLUMN` takes constant defaults only), so there it is nullable instead.
   */
  readonly defaultNow?: boolean;
  /**
   * What the plugin does with an existing property of another name that maps the same column:
   * `reuse` it (its name is returned; its type must fit) or refuse it with `PluginOptionsError`.
   */
  readonly existingColumn: 'reuse' | 'refuse';
  /** The option also takes `false`, leaving the column out: said in errors. */
  readonly optional?: boolean;
}

/** What `addPluginColumn` settled on. */
export interface ResolvedColumn {
  /** The property holding the column: the plugin's, one the entity declares under that name, or one it maps to that column. */
  readonly name: string;
  /** The property as the plugin added it, or undefined when the entity already had one. */
  readonly added: EntityProperty | undefined;
}

/**
 * Adds a scalar property at discovery unless the entity (or a base class) declares it; the schema
 * generator then creates the column. An existing property of another name mapping the same column
 * is reused or refused (`PluginOptionsError` naming entity, plugin and the option that fixes it),
 * never mapped twice. Uses runtime type names ('Date', not 'datetime'): MikroORM 7.2 compares
 * 'datetime' props as always dirty.
 */
export function addPluginColumn(meta: EntityMetadata, platform: Platform, spec: PluginColumn): ResolvedColumn {
  checkColumnArguments('addPluginColumn', meta, platform, spec);
  const naming = platform.getConfig().getNamingStrategy();
  const column = spec.column ?? naming.propertyToColumnName(spec.name);
  const known = knownProperties(meta);
  const refuse = (expected: string, received: unknown = spec.name, option = spec.option) =>
    new PluginOptionsError({ plugin: spec.plugin, entity: meta.className, option, expected, received });

  const declared = known.get(spec.name);
  if (declared) {
    const type = typeNameOf(declared);
    if (!fits(spec.type, type)) {
      throw refuse(`a property of type ${spec.type}, which '${spec.name}' is not (the entity declares it as ${type}): another property name${spec.optional ? ', or false' : ''}`);
    }
    const own = columnOf(declared, naming, spec.name);
    if (spec.column !== undefined && own !== undefined && own !== spec.column) {
      throw refuse(`the column of '${spec.name}', which the entity maps to '${own}' (drop columns.${spec.name}, or rename the property)`, spec.column, `columns.${spec.name}`);
    }
    return { name: spec.name, added: undefined };
  }

  for (const [name, prop] of known) {
    if (columnOf(prop, naming, name) !== column) continue;
    const type = typeNameOf(prop);
    if (spec.existingColumn === 'reuse' && fits(spec.type, type)) return { name, added: undefined };
    const fixes = [
      ...(fits(spec.type, type) ? [`name that property (${spec.option}: '${name}')`] : []),
      `give the plugin's column another name (columns: { ${spec.name}: '…' })`,
      ...(spec.optional ? [`leave it out (${spec.option}: false)`] : []),
    ];
    const mapped = fits(spec.type, type) ? `property '${name}'` : `property '${name}' of type ${type}`;
    throw refuse(`a property that does not map column '${column}', which ${mapped} maps already: ${fixes.join(', or ')}`);
  }

  const prop: Record<string, unknown> = { name: spec.name, kind: ReferenceKind.SCALAR, type: spec.type };
  define(prop, platform, spec);
  (meta.properties as Record<string, unknown>)[spec.name] = prop;
  return { name: spec.name, added: prop as unknown as EntityProperty };
}

/** The column definition of a plugin column: its name when given, nullability, index, default. */
function define(prop: Record<string, unknown>, platform: Platform, spec: PluginColumn): void {
  if (spec.column !== undefined) prop.fieldNames = [spec.column];
  if (spec.nullable) prop.nullable = true;
  if (spec.index !== undefined) prop.index = spec.index;
  if (spec.defaultNow) {
    // Milliseconds at most, as JavaScript dates hold: a row read back by the values the database gave (upserts) must match.
    const length = Math.min(platform.getDefaultDateTimeLength(), 3);
    if (length > 0) prop.length = length;
    if (addsExpressionDefaults(platform)) prop.defaultRaw = platform.getCurrentTimestampSQL(length || undefined);
    else prop.nullable = true;
  }
}

const MARK = Symbol.for('mikro-orm-plugins:column');

/**
 * Marks a property builder of the typed helpers (`timestampProperties()`, `softDeleteProperties()`):
 * with the plugin attached, the declared property gets the definition the plugin would give a column
 * it adds (default, nullability, index, the `columns` option's name).
 */
export function markColumn<B>(builder: B): B {
  const assign = (builder as { assignOptions?: (options: object) => B } | null | undefined)?.assignOptions;
  return typeof assign === 'function' ? assign.call(builder, { [MARK]: true }) : builder;
}

/** A property a typed helper declared under the plugin's name: given the plugin's definition. Undefined when there is none. */
export function markedColumn(meta: EntityMetadata, platform: Platform, spec: PluginColumn): ResolvedColumn | undefined {
  checkColumnArguments('markedColumn', meta, platform, spec);
  const prop = (meta.properties as unknown as Record<string, Record<PropertyKey, unknown> | undefined>)[spec.name];
  if (!prop?.[MARK]) return undefined;
  define(prop, platform, spec);
  return { name: spec.name, added: prop as unknown as EntityProperty };
}

/**
 * The entity's properties and those of its base classes, nearest first. At discovery MikroORM has
 * not yet copied a base class's properties into the entity, so they are read where the base keeps
 * them: its `EntitySchema`, or the metadata its decorators stored on the class.
 */
function knownProperties(meta: EntityMetadata): Map<string, EntityProperty> {
  const known = new Map<string, EntityProperty>();
  const seen = new Set<EntityMetadata>();
  for (let current: EntityMetadata | undefined = meta; current && !seen.has(current); current = baseOf(current)) {
    seen.add(current);
    for (const [name, prop] of Object.entries(current.properties as Record<string, EntityProperty>)) {
      if (!known.has(name)) known.set(name, prop);
    }
  }
  return known;
}

/** The metadata a base class keeps before discovery, or undefined when there is none to read. */
export function baseOf(meta: EntityMetadata): EntityMetadata | undefined {
  const base = meta.extends as unknown;
  if (!base) return undefined;
  if (EntitySchema.is(base)) return base.meta as EntityMetadata;
  if (typeof base !== 'function') return undefined;
  const schema = EntitySchema.REGISTRY.get(base);
  if (schema) return schema.meta as EntityMetadata;
  return Object.hasOwn(base, MetadataStorage.META_SYMBOL) ? ((base as unknown as Record<symbol, EntityMetadata>)[MetadataStorage.META_SYMBOL]) : undefined;
}

/** Whether the entity is part of a table-per-type hierarchy (the root says `inheritance: 'tpt'`). */
export function inTablePerType(meta: EntityMetadata): boolean {
  checkMeta('inTablePerType', meta);
  const seen = new Set<EntityMetadata>();
  for (let current: EntityMetadata | undefined = meta; current && !seen.has(current); current = baseOf(current)) {
    seen.add(current);
    if ((current as { inheritance?: string }).inheritance === 'tpt') return true;
  }
  return false;
}

/** The single column a property maps, as far as discovery knows it now; undefined for relations without a given name, embeddables, unpersisted props. */
function columnOf(prop: EntityProperty, naming: { propertyToColumnName(name: string): string }, name: string): string | undefined {
  if (prop.persist === false || prop.kind === ReferenceKind.EMBEDDED) return undefined;
  if (prop.fieldNames?.length === 1) return prop.fieldNames[0];
  const fieldName = (prop as { fieldName?: string }).fieldName;
  if (typeof fieldName === 'string') return fieldName;
  if (prop.kind !== undefined && prop.kind !== ReferenceKind.SCALAR) return undefined;
  // Discovery may not have named a property yet (base classes, schemas): the key it is declared under is its name.
  return naming.propertyToColumnName(prop.name ?? name);
}

function typeNameOf(prop: EntityProperty): string {
  const type = (prop.type ?? prop.runtimeType) as unknown;
  // Reflection gives a union such as `Date | null` as 'object'; MikroORM then reads the type from the column type.
  const columnType = prop.columnTypes?.[0];
  if ((type == null || type === 'object') && typeof columnType === 'string') return columnType.replace(/\(.*$/, '').trim();
  if (typeof type === 'string') return type;
  if (typeof type === 'function') return type.name;
  if (type !== null && typeof type === 'object') return type.constructor.name;
  return 'unknown';
}

const DATE_TYPES = /^(date|datetime|datetimetype|datetype|timestamp|timestamptz|timestamp with time zone|timestamp without time zone)$/i;
const STRING_TYPES = /^(string|stringtype|text|texttype|varchar|character varying|char|character|uuid|uuidtype|tinytext|mediumtext|longtext)$/i;
const OTHER_TYPES = /^(number|integer|int|int2|int4|int8|smallint|tinyint|mediumint|bigint|bigint(eger)?type|integertype|smallinttype|tinyinttype|mediuminttype|float|floattype|double|doubletype|decimal|decimaltype|numeric|real|boolean|bool|booleantype|json|jsontype|jsonb|blob|blobtype|uint8array|uint8arraytype|buffer|time|timetype|interval|intervaltype|enum|enumtype|enumarraytype|array|arraytype|object)$/i;

/** Whether a property of that type can hold the column; types it cannot tell (custom types) are given the benefit of the doubt. */
function fits(wanted: ColumnType, type: string): boolean {
  if (wanted === 'Date') return DATE_TYPES.test(type) || !(STRING_TYPES.test(type) || OTHER_TYPES.test(type));
  return STRING_TYPES.test(type) || !(DATE_TYPES.test(type) || OTHER_TYPES.test(type));
}

/**
 * Whether `ALTER TABLE … ADD COLUMN` accepts a current-time default, so the column can be NOT NULL
 * and still be added to a table with rows. SQLite refuses it ("Cannot add a column with non-constant
 * default"); PostgreSQL, MariaDB and MySQL fill the existing rows with the time of the ALTER.
 */
function addsExpressionDefaults(platform: Platform): boolean {
  for (let proto: object | null = Object.getPrototypeOf(platform); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (/sqlite/i.test((proto as { constructor: { name: string } }).constructor.name)) return false;
  }
  return true;
}

/** Shape checks of a plugin's `columns` option: `{ property: 'column' }`, for properties the plugin adds (`names`, by property name). */
export function columnsIssues(columns: unknown, names: readonly string[]): { option: string; expected: string }[] {
  if (!Array.isArray(names) || names.some(n => typeof n !== 'string')) throw invalidArgument('columnsIssues', 'names', 'a list of property names', names);
  if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) {
    return [{ option: 'columns', expected: "an object of property name to column name, e.g. { createdAt: 'created_on' }" }];
  }
  const issues: { option: string; expected: string }[] = [];
  for (const [property, column] of Object.entries(columns)) {
    if (!names.includes(property)) {
      issues.push({ option: `columns.${property}`, expected: names.length > 0 ? `one of the properties the plugin adds: ${names.map(n => `'${n}'`).join(', ')}` : 'no columns: the plugin adds none' });
    } else if (typeof column !== 'string' || column.trim() === '') {
      issues.push({ option: `columns.${property}`, expected: 'a column name' });
    }
  }
  return issues;
}

// Plain JavaScript (a plugin's setupEntity) may pass anything: typed errors before any metadata is touched.
function checkMeta(fn: string, meta: unknown): void {
  const m = meta as { className?: unknown; properties?: unknown } | null;
  if (typeof m !== 'object' || m === null || typeof m.className !== 'string' || typeof m.properties !== 'object' || m.properties === null) {
    throw invalidArgument(fn, 'meta', "an entity's metadata (SetupContext.meta)", meta);
  }
}

function checkColumnArguments(fn: string, meta: unknown, platform: unknown, spec: unknown): void {
  checkMeta(fn, meta);
  if (typeof (platform as { getConfig?: unknown } | null)?.getConfig !== 'function') throw invalidArgument(fn, 'platform', 'the platform (SetupContext.platform)', platform);
  const s = spec as Partial<Record<keyof PluginColumn, unknown>> | null;
  if (typeof s !== 'object' || s === null) throw invalidArgument(fn, 'spec', 'a column spec { plugin, option, name, type, … }', spec);
  for (const key of ['plugin', 'option', 'name'] as const) if (typeof s[key] !== 'string' || s[key] === '') throw invalidArgument(fn, `spec.${key}`, 'a non-empty string', s[key]);
  if (typeof s.type !== 'string' || !COLUMN_TYPES.has(s.type)) throw invalidArgument(fn, 'spec.type', [...COLUMN_TYPES].map(t => `'${t}'`).join(', '), s.type);
  if (s.column !== undefined && (typeof s.column !== 'string' || s.column === '')) throw invalidArgument(fn, 'spec.column', 'a column name', s.column);
  if (s.existingColumn !== undefined && s.existingColumn !== 'reuse' && s.existingColumn !== 'refuse') throw invalidArgument(fn, 'spec.existingColumn', "'reuse' or 'refuse'", s.existingColumn);
}
