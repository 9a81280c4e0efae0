import type { StandardSchemaV1 } from '@standard-schema/spec';
import { hook, plugin, type BatchHookContext } from '../../core.js';
import { ValidationError, type FieldIssue } from './errors.js';

export interface ValidationOptions<E = any> {
  /** A Standard Schema (zod, valibot, arktype…) the entity must satisfy. */
  schema?: StandardSchemaV1<any>;
  /** Or a function returning the failing fields. */
  validate?: (entity: E) => readonly FieldIssue[] | undefined | void;
}

declare module '../../plugin-api.js' {
  interface PluginOptionsMap {
    validation: ValidationOptions;
  }
}

/** Checks each entity in `beforeSave`; a failure aborts the flush with every failing field listed. */
@plugin({
  name: 'validation',
  package: 'mikro-orm-plugins',
  // Metadata only: the package's entry modules register the built-ins (src/index.ts, audit.ts, cache.ts).
  registry: false,
  version: '1.0.0',
  description: 'Validates entities with a Standard Schema or a function before they are saved.',
  options: {
    validate: (o: ValidationOptions) => {
      if (o.schema === undefined && o.validate === undefined) return [{ option: '', expected: "a 'schema' or a 'validate' function" }];
      if (o.schema !== undefined && typeof o.schema?.['~standard']?.validate !== 'function') return [{ option: 'schema', expected: 'a Standard Schema' }];
      if (o.validate !== undefined && typeof o.validate !== 'function') return [{ option: 'validate', expected: 'a function' }];
      return [];
    },
  },
})
export class ValidationPlugin {
  /** A batch hook: all entities of one class a flush saves, in order; the first that fails aborts the flush. */
  @hook('beforeSave', { priority: 100, batch: true })
  check(entities: readonly object[], { options, meta }: BatchHookContext<ValidationOptions>): void | Promise<void> {
    return checkFrom(entities, 0, options, meta.className);
  }
}

/** Sync while the schema is; an async schema's entities are checked one after another. */
function checkFrom(entities: readonly object[], start: number, options: ValidationOptions, entityName: string): void | Promise<void> {
  // Read once per batch: the loop runs once per entity.
  const validate = options.validate;
  const standard = options.schema?.['~standard'];
  for (let i = start; i < entities.length; i++) {
    const entity = entities[i]!;
    const own = validate === undefined ? undefined : validate.call(options, entity);
    const result = standard === undefined ? undefined : standard.validate(entity);
    if (result instanceof Promise) return result.then(r => (raise(entityName, own, r), checkFrom(entities, i + 1, options, entityName)));
    if (own?.length || result?.issues) raise(entityName, own, result);
  }
}

function raise(entity: string, own: readonly FieldIssue[] | undefined | void, result: StandardSchemaV1.Result<unknown> | undefined): void {
  const issues: FieldIssue[] = [...(own ?? [])];
  for (const issue of result?.issues ?? []) {
    issues.push({ field: (issue.path ?? []).map(p => String(typeof p === 'object' ? p.key : p)).join('.'), message: issue.message });
  }
  if (issues.length > 0) throw new ValidationError(entity, issues);
}
