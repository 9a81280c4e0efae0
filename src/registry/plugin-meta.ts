import type { PluginMeta } from '../plugin-api.js';

const metaByClass = new WeakMap<Function, PluginMeta>();

export function setPluginMeta(cls: Function, meta: PluginMeta): void {
  metaByClass.set(cls, meta);
}

export function pluginMetaOf(cls: Function): PluginMeta | undefined {
  return metaByClass.get(cls);
}
