import { schemaClass, type EntitySchemaLike } from './entity-plugins.js';

const closed = new WeakSet<Function>();

/**
 * An entity that takes no plugins, global ones included: for tables a plugin writes itself (the
 * audit log, the plugin state), which a global `timestamp` would otherwise give NOT NULL columns its
 * inserts never fill. Takes the entity class or schema; returns it.
 */
export function noPlugins<T extends Function | EntitySchemaLike>(entity: T): T {
  closed.add(typeof entity === 'function' ? entity : schemaClass('noPlugins', entity));
  return entity;
}

/** Whether `noPlugins` closed the class (or a base it extends). */
export function takesNoPlugins(cls: Function | undefined): boolean {
  for (let c = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) if (closed.has(c)) return true;
  return false;
}
