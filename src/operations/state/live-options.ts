import type { EntityMetadata } from '@mikro-orm/core';
import type { PluginRuntime } from '../../bridge/plugin-runtime.js';
import { isPlainObject, isSecretPath } from '../../registry/option-fields.js';
import type { PluginDefinition } from '../../registry/plugin-definition.js';
import { resolvePluginOptions } from '../../registry/plugin-options.js';
import { maskUrls } from '../../registry/secrets.js';
import { jsonSafe, sameJson } from '../json-values.js';
import type { PluginStateRecord } from './records.js';

/** The options a plugin declares live (`OptionsSpec.live`): the only ones an edit may change on a running app. */
export function liveOptionNames(definition: PluginDefinition): readonly string[] {
  return definition.options.live ?? [];
}

/** Whether a stored value differs from the code's as it is shown and stored (a URL's password masked). */
export function differsFromCode(code: Record<string, unknown>, name: string, stored: unknown): boolean {
  return !(name in code) || !sameJson(jsonSafe(maskUrls(code[name])), stored);
}

/**
 * The live options a stored row changes, over the code's: names the plugin does not declare live,
 * secrets, and values equal to the code's are left out (the code stays the source of every other option).
 */
export function liveChanges(definition: PluginDefinition, code: Record<string, unknown>, stored: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (!stored) return changes;
  for (const name of liveOptionNames(definition)) {
    if (!(name in stored) || isSecretPath(definition.options, name)) continue;
    if (differsFromCode(code, name, stored[name])) changes[name] = stored[name];
  }
  return changes;
}

export interface LiveOptionsTarget {
  readonly runtime: PluginRuntime;
  readonly row: (plugin: string, entity: string) => PluginStateRecord | undefined;
  readonly metaOf: (entity: string) => EntityMetadata | undefined;
  readonly onError: (error: unknown) => void;
}

/**
 * Runs every plugin with live options on each entity with the code's options plus the live ones its
 * `plugin_state` row changed, checked as start-up checks options (with the entity's metadata). Options
 * that fail the check (the code changed since the edit) are reported to `onError`, and the code's run.
 * The chains are rebuilt on the next operation.
 */
export async function applyLiveOptions({ runtime, row, metaOf, onError }: LiveOptionsTarget): Promise<void> {
  for (const [entity, list] of runtime.attachments()) {
    for (const { plugin } of list) {
      const definition = runtime.registry.definition(plugin);
      if (!definition || liveOptionNames(definition).length === 0) continue;
      const code = runtime.codeOptionsFor(entity, plugin);
      if (!isPlainObject(code)) continue;
      const changes = liveChanges(definition, code, row(plugin, entity)?.options);
      if (Object.keys(changes).length === 0) {
        runtime.setRunningOptions(entity, plugin, undefined);
        continue;
      }
      const running = runtime.optionsFor(entity, plugin);
      if (isPlainObject(running) && running !== code && sameJson(liveChanges(definition, code, running), changes)) continue;
      try {
        const checked = await resolvePluginOptions(definition, { ...code, ...changes }, entity, metaOf(entity));
        runtime.setRunningOptions(entity, plugin, checked);
      } catch (error) {
        runtime.setRunningOptions(entity, plugin, undefined);
        onError(error);
      }
    }
  }
}
