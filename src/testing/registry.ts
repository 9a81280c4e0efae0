import { PluginRegistry, SoftDeletePlugin, TimestampPlugin, ValidationPlugin, type PluginClass, type PluginInstance } from '../index.js';

/**
 * A fresh registry for one test: the main entry's built-ins (timestamp, softDelete, validation, in the
 * main entry's order, so their registration rank and chain ties match the application's), then the
 * given plugin classes or instances. `@plugin` classes also land in the shared default registry; a
 * registry of its own keeps one test's `disable()` or registered instance from reaching the next.
 */
export function testRegistry(...plugins: readonly (PluginClass | PluginInstance)[]): PluginRegistry {
  return new PluginRegistry().registerMany([TimestampPlugin, SoftDeletePlugin, ValidationPlugin, ...plugins]);
}
