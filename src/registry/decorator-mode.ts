// TC39 decorators hand method data to `context.metadata`; Node 22 has no native `Symbol.metadata`.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/** TC39 decorators pass `(value, context)`; legacy ones pass `(target, key?, descriptor?)`. */
export function isStandardContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/** Own TC39 metadata of a class, or undefined when it was not decorated in that mode. */
export function ownStandardMetadata(cls: Function): Record<symbol, unknown> | undefined {
  if (!Object.hasOwn(cls, Symbol.metadata!)) return undefined;
  return (cls as unknown as Record<symbol, Record<symbol, unknown> | undefined>)[Symbol.metadata!] ?? undefined;
}

/** The class and its ancestors, base first. */
export function classLineage(cls: Function): Function[] {
  const lineage: Function[] = [];
  for (let c: Function | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) lineage.unshift(c);
  return lineage;
}
