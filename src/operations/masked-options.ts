import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import type { OptionsSpec } from '../plugin-api.js';
import { isPlainObject, MASK, secretOptionNames, secretValues } from '../registry/option-fields.js';
import { maskUrls } from '../registry/secrets.js';
import { checkSpec } from './options-json-schema.js';

/** A copy of the options for printing: every secret option `***`, every URL in the others with its password masked. */
export function maskOptions(spec: OptionsSpec | undefined, options: unknown): unknown {
  checkSpec('maskOptions', spec);
  if (!isPlainObject(options)) return maskUrls(options);
  const copy = maskUrls(options) as Record<string, unknown>;
  for (const name of secretOptionNames(spec)) if (copy[name] !== undefined) copy[name] = MASK;
  return copy;
}

/** A copy of the options for storing: without the secret ones, every URL in the others with its password masked. */
export function stripSecrets(spec: OptionsSpec | undefined, options: unknown): Record<string, unknown> | null {
  if (!isPlainObject(options)) return null;
  const copy = maskUrls(options) as Record<string, unknown>;
  for (const name of secretOptionNames(spec)) delete copy[name];
  return copy;
}

/** Every secret option value this ORM's plugins were given: what the CLI scrubs from everything it prints. */
export function secretsOf(ormOrEm: MikroORM | EntityManager): string[] {
  const runtime = runtimeOf(ormOrEm);
  const secrets: string[] = [];
  for (const list of runtime.attachments().values()) {
    for (const { plugin, options } of list) secrets.push(...secretValues(runtime.registry.definition(plugin)?.options, options));
  }
  return [...new Set(secrets)];
}
