import type { EntityName, EventArgs, EventSubscriber, FlushEventArgs } from '@mikro-orm/core';
import type { Chain } from '../chain/chain.js';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { ChangeKind, DispatchedEvent } from '../events.js';
import { entityChanges } from './entity-changes.js';
import { runDeleteChains } from './delete-chains.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

/**
 * The one MikroORM subscriber of the package: every plugin hook is dispatched from here, after
 * the entities' own hooks, so users' `@BeforeCreate` methods and subscribers keep working.
 */
export class PluginSubscriber implements EventSubscriber {
  constructor(private readonly runtime: PluginRuntime) {}

  getSubscribedEntities(): EntityName<any>[] {
    const entities = this.runtime.attachedEntities();
    // An empty list would mean "every entity" to MikroORM.
    return entities.length > 0 ? entities : [class NoEntity {}];
  }

  beforeCreate(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.beforeCreate ?? null, 'beforeCreate', args);
  }

  afterCreate(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterCreate ?? null, 'afterCreate', 'create', args);
  }

  beforeUpdate(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.beforeUpdate ?? null, 'beforeUpdate', args);
  }

  afterUpdate(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterUpdate ?? null, 'afterUpdate', 'update', args);
  }

  afterDelete(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterDelete ?? null, 'afterDelete', 'delete', args);
  }

  onLoad(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.afterLoad ?? null, 'afterLoad', args);
  }

  /** `beforeDelete` runs here, before the transaction, so a veto can still turn the delete into an update. */
  onFlush(args: FlushEventArgs): void | Promise<void> {
    return runDeleteChains(this.runtime, args);
  }

  #afterWrite(chain: Chain<false> | null, event: DispatchedEvent, kind: ChangeKind, args: EventArgs<any>): void | Promise<void> {
    const pending = run(chain, event, args);
    const changeChain = this.runtime.chainsOf(args.meta)?.afterChange ?? null;
    if (changeChain === null) return pending;
    const runChange = () => dispatch(changeChain, context('afterChange', args), args.entity, entityChanges(kind, args.changeSet!));
    return pending ? pending.then(runChange) : runChange();
  }
}

function run(chain: Chain<false> | null, event: DispatchedEvent, args: EventArgs<any>): void | Promise<void> {
  if (chain === null) return;
  return dispatch(chain, context(event, args), args.entity);
}

function context(event: DispatchedEvent, args: EventArgs<any>): DispatchContext {
  return new DispatchContext(event, args.em, args.meta!, args.changeSet, switchedOffPlugins());
}
