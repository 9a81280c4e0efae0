import { ChangeSetType, type ChangeSet, type EntityMetadata, type EntityProperty, type FlushEventArgs } from '@mikro-orm/core';
import { checkSettable, DispatchContext, type Chain, type ChainLink } from '../chain/chain.js';
import { tagError } from '../chain/dispatch.js';
import type { BatchPlan, BatchEvent } from './batch-plan.js';
import { writeHookFields } from './orm-internals.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

type AnyChangeSet = ChangeSet<any>;

/** The context of one batch call: `set` also notes the property, written into every change set of the batch afterwards. */
class BatchContext extends DispatchContext {
  readonly touched = new Set<string>();

  override set(entity: object, property: string, value: unknown): void {
    // Checked once per property and batch, not once per entity.
    if (!this.touched.has(property)) {
      checkSettable(this.meta, property);
      this.touched.add(property);
    }
    (entity as Record<string, unknown>)[property] = value;
  }

  /** The properties set, in the entity's property order (the order MikroORM's diff writes them in). */
  touchedProps(): EntityProperty[] {
    return this.touched.size === 0 ? [] : this.meta.props.filter(prop => this.touched.has(prop.name));
  }
}

/**
 * Runs the batched `beforeCreate` and `beforeUpdate` chains of a flush, in `onFlush`: per entity
 * class, every create then every update, each chain once over the class's change sets in MikroORM's
 * order, and writes what the hooks set into the payloads. MikroORM does not dispatch these events
 * for these entities (the plugin system does not subscribe them), so it takes no snapshot either.
 * A hook that throws aborts the flush before anything is written.
 */
export function runFlushBatches(runtime: PluginRuntime, plan: BatchPlan, { em, uow }: FlushEventArgs): void | Promise<void> {
  const creates = new Map<EntityMetadata, AnyChangeSet[]>();
  const updates = new Map<EntityMetadata, AnyChangeSet[]>();
  for (const cs of uow.getChangeSets()) {
    if (cs.type === ChangeSetType.CREATE) {
      if (plan.beforeCreate.has(cs.meta.className)) group(creates, cs);
    } else if (cs.type === ChangeSetType.UPDATE && plan.beforeUpdate.has(cs.meta.className)) group(updates, cs);
  }
  if (creates.size === 0 && updates.size === 0) return;
  const work: [BatchEvent, EntityMetadata, AnyChangeSet[]][] = [];
  for (const [meta, list] of creates) work.push(['beforeCreate', meta, list]);
  for (const [meta, list] of updates) work.push(['beforeUpdate', meta, list]);
  const skip = switchedOffPlugins();
  const runFrom = (start: number): void | Promise<void> => {
    for (let i = start; i < work.length; i++) {
      const [event, meta, list] = work[i]!;
      const chain = runtime.chainsOf(meta)?.[event];
      if (!chain) continue;
      const ctx = new BatchContext(event, em, meta, undefined, skip);
      const entities = list.map(cs => cs.entity);
      const pending = runLinks(chain, ctx, entities, 0);
      const write = () => writeHookFields(em.getPlatform(), list, ctx.touchedProps());
      if (pending !== undefined) return pending.then(() => (write(), runFrom(i + 1)));
      write();
    }
  };
  return runFrom(0);
}

function group(groups: Map<EntityMetadata, AnyChangeSet[]>, cs: AnyChangeSet): void {
  const list = groups.get(cs.meta);
  if (list) list.push(cs);
  else groups.set(cs.meta, [cs]);
}

/** The chain's batch hooks in order, sync until one returns a promise; errors tagged as in a per-entity dispatch. */
function runLinks(chain: Chain, ctx: BatchContext, entities: readonly object[], start: number): Promise<void> | undefined {
  const links = chain.links;
  for (let i = start; i < links.length; i++) {
    const link = links[i]!;
    if (ctx.skip !== undefined && ctx.skip.has(link.plugin)) continue;
    ctx.link = link;
    let result: unknown;
    try {
      result = batchOf(link).call(link.instance, entities, ctx);
    } catch (error) {
      throw tagError(error, link, chain.entity);
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(result).then(
        () => runLinks(chain, ctx, entities, i + 1),
        error => Promise.reject(tagError(error, link, chain.entity)),
      );
    }
  }
  return undefined;
}

function batchOf(link: ChainLink): NonNullable<ChainLink['batch']> {
  // The plan batches an entity only when every hook its plugins have on the event is a batch hook.
  return link.batch!;
}
