import { defineErrorCodes, type ErrorCodesOf } from '../../core.js';

export const CACHE_ERRORS = defineErrorCodes('cache', {
  MOP_CACHE_PREFIX_TAKEN: 'at start-up: two entities use the same cache `prefix` in one store',
});

declare module '../../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof CACHE_ERRORS> {}
}
