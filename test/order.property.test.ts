import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { orderHooks, type OrderNode } from '../src/chain/order-hooks.js';
import { describeChain, hook, PluginRegistry, pluginSystem, type PluginClass } from '../src/index.js';
import { sqlite } from './support/databases.js';

// What orderHooks guarantees (Kahn's algorithm, picking the smallest ready node):
//  - the output is a permutation of the input and every before/after constraint holds;
//  - at every step it takes the smallest (priority, sequence) among the hooks whose
//    predecessors have all run, i.e. the lexicographically smallest valid order.
// It does NOT promise that two hooks with no constraint path between them run in priority
// order: a hook held back by a constraint can fall behind an unconstrained hook of higher
// priority (see 'a hook held back by a constraint ...' below). The greedy property is exact.

interface Node extends OrderNode {
  /** `p3.h1`: plugin and hook, for readable failures. */
  readonly id: string;
}

interface HookSpec {
  priority: number;
  before: string[];
  after: string[];
}

/** Plugin p<i> has the hooks plugins[i]; its hooks' sequences follow registration order, as in build-chains. */
type PluginSpec = HookSpec[][];

const GHOST = 'ghost'; // a plugin named by constraints that has no hook in the chain

function nodesOf(plugins: PluginSpec): Node[] {
  return plugins.flatMap((hooks, i) =>
    hooks.map((h, k) => ({ id: `p${i}.h${k}`, plugin: `p${i}`, priority: h.priority, sequence: i * 1000 + k, before: h.before, after: h.after })),
  );
}

/** The constraint graph, from the spec: u -> v when u names v's plugin in `before` or v names u's in `after`. */
function constrained(u: OrderNode, v: OrderNode): boolean {
  return u.plugin !== v.plugin && (u.before.includes(v.plugin) || v.after.includes(u.plugin));
}

function byKey(a: OrderNode, b: OrderNode): number {
  return a.priority - b.priority || a.sequence - b.sequence;
}

function ids(nodes: readonly Node[]): string[] {
  return nodes.map(n => n.id);
}

function orderOf(nodes: readonly Node[]): Node[] {
  const result = orderHooks(nodes);
  if (!result.ok) throw new Error(`unexpected cycle ${result.cycle.join(' -> ')}`);
  return result.order;
}

function expectPermutation(order: readonly Node[], nodes: readonly Node[]): void {
  expect(order).toHaveLength(nodes.length);
  expect(new Set(order).size).toBe(nodes.length);
  for (const node of order) expect(nodes).toContain(node);
}

function expectConstraintsHold(order: readonly Node[]): void {
  const position = new Map(order.map((n, i) => [n, i]));
  for (const u of order) {
    for (const v of order) {
      if (constrained(u, v)) expect(position.get(u)!, `${u.id} must run before ${v.id}`).toBeLessThan(position.get(v)!);
    }
  }
}

/** Each hook is the smallest (priority, sequence) among those whose predecessors have all run. */
function expectGreedy(order: readonly Node[], nodes: readonly Node[]): void {
  const placed = new Set<Node>();
  for (const node of order) {
    const ready = nodes.filter(n => !placed.has(n) && nodes.every(p => !constrained(p, n) || placed.has(p)));
    expect(ids(ready), `${node.id} must be ready when it runs`).toContain(node.id);
    expect(node.id, `step ${placed.size}`).toBe([...ready].sort(byKey)[0]!.id);
    placed.add(node);
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const priority = fc.integer({ min: -2, max: 2 }); // a small range: plenty of ties

/** Hooks per plugin with priorities, no constraints yet. */
const bareSpec = (maxPlugins: number, maxHooks: number) =>
  fc.array(fc.array(priority, { minLength: 1, maxLength: maxHooks }), { minLength: 1, maxLength: maxPlugins });

interface RawConstraint {
  from: number;
  to: number;
  /** On a hook of `from` as `before`, or on a hook of `to` as `after`. */
  asBefore: boolean;
  hook: number;
}

const rawConstraint: fc.Arbitrary<RawConstraint> = fc.record({ from: fc.nat(), to: fc.nat(), asBefore: fc.boolean(), hook: fc.nat() });

function emptySpec(priorities: number[][]): PluginSpec {
  return priorities.map(ps => ps.map(p => ({ priority: p, before: [], after: [] })));
}

/** Adds `from before to` on one hook (the `hook`-th) of the plugin that carries it. */
function addConstraint(spec: PluginSpec, from: number, to: number, asBefore: boolean, hookIndex: number): void {
  const carrier = spec[asBefore ? from : to]!;
  const h = carrier[hookIndex % carrier.length]!;
  if (asBefore) h.before.push(`p${to}`);
  else h.after.push(`p${from}`);
}

/**
 * Random plugins with random constraints that cannot form a cycle: a hidden random ranking of the
 * plugins, and every constraint points from the lower to the higher rank. Some constraints name
 * a plugin with no hook in the chain, which the order must ignore.
 */
const acyclicSpec = (maxPlugins = 8, maxHooks = 3) =>
  bareSpec(maxPlugins, maxHooks).chain(priorities =>
    fc
      .record({
        rankKeys: fc.array(fc.nat(), { minLength: priorities.length, maxLength: priorities.length }),
        constraints: fc.array(rawConstraint, { maxLength: 3 * priorities.length }),
        ghosts: fc.array(fc.record({ on: fc.nat(), hook: fc.nat(), asBefore: fc.boolean() }), { maxLength: 2 }),
      })
      .map(({ rankKeys, constraints, ghosts }) => {
        const n = priorities.length;
        const spec = emptySpec(priorities);
        const rank = (i: number) => [rankKeys[i]!, i];
        const lower = (a: number, b: number) => rank(a)[0]! < rank(b)[0]! || (rank(a)[0] === rank(b)[0] && a < b);
        for (const c of constraints) {
          const [a, b] = [c.from % n, c.to % n];
          if (a === b) continue;
          const [from, to] = lower(a, b) ? [a, b] : [b, a];
          addConstraint(spec, from, to, c.asBefore, c.hook);
        }
        for (const g of ghosts) {
          const hooks = spec[g.on % n]!;
          hooks[g.hook % hooks.length]![g.asBefore ? 'before' : 'after'].push(GHOST);
        }
        return spec;
      }),
  );

/**
 * Random plugins with a planted cycle c0 -> c1 -> ... -> c0 over two or more plugins (each link on
 * every hook of its carrier, like a plugin-level constraint, so it is a cycle between hooks too),
 * plus random constraints in any direction.
 */
const cyclicSpec = bareSpec(8, 3)
  .filter(p => p.length >= 2)
  .chain(priorities =>
    fc
      .record({
        cycle: fc.shuffledSubarray(
          priorities.map((_, i) => i),
          { minLength: 2 },
        ),
        directions: fc.array(fc.boolean(), { minLength: priorities.length, maxLength: priorities.length }),
        noise: fc.array(rawConstraint, { maxLength: 2 * priorities.length }),
      })
      .map(({ cycle, directions, noise }) => {
        const n = priorities.length;
        const spec = emptySpec(priorities);
        cycle.forEach((from, i) => {
          const to = cycle[(i + 1) % cycle.length]!;
          const asBefore = directions[i]!;
          for (const h of spec[asBefore ? from : to]!) (asBefore ? h.before : h.after).push(`p${asBefore ? to : from}`);
        });
        for (const c of noise) if (c.from % n !== c.to % n) addConstraint(spec, c.from % n, c.to % n, c.asBefore, c.hook);
        return { spec, planted: cycle.map(i => `p${i}`) };
      }),
  );

/** The nodes and a shuffled copy of them (same objects, same sequences, another input order). */
const withShuffle = <T extends { spec: PluginSpec }>(arb: fc.Arbitrary<T>) =>
  arb.chain(value => {
    const nodes = nodesOf(value.spec);
    return fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }).map(shuffled => ({ ...value, nodes, shuffled }));
  });

// ---------------------------------------------------------------------------------------------

describe('orderHooks on random acyclic constraints', () => {
  const cases = withShuffle(acyclicSpec().map(spec => ({ spec })));

  test('succeeds with a permutation of the hooks in which every constraint holds', () => {
    fc.assert(
      fc.property(cases, ({ nodes, shuffled }) => {
        const order = orderOf(shuffled);
        expectPermutation(order, nodes);
        expectConstraintsHold(order);
      }),
      { numRuns: 300 },
    );
  });

  test('each hook is the smallest (priority, sequence) among the hooks whose constraints are met', () => {
    fc.assert(
      fc.property(cases, ({ nodes, shuffled }) => expectGreedy(orderOf(shuffled), nodes)),
      { numRuns: 300 },
    );
  });

  test('a hook that no constraint holds back runs before every hook with a larger (priority, sequence)', () => {
    fc.assert(
      fc.property(cases, ({ nodes }) => {
        const order = orderOf(nodes);
        for (const free of nodes.filter(n => !nodes.some(p => constrained(p, n)))) {
          for (const later of nodes.filter(n => byKey(free, n) < 0)) {
            expect(order.indexOf(free), `${free.id} before ${later.id}`).toBeLessThan(order.indexOf(later));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test('is deterministic and does not depend on the order of its input', () => {
    fc.assert(
      fc.property(cases, ({ nodes, shuffled }) => {
        const first = ids(orderOf(nodes));
        expect(ids(orderOf(nodes))).toEqual(first);
        expect(ids(orderOf(shuffled))).toEqual(first);
        expect(ids(orderOf([...shuffled].reverse()))).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  test('does not modify its input', () => {
    fc.assert(
      fc.property(cases, ({ shuffled }) => {
        const before = ids(shuffled);
        orderOf(shuffled);
        expect(ids(shuffled)).toEqual(before);
      }),
      { numRuns: 50 },
    );
  });
});

describe('orderHooks without constraints', () => {
  test('is exactly the sort by (priority, sequence)', () => {
    fc.assert(
      fc.property(withShuffle(bareSpec(10, 3).map(p => ({ spec: emptySpec(p) }))), ({ nodes, shuffled }) => {
        expect(ids(orderOf(shuffled))).toEqual(ids([...nodes].sort(byKey)));
      }),
      { numRuns: 300 },
    );
  });

  test('constraints between hooks of the same plugin are ignored', () => {
    fc.assert(
      fc.property(withShuffle(bareSpec(6, 3).map(p => ({ spec: emptySpec(p) }))), ({ nodes, shuffled }) => {
        const selfish = shuffled.map(n => ({ ...n, before: [n.plugin], after: [n.plugin] }));
        expect(ids(orderOf(selfish))).toEqual(ids([...nodes].sort(byKey)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('orderHooks on examples', () => {
  const node = (plugin: string, priority: number, sequence: number, c: { before?: string[]; after?: string[] } = {}): Node => ({
    id: plugin,
    plugin,
    priority,
    sequence,
    before: c.before ?? [],
    after: c.after ?? [],
  });

  test('lower priority first, then registration order', () => {
    expect(ids(orderOf([node('c', 1, 0), node('a', 0, 2), node('b', 0, 1)]))).toEqual(['b', 'a', 'c']);
  });

  test('a constraint beats priority', () => {
    expect(ids(orderOf([node('early', -10, 0, { after: ['late'] }), node('late', 10, 1)]))).toEqual(['late', 'early']);
    expect(ids(orderOf([node('early', -10, 0), node('late', 10, 1, { before: ['early'] })]))).toEqual(['late', 'early']);
  });

  test('a hook held back by a constraint can fall behind an unconstrained hook of higher priority', () => {
    // b (priority 0) must follow a (priority 10); c (priority 5) is free and runs before a, hence before b.
    const order = ids(orderOf([node('a', 10, 0), node('b', 0, 1, { after: ['a'] }), node('c', 5, 2)]));
    expect(order).toEqual(['c', 'a', 'b']);
  });
});

describe('orderHooks on cyclic constraints', () => {
  test('rejects a set with a planted cycle and reports a real cycle of the constraint graph', () => {
    fc.assert(
      fc.property(withShuffle(cyclicSpec), ({ nodes, shuffled, planted }) => {
        const result = orderHooks(shuffled);
        expect(result.ok, `planted ${planted.join(' -> ')}`).toBe(false);
        if (result.ok) return;
        const { cycle } = result;
        expect(cycle.length).toBeGreaterThanOrEqual(3);
        expect(cycle[0]).toBe(cycle.at(-1));
        for (let i = 0; i + 1 < cycle.length; i++) {
          const [from, to] = [cycle[i]!, cycle[i + 1]!];
          expect(from).not.toBe(to);
          const linked = nodes.some(u => u.plugin === from && nodes.some(v => v.plugin === to && constrained(u, v)));
          expect(linked, `${from} -> ${to} is not a constraint in ${cycle.join(' -> ')}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('is deterministic on cyclic input and rejects it in any input order', () => {
    fc.assert(
      fc.property(withShuffle(cyclicSpec), ({ nodes, shuffled }) => {
        const a = orderHooks(nodes);
        const b = orderHooks(nodes);
        expect(a).toEqual(b);
        expect(orderHooks(shuffled).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  test('a two-plugin cycle is reported from its first plugin', () => {
    const result = orderHooks([
      { plugin: 'a', priority: 0, sequence: 0, before: ['b'], after: [] },
      { plugin: 'b', priority: 0, sequence: 1, before: ['a'], after: [] },
    ]);
    expect(result).toEqual({ ok: false, cycle: ['a', 'b', 'a'] });
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: the same properties hold for describeChain on a real ORM, and hooks run in that order.

const ran: string[] = [];

@Entity()
class OrdSubject {
  static plugins: string[] = [];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

/** A plugin class with one `beforeCreate` hook per spec, methods h0, h1…, each logging its call. */
function pluginClassFor(name: string, hooks: readonly HookSpec[]): PluginClass {
  const cls = class {};
  hooks.forEach((h, k) => {
    const method = `h${k}`;
    const descriptor = {
      value: () => void ran.push(`${name}.${method}`),
      writable: true,
      configurable: true,
      enumerable: false,
    };
    Object.defineProperty(cls.prototype, method, descriptor);
    hook('beforeCreate', { priority: h.priority, before: h.before, after: h.after })(cls.prototype, method, descriptor);
  });
  return cls;
}

describe('describeChain on a real SQLite ORM', () => {
  test('orders random plugins like orderHooks, respects every constraint, and dispatches in that order', async () => {
    const scenario = acyclicSpec(5, 2)
      .map(spec => spec.map(hooks => hooks.map(h => ({ ...h, before: h.before.filter(n => n !== GHOST), after: h.after.filter(n => n !== GHOST) }))))
      .chain(spec =>
        fc.record({
          spec: fc.constant(spec),
          // Which registered plugins the entity attaches, in which order: neither may change the chain.
          attached: fc.shuffledSubarray(
            spec.map((_, i) => `p${i}`),
            { minLength: 1 },
          ),
        }),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ spec, attached }) => {
        const registry = new PluginRegistry();
        spec.forEach((hooks, i) => registry.register(`p${i}`, pluginClassFor(`p${i}`, hooks)));
        OrdSubject.plugins = attached;
        const orm = await sqlite.init({ entities: [OrdSubject], extensions: [pluginSystem({ registry })] });
        try {
          const chain = describeChain(orm, OrdSubject, 'beforeCreate');
          const nodes = nodesOf(spec).filter(n => attached.includes(n.plugin));
          const actual = chain.map(h => nodes.find(n => n.id === `${h.plugin}.${h.method}`)!);
          expectPermutation(actual, nodes);
          expectConstraintsHold(actual);
          expectGreedy(actual, nodes);
          expect(chain.map(h => h.priority)).toEqual(actual.map(n => n.priority));
          expect(chain.every(h => h.event === 'beforeCreate')).toBe(true);
          const expected = orderOf(nodes);
          expect(ids(actual)).toEqual(ids(expected));

          ran.length = 0;
          const em = orm.em.fork();
          em.create(OrdSubject, { name: 'x' });
          await em.flush();
          expect(ran).toEqual(ids(expected));
        } finally {
          await orm.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
