import { PluginConfigError } from '../errors.js';
import { didYouMean } from '../registry/did-you-mean.js';

/** Every key of `pluginSystem({ entities })` must name a discovered entity: a typo would attach nothing, silently. */
export function checkEntityNames(configured: Readonly<Record<string, unknown>> | undefined, discovered: readonly string[]): void {
  if (configured === undefined) return;
  if (typeof configured !== 'object' || configured === null || Array.isArray(configured)) {
    throw new PluginConfigError('MOP_UNKNOWN_ENTITY', 'pluginSystem({ entities }) must be an object of plugin lists by entity name');
  }
  const known = new Set(discovered);
  for (const name of Object.keys(configured)) {
    if (known.has(name)) continue;
    throw new PluginConfigError(
      'MOP_UNKNOWN_ENTITY',
      `pluginSystem({ entities }) names '${name}', which is not a discovered entity${didYouMean(name, discovered)}`,
      { entity: name },
    );
  }
}
