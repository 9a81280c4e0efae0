import { satisfies } from './semver.js';
import { PluginDependencyError } from '../errors.js';
import { checkHookEvents } from './event-names.js';
import type { PluginDefinition } from './plugin-definition.js';
import type { PluginRegistry } from './plugin-registry.js';

/**
 * The plugins one ORM uses, checked as they join: those attached to an entity, those given in
 * `pluginSystem({ plugins })`, and everything they require. Each must find what it `requires`
 * registered in a version inside the range, must not meet a plugin it `conflicts` with, and its hooks
 * must name declared events. Plugins registered but used by no ORM entity are not checked: loading a
 * module of plugins must not fail an application that uses some of them.
 */
export class PluginUsage {
  readonly #registry: PluginRegistry;
  readonly #used = new Map<string, PluginDefinition>();

  constructor(registry: PluginRegistry) {
    this.#registry = registry;
  }

  /** Adds a registered plugin (and what it requires) to the ORM's plugins; `entity` names the entity that uses it, for the error. */
  use(definition: PluginDefinition, entity?: string): void {
    if (this.#used.has(definition.name)) return;
    this.#used.set(definition.name, definition);
    checkHookEvents(definition, this.#registry.declaredEvents(), () => true, 'start-up');
    const usedBy = entity === undefined ? '' : ` (used by entity '${entity}')`;
    for (const [required, range] of definition.requiredVersions) {
      const found = this.#registry.definition(required);
      const details = { plugin: definition.name, dependency: required, range, entity };
      if (!found) {
        throw new PluginDependencyError('MOP_MISSING_DEPENDENCY', `Plugin '${definition.name}'${usedBy} requires plugin '${required}'${rangeText(range)}, which is not registered`, details);
      }
      if (!matches(found.version, range)) {
        throw new PluginDependencyError(
          'MOP_DEPENDENCY_VERSION',
          `Plugin '${definition.name}'${usedBy} requires plugin '${required}' ${range}, but version ${found.version} is registered`,
          details,
        );
      }
    }
    for (const other of this.#used.values()) this.#checkConflict(definition, other, entity);
    for (const required of definition.requires) this.use(this.#registry.definition(required)!, entity);
  }

  #checkConflict(joining: PluginDefinition, other: PluginDefinition, entity: string | undefined): void {
    for (const [a, b] of [
      [joining, other],
      [other, joining],
    ] as const) {
      const range = a.conflicts.get(b.name);
      if (range === undefined || !matches(b.version, range)) continue;
      throw new PluginDependencyError(
        'MOP_PLUGIN_CONFLICT',
        `Plugin '${a.name}' conflicts with plugin '${b.name}'${rangeText(range)} (version ${b.version} is in use), and this ORM uses both` +
          (entity === undefined ? '' : ` (the second through entity '${entity}')`),
        { plugin: a.name, dependency: b.name, range, entity },
      );
    }
  }
}

function matches(version: string, range: string): boolean {
  return satisfies(version, range, { includePrerelease: true });
}

function rangeText(range: string): string {
  return range === '*' ? '' : ` ${range}`;
}
