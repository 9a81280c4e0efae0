import { ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { PluginOptionsError } from '../../core.js';
import { declaredProperty } from './declared-property.js';
import type { SoftDeleteOptions } from './options.js';

// Start-up checks of the options that name the entity's own properties: without them a bad name
// surfaces later as an SQL error (a generated column on MariaDB), a failing insert or a TypeError.

const PLUGIN = 'softDelete';

/** Each name in `unique` is a property of the entity that maps a column: a scalar, or a many-to-one or owning one-to-one relation. */
export function checkUniqueOption(meta: EntityMetadata, unique: SoftDeleteOptions['unique']): void {
  for (const entry of unique) {
    for (const name of typeof entry === 'string' ? [entry] : entry) {
      const prop = declaredProperty(meta, name);
      if (prop && mapsColumn(prop)) continue;
      throw new PluginOptionsError({
        code: 'MOP_SOFT_DELETE_UNIQUE',
        plugin: PLUGIN,
        entity: meta.className,
        option: 'unique',
        expected: `names of properties of ${meta.className} that map a column (scalars, many-to-one and owning one-to-one relations)`,
        received: prop ? `'${name}', a ${describeKind(prop)}` : `'${name}', which ${meta.className} does not have`,
      });
    }
  }
}

/**
 * A property the entity declares itself for `field`, `batchField` or `deletedBy` (the plugin's own
 * columns are nullable scalars): it must be a scalar, and nullable, since NULL means live and
 * every insert writes it.
 */
export function checkDeclaredColumn(meta: EntityMetadata, option: 'field' | 'batchField' | 'deletedBy', name: string): void {
  const prop = declaredProperty(meta, name);
  if (!prop) return;
  const fail = (expected: string, received: string) =>
    new PluginOptionsError({ code: 'MOP_SOFT_DELETE_FIELD', plugin: PLUGIN, entity: meta.className, option, expected, received });
  if (prop.kind !== undefined && prop.kind !== ReferenceKind.SCALAR) {
    throw fail('a scalar property, or a name the entity does not use (the plugin adds it)', `'${name}', a ${describeKind(prop)}`);
  }
  // MikroORM's own rule, applied after discovery: `nullable`, else `optional`.
  if ((prop.nullable ?? prop.optional) !== true) {
    throw fail(`a nullable property (NULL means live; declare '${name}' with nullable: true)`, `'${name}', declared NOT NULL`);
  }
}

function mapsColumn(prop: EntityProperty): boolean {
  if (prop.persist === false) return false;
  if (prop.kind === undefined || prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE) return true;
  // Discovery has not settled `owner` yet: the side without `mappedBy` holds the key.
  return prop.kind === ReferenceKind.ONE_TO_ONE && !prop.mappedBy;
}

function describeKind(prop: EntityProperty): string {
  if (prop.persist === false) return 'property that is not persisted';
  return prop.kind === ReferenceKind.SCALAR ? 'scalar property' : `${prop.kind} relation`;
}
