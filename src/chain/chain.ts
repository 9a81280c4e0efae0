import type { ChangeSet, EntityManager, EntityMetadata } from '@mikro-orm/core';
import type { DispatchedEvent, HookContext } from '../events.js';

export type LinkFunction = (subject: unknown, arg: unknown, ctx: HookContext) => unknown;

/** One hook in a compiled chain, with the options of its plugin for this entity. */
export interface ChainLink {
  readonly plugin: string;
  readonly method: string;
  /** The event the hook was declared on (`beforeSave` in the create chain, say). */
  readonly declaredOn: string;
  readonly priority: number;
  readonly options: unknown;
  readonly fn: LinkFunction;
}

/** A frozen, ordered chain for one (entity, event). Entities without hooks hold `null` instead. */
export interface Chain<V extends boolean = boolean> {
  readonly event: DispatchedEvent;
  /** A hook returning `false` stops the chain and vetoes the operation. */
  readonly veto: V;
  /** `afterChange` and custom events pass a payload before the context. */
  readonly withPayload: boolean;
  readonly entity: string;
  readonly links: readonly ChainLink[];
}

/** The one context object of a dispatch; `plugin` and `options` are set before each link runs. */
export class DispatchContext implements HookContext {
  plugin = '';
  options: unknown = undefined;

  constructor(
    readonly event: DispatchedEvent,
    readonly em: EntityManager,
    readonly meta: EntityMetadata,
    readonly changeSet: ChangeSet<any> | undefined,
    /** Plugins switched off for this call by `withoutPlugins`. */
    readonly skip: ReadonlySet<string> | undefined,
  ) {}
}
