import { ReferenceKind, type EntityMetadata, type Platform } from '@mikro-orm/core';

/**
 * A unique constraint over live rows only. PostgreSQL and SQLite get a partial index
 * (`where deleted_at is null`). MariaDB has no partial indexes, so its last column is
 * replaced by a generated column that is NULL once the row is deleted: unique indexes
 * let NULLs repeat, so deleted rows stop competing.
 */
export function addLiveUnique(meta: EntityMetadata, platform: Platform, field: string, columns: readonly string[]): void {
  const name = `${meta.className.toLowerCase()}_${columns.join('_')}_live_unique`;
  if (!isMariaDb(platform)) {
    meta.uniques.push({ name, properties: [...columns], where: { [field]: null } } as never);
    return;
  }
  const last = columns[columns.length - 1]!;
  const live = `${last}Live`;
  const source = meta.properties[last as never] as { type?: string; length?: number } | undefined;
  (meta.properties as Record<string, unknown>)[live] ??= {
    name: live,
    kind: ReferenceKind.SCALAR,
    type: source?.type ?? 'string',
    length: source?.length,
    hidden: true,
    generated: (cols: Record<string, string>) => `(case when ${cols[field]} is null then ${cols[last]} end) virtual`,
  };
  meta.uniques.push({ name, properties: [...columns.slice(0, -1), live] } as never);
}

// MikroORM emulates partial indexes on MySQL but refuses them on MariaDB, whose platform class says so by name.
function isMariaDb(platform: Platform): boolean {
  return platform.constructor.name.startsWith('MariaDb');
}
