import { createRequire } from 'node:module';
import { PluginConfigError } from '../../core.js';

type IoredisModule = typeof import('ioredis');

let ioredis: IoredisModule | undefined;

/**
 * The ioredis module, loaded the first time a Redis store is configured: ioredis is an optional peer
 * dependency, so importing this package never loads it, and an application without Redis need not install it.
 */
export function loadIoredis(): IoredisModule {
  if (ioredis) return ioredis;
  try {
    ioredis = createRequire(import.meta.url)('ioredis') as IoredisModule;
    return ioredis;
  } catch (error) {
    // Only ioredis itself missing; a broken install (one of its own dependencies missing) keeps its own error.
    const missing = (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'ioredis'");
    if (!missing) throw error;
    throw new PluginConfigError('MOP_MISSING_DEPENDENCY', 'A Redis cache store needs the ioredis package, which is not installed: run `npm install ioredis`', {
      plugin: 'cache',
      option: 'store',
      cause: error,
    });
  }
}
