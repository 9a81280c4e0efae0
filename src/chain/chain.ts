import { ReferenceKind, type ChangeSet, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { PluginConfigError } from '../errors.js';
import type { DispatchedEvent, HookContext, HookKind, PluginEventName } from '../events.js';

export type LinkFunction = (subject: unknown, arg: unknown, ctx: HookContext) => unknown;

/** A batch hook: `(entities, ctx)`, or `(entities, changes, ctx)` on a chain with a payload (`afterChange`). */
export type BatchLinkFunction = (entities: readonly unknown[], arg: unknown, ctx: DispatchContext) => unknown;

/** One hook in a compiled chain, with the options of its plugin for this entity. */
export interface ChainLink {
  readonly plugin: string;
  readonly method: string;
  /** The event the hook was declared on (`beforeSave` in the create chain, say). */
  readonly declaredOn: string;
  readonly priority: number;
  readonly options: unknown;
  /** What the options' secrets may show up as: kept out of the message of an error the hook throws. */
  readonly secrets: readonly string[];
  /** The plugin instance, `this` for `fn`: `fn.call(instance, …)` is cheaper than a bound function. */
  readonly instance: object;
  readonly fn: LinkFunction;
  /** A batch hook's own method, `(entities, ctx)` or `(entities, changes, ctx)`; `fn` calls it with one entity. Undefined for per-entity hooks. */
  readonly batch: BatchLinkFunction | undefined;
}

/** Runs a chain: `arg` is the payload or the context, as the hooks take it. */
export type ChainRunner = (ctx: DispatchContext, subject: unknown, arg: unknown) => unknown;

/** A frozen, ordered chain for one (entity, event). Entities without hooks hold `null` instead. */
export interface Chain<V extends boolean = boolean> {
  readonly event: DispatchedEvent | PluginEventName;
  readonly kind: HookKind;
  /** A hook returning `false` stops the chain and vetoes the operation. */
  readonly veto: V;
  /** `afterChange`, bulk and custom events pass a payload before the context. */
  readonly withPayload: boolean;
  /** The entity's name; empty for a plugin-level chain (`onLoad`, `onUnload`). */
  readonly entity: string;
  readonly links: readonly ChainLink[];
  /** Every link has a batch form: the chain can run once over a class's entities. */
  readonly batchOnly: boolean;
  /** The common case (no `withoutPlugins` scope); compiled once for the sequential and veto kinds. */
  readonly run: ChainRunner;
  /** Any case: skips the plugins `withoutPlugins` switched off. */
  readonly runSkipping: ChainRunner;
}

/** The one context object of a dispatch; the dispatcher points it at each link before calling it. */
export class DispatchContext implements HookContext {
  /** One store per hook; `plugin` and `options` read through it, so hooks that ignore them pay nothing. */
  link: ChainLink | undefined = undefined;

  constructor(
    readonly event: DispatchedEvent,
    readonly em: EntityManager,
    readonly meta: EntityMetadata,
    readonly changeSet: ChangeSet<any> | undefined,
    /** Plugins switched off for this call by `withoutPlugins`. */
    readonly skip: ReadonlySet<string> | undefined,
  ) {}

  get plugin(): string {
    return this.link?.plugin ?? '';
  }

  get options(): any {
    return this.link?.options;
  }

  /** A batch after-hook run per entity reads its change set here, as a one-item list. */
  get changeSets(): readonly ChangeSet<any>[] {
    return this.changeSet === undefined ? [] : [this.changeSet];
  }

  /** A batch hook run per entity sets values here: MikroORM's change-set diff picks them up. */
  set(entity: object, property: string, value: unknown): void {
    checkSettable(this.meta, property);
    (entity as Record<string, unknown>)[property] = value;
  }
}

/**
 * The context of an `around` chain. Each hook gets its own call object (`callFor`), whose
 * continuation runs the next hook, and after the last one `inner`, the operation itself.
 */
export interface AroundContext extends DispatchContext {
  callFor(link: ChainLink, proceed: () => Promise<unknown>): unknown;
  inner(): Promise<unknown>;
}

/** `ctx.set` writes scalar, non-key properties: the ones a batch can put straight into a change set. */
export function checkSettable(meta: EntityMetadata, property: string): void {
  const prop = meta.properties[property as never] as EntityMetadata['properties'][never] | undefined;
  if (prop === undefined || prop.kind !== ReferenceKind.SCALAR || prop.primary || prop.persist === false) {
    const name = typeof property === 'string' ? `'${property}'` : `a ${typeof property}`;
    throw new PluginConfigError('MOP_INVALID_ARGUMENT', `ctx.set: ${name} is not a scalar, non-primary-key property of ${meta.className}`, { option: 'property', entity: meta.className });
  }
}
