import type { EntityManager, EntityMetadata, MikroORM } from '@mikro-orm/core';
import { runtimeOf } from '../bridge/runtimes.js';
import { BUILT_IN_CHAINS } from '../chain/build-chains.js';
import { invalidArgument, PluginConfigError } from '../errors.js';
import { BUILT_IN_EVENTS } from '../events.js';
import { didYouMean } from '../registry/did-you-mean.js';

/** Which ordering rule put a hook where it is, relative to its neighbour (see `ExplainedHook.reason`). */
export type OrderRule = 'constraint' | 'priority' | 'registration' | 'only' | 'filter';

export interface ExplainedHook {
  readonly position: number;
  readonly plugin: string;
  readonly method: string;
  /** The event the hook was declared on (`beforeSave` hooks sit in the create and update chains). */
  readonly declaredOn: string;
  readonly priority: number;
  /** `stored`: the priority comes from `plugin_state`, replacing the code's. */
  readonly prioritySource: 'code' | 'stored';
  /**
   * Why this hook runs after the one before it (the first hook: why it runs before the next):
   * `constraint` (a before/after constraint overrode priority), `priority` (lower runs first),
   * `registration` (same priority: registration order, then declaration order), `only` (a single
   * hook), `filter` (query filters all apply, combined with AND).
   */
  readonly rule: OrderRule;
  readonly reason: string;
  /** Every before/after constraint on the hook naming a plugin in this chain. */
  readonly constraints: readonly string[];
}

export interface ExplainedChain {
  readonly entity: string;
  readonly event: string;
  readonly hooks: readonly ExplainedHook[];
}

export interface ExplainOptions {
  /** One entity (class name); default every entity with plugins. */
  entity?: string;
  /** One event; default every event with a chain. */
  event?: string;
}

interface Node {
  plugin: string;
  method: string;
  declaredOn: string;
  priority: number;
  sequence: number;
  before: readonly string[];
  after: readonly string[];
}

/** The ordered chains, as they will run on the next operation, with the rule that placed each hook. */
export function explainChains(ormOrEm: MikroORM | EntityManager, options: ExplainOptions = {}): ExplainedChain[] {
  const runtime = runtimeOf(ormOrEm);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('explainChains', 'options', 'an object { entity, event }', options);
  for (const key of ['entity', 'event'] as const) if (options[key] !== undefined && typeof options[key] !== 'string') throw invalidArgument('explainChains', key, 'a name', options[key]);
  const em = 'em' in ormOrEm ? ormOrEm.em : ormOrEm;
  const storage = em.getMetadata();
  const attached = runtime.attachments();
  if (options.entity !== undefined && !attached.has(options.entity)) {
    const known = storage.getByClassName(options.entity, false);
    if (typeof known?.className !== 'string') {
      const names = [...storage.getAll().values()].map(meta => meta.className);
      throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `'${options.entity}' is not a discovered entity${didYouMean(options.entity, names)}`, { entity: options.entity });
    }
  }
  if (options.event !== undefined && !(options.event in BUILT_IN_EVENTS) && !runtime.registry.declaredEvents().has(options.event)) {
    const events = [...Object.keys(BUILT_IN_EVENTS), ...runtime.registry.declaredEvents().keys()];
    throw new PluginConfigError('MOP_UNKNOWN_EVENT', `'${options.event}' is neither a built-in event nor one a registered plugin declares${didYouMean(options.event, events)}`, { hook: options.event });
  }
  const entities = options.entity !== undefined ? [options.entity] : [...attached.keys()].sort();
  const chains: ExplainedChain[] = [];
  for (const entity of entities) {
    const meta = storage.getByClassName(entity);
    for (const event of options.event !== undefined ? [options.event] : eventsOf(runtime, meta)) {
      const links = runtime.describe(meta, event);
      if (links.length === 0 && options.event === undefined) continue;
      const nodes = links.map(link => nodeOf(runtime, link));
      chains.push({
        entity,
        event,
        hooks: nodes.map((node, i) => ({
          position: i + 1,
          plugin: node.plugin,
          method: node.method,
          declaredOn: node.declaredOn,
          priority: node.priority,
          // The stored state is the only thing that moves a hook off its code priority.
          prioritySource: storedDiffers(runtime, node) ? 'stored' : 'code',
          ...(event === 'queryFilter' ? { rule: 'filter' as const, reason: 'query filters all apply, combined with AND' } : ruleOf(nodes, i)),
          constraints: constraintsOf(node, nodes),
        })),
      });
    }
  }
  return chains;
}

/** Events with a chain on this entity, in the package's event order, custom events and `queryFilter` last. */
function eventsOf(runtime: ReturnType<typeof runtimeOf>, meta: EntityMetadata): string[] {
  const chains = runtime.chainsOf(meta);
  if (!chains) return runtime.describe(meta, 'queryFilter').length > 0 ? ['queryFilter'] : [];
  const events = [...BUILT_IN_CHAINS].filter(e => (chains as unknown as Record<string, unknown>)[e] != null);
  events.push(...[...chains.custom.keys()].sort());
  if (runtime.describe(meta, 'queryFilter').length > 0) events.push('queryFilter');
  return events;
}

/** Rebuilds what the chain builder ordered by: priority as run, registration rank, declaration index, constraints. */
function nodeOf(runtime: ReturnType<typeof runtimeOf>, link: { plugin: string; method: string; event: string; priority: number }): Node {
  const definition = runtime.registry.definition(link.plugin);
  const rank = runtime.registry.names().indexOf(link.plugin);
  const index = definition?.hooks.findIndex(h => h.event === link.event && String(h.method) === link.method) ?? 0;
  const def = definition?.hooks[index];
  return {
    plugin: link.plugin,
    method: link.method,
    declaredOn: link.event,
    priority: link.priority,
    sequence: rank * 1000 + Math.max(index, 0),
    before: [...(definition?.before ?? []), ...(def?.before ?? [])],
    after: [...(definition?.after ?? []), ...(def?.after ?? [])],
  };
}

function storedDiffers(runtime: ReturnType<typeof runtimeOf>, node: Node): boolean {
  const code = runtime.registry.definition(node.plugin)?.hooks.find(h => h.event === node.declaredOn && String(h.method) === node.method)?.priority;
  return code !== node.priority;
}

/** Whether a constraint puts `a` before `b`, and who declared it. */
function constraint(a: Node, b: Node): string | undefined {
  if (a.plugin === b.plugin) return undefined;
  if (b.after.includes(a.plugin)) return `${b.plugin} declares after: ['${a.plugin}']`;
  if (a.before.includes(b.plugin)) return `${a.plugin} declares before: ['${b.plugin}']`;
  return undefined;
}

/** `a` would run before `b` on priority and registration order alone. */
function freelyPrecedes(a: Node, b: Node): boolean {
  return a.priority !== b.priority ? a.priority < b.priority : a.sequence < b.sequence;
}

/**
 * The rule between neighbours. In the builder (Kahn's algorithm, picking the lowest (priority,
 * registration) ready hook), a hook that runs after one it would freely precede can only have been
 * held back by a constraint from that very neighbour, so the three rules are exhaustive.
 */
function pairRule(a: Node, b: Node): { rule: OrderRule; why: string } {
  const by = constraint(a, b);
  if (by && !freelyPrecedes(a, b)) return { rule: 'constraint', why: by };
  if (a.priority !== b.priority) return { rule: 'priority', why: `priority ${a.priority} < ${b.priority}` + (by ? ` (and ${by})` : '') };
  const order = a.plugin === b.plugin ? `declared earlier in ${a.plugin}` : `${a.plugin} registered before ${b.plugin}`;
  return { rule: 'registration', why: `same priority ${a.priority}; ${order}` + (by ? ` (and ${by})` : '') };
}

function ruleOf(nodes: readonly Node[], i: number): { rule: OrderRule; reason: string } {
  const name = (n: Node) => `${n.plugin}.${n.method}`;
  if (nodes.length === 1) return { rule: 'only', reason: 'the only hook' };
  if (i === 0) {
    const { rule, why } = pairRule(nodes[0]!, nodes[1]!);
    return { rule, reason: `before ${name(nodes[1]!)}: ${why}` };
  }
  const { rule, why } = pairRule(nodes[i - 1]!, nodes[i]!);
  return { rule, reason: `after ${name(nodes[i - 1]!)}: ${why}` };
}

function constraintsOf(node: Node, nodes: readonly Node[]): string[] {
  const inChain = new Set(nodes.map(n => n.plugin));
  return [...node.before.filter(p => inChain.has(p) && p !== node.plugin).map(p => `before ${p}`), ...node.after.filter(p => inChain.has(p) && p !== node.plugin).map(p => `after ${p}`)];
}
