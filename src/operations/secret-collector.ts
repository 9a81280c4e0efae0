import type { PluginExtension } from '../bridge/extension.js';
import { findRuntime } from '../bridge/runtimes.js';
import { fieldDefaults, isPlainObject, secretValues } from '../registry/option-fields.js';

/**
 * An extension that hands over each entity's secret option values as discovery reaches the entity,
 * before the plugin system sets it up: so the CLI can scrub them from a start-up error a plugin
 * throws with a secret in its message (the ORM, and `secretsOf`, never exist then). Listed last.
 */
export function secretCollector(onSecrets: (secrets: readonly string[]) => void): PluginExtension {
  return {
    name: 'mikro-orm-plugins:secret-collector',
    register: orm => {
      const runtime = findRuntime(orm);
      const discovery = orm.config.get('discovery');
      const { onMetadata } = discovery;
      discovery.onMetadata = (meta, platform) => {
        if (runtime && !meta.embeddable && !meta.virtual && !meta.abstract) {
          try {
            for (const [name, setting] of runtime.pluginSettingsOf(meta)) {
              const spec = runtime.registry.definition(name)?.options;
              if (spec && (setting === true || isPlainObject(setting))) onSecrets(secretValues(spec, { ...fieldDefaults(spec.fields), ...spec.defaults, ...(setting === true ? {} : setting) }));
            }
          } catch {
            // Lists that cannot be read: the plugin system's own set-up reports that.
          }
        }
        return onMetadata?.(meta, platform);
      };
    },
  };
}
