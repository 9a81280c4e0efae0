import { ChangeSetType, type ChangeSet, type EntityMetadata, type EntityProperty, type FlushEventArgs } from '@mikro-orm/core';
import { checkSettable, DispatchContext } from '../chain/chain.js';
import { dispatchBatch } from '../chain/dispatch.js';
import { eachSyncUntilAsync } from '../chain/each-sync-until-async.js';
import type { BatchPlan, BatchEvent } from './batch-plan.js';
import { writeHookFields } from './orm-internals/index.js';
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
  const creates = new Grouping(plan.beforeCreate);
  const updates = new Grouping(plan.beforeUpdate);
  for (const cs of uow.getChangeSets()) {
    if (cs.type === ChangeSetType.CREATE) creates.add(cs);
    else if (cs.type === ChangeSetType.UPDATE) updates.add(cs);
  }
  if (creates.groups.size === 0 && updates.groups.size === 0) return;
  const work: [BatchEvent, EntityMetadata, AnyChangeSet[]][] = [];
  for (const [meta, list] of creates.groups) work.push(['beforeCreate', meta, list]);
  for (const [meta, list] of updates.groups) work.push(['beforeUpdate', meta, list]);
  const skip = switchedOffPlugins();
  return eachSyncUntilAsync(work, ([event, meta, list]) => {
    const chain = runtime.chainsOf(meta)?.[event];
    if (!chain) return;
    const ctx = new BatchContext(event, em, meta, undefined, skip);
    const entities = list.map(cs => cs.entity);
    const pending = dispatchBatch(chain, ctx, entities);
    const write = () => writeHookFields(em.getPlatform(), list, ctx.touchedProps());
    if (pending !== undefined) return pending.then(write);
    write();
  });
}

/** The batched change sets of one event, by class; a flush's change sets come class after class, so the last class is kept at hand. */
class Grouping {
  readonly groups = new Map<EntityMetadata, AnyChangeSet[]>();
  #lastMeta: EntityMetadata | undefined = undefined;
  #lastList: AnyChangeSet[] | undefined = undefined;

  constructor(private readonly batched: ReadonlySet<string>) {}

  add(cs: AnyChangeSet): void {
    const meta = cs.meta;
    if (meta === this.#lastMeta) {
      this.#lastList?.push(cs);
      return;
    }
    this.#lastMeta = meta;
    if (!this.batched.has(meta.className)) {
      this.#lastList = undefined;
      return;
    }
    let list = this.groups.get(meta);
    if (list === undefined) this.groups.set(meta, (list = []));
    list.push(cs);
    this.#lastList = list;
  }
}
