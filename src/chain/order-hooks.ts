/** One hook to place in a chain. */
export interface OrderNode {
  readonly plugin: string;
  readonly priority: number;
  /** Registration order (plugin, then declaration): the last tie-breaker. */
  readonly sequence: number;
  /** Plugins whose hooks this one must precede / follow. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export type OrderResult<N> = { ok: true; order: N[] } | { ok: false; cycle: string[] };

/**
 * Before/after constraints are hard; among the hooks they leave free, lower priority runs
 * first, then registration order. Kahn's algorithm picking the smallest (priority, sequence)
 * ready node: stable, and every constraint holds. Chains are short, so O(n²) is fine.
 */
export function orderHooks<N extends OrderNode>(nodes: readonly N[]): OrderResult<N> {
  const successors = nodes.map(() => new Set<number>());
  const link = (from: number, to: number) => {
    if (from !== to && nodes[from]!.plugin !== nodes[to]!.plugin) successors[from]!.add(to);
  };
  nodes.forEach((node, i) => {
    nodes.forEach((other, j) => {
      if (node.before.includes(other.plugin)) link(i, j);
      if (node.after.includes(other.plugin)) link(j, i);
    });
  });
  const incoming = nodes.map(() => 0);
  for (const next of successors) for (const j of next) incoming[j]!++;

  const order: N[] = [];
  const done = new Set<number>();
  while (order.length < nodes.length) {
    let pick = -1;
    for (let i = 0; i < nodes.length; i++) {
      if (done.has(i) || incoming[i]! > 0) continue;
      if (pick === -1 || precedes(nodes[i]!, nodes[pick]!)) pick = i;
    }
    if (pick === -1) return { ok: false, cycle: findCycle(nodes, successors, done) };
    done.add(pick);
    order.push(nodes[pick]!);
    for (const j of successors[pick]!) incoming[j]!--;
  }
  return { ok: true, order };
}

function precedes(a: OrderNode, b: OrderNode): boolean {
  return a.priority !== b.priority ? a.priority < b.priority : a.sequence < b.sequence;
}

/** A cycle among the nodes left over, as plugin names, first name repeated at the end. */
function findCycle(nodes: readonly OrderNode[], successors: readonly Set<number>[], done: Set<number>): string[] {
  const state = new Map<number, 'open' | 'closed'>();
  const stack: number[] = [];
  const visit = (i: number): number[] | undefined => {
    state.set(i, 'open');
    stack.push(i);
    for (const j of successors[i]!) {
      if (done.has(j)) continue;
      if (state.get(j) === 'open') return [...stack.slice(stack.indexOf(j)), j];
      if (!state.has(j)) {
        const found = visit(j);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(i, 'closed');
    return undefined;
  };
  for (let i = 0; i < nodes.length; i++) {
    if (done.has(i) || state.has(i)) continue;
    const found = visit(i);
    if (found) return found.map(k => nodes[k]!.plugin);
  }
  return [];
}
