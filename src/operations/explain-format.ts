import { invalidArgument } from '../errors.js';
import type { ExplainedChain } from './explain.js';

/** Plain text, one block per chain. */
export function formatExplainText(chains: readonly ExplainedChain[]): string {
  checkChains('formatExplainText', chains);
  if (chains.length === 0) return 'No chains: no entity has plugins for that event.';
  const out: string[] = [];
  for (const chain of chains) {
    out.push(`${chain.entity} ${chain.event}`);
    if (chain.hooks.length === 0) out.push('  (no hooks)');
    for (const h of chain.hooks) {
      const declared = h.declaredOn !== chain.event ? ` [${h.declaredOn}]` : '';
      const stored = h.prioritySource === 'stored' ? ' (stored)' : '';
      out.push(`  ${h.position}. ${h.plugin}.${h.method}${declared}  priority ${h.priority}${stored}  rule: ${h.rule} — ${h.reason}`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** A Mermaid flowchart (GitHub renders it in a ```mermaid block): one subgraph per chain, edges labelled with the rule. */
export function formatExplainMermaid(chains: readonly ExplainedChain[]): string {
  checkChains('formatExplainMermaid', chains);
  const lines = ['flowchart LR'];
  const id = (...parts: (string | number)[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
  const text = (s: string) => s.replace(/"/g, '#quot;');
  for (const chain of chains) {
    const graph = id(chain.entity, chain.event);
    lines.push(`  subgraph ${graph}["${text(`${chain.entity} · ${chain.event}`)}"]`);
    lines.push('    direction LR');
    chain.hooks.forEach((h, i) => {
      const node = `${graph}_${i + 1}`;
      const declared = h.declaredOn !== chain.event ? ` (${h.declaredOn})` : '';
      lines.push(`    ${node}["${text(`${h.plugin}.${h.method}${declared}<br/>priority ${h.priority}${h.prioritySource === 'stored' ? ' (stored)' : ''}`)}"]`);
      if (i > 0) lines.push(`    ${graph}_${i} -->|${h.rule}| ${node}`);
    });
    if (chain.hooks.length === 0) lines.push(`    ${graph}_empty["(no hooks)"]`);
    lines.push('  end');
  }
  return lines.join('\n');
}

const TEXT_KEYS = ['position', 'plugin', 'method', 'declaredOn', 'priority', 'prioritySource', 'rule', 'reason'] as const;

/** What `explainChains` returns; anything else is a typed error, not a TypeError half-way through the text. */
function checkChains(fn: string, chains: unknown): asserts chains is readonly ExplainedChain[] {
  const printable = (v: unknown) => v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  const isChain = (c: unknown) => {
    const chain = c as ExplainedChain | null;
    return typeof chain === 'object' && chain !== null && typeof chain.entity === 'string' && typeof chain.event === 'string' && Array.isArray(chain.hooks) &&
      Array.from(chain.hooks).every(h => typeof h === 'object' && h !== null && TEXT_KEYS.every(k => printable((h as unknown as Record<string, unknown>)[k])));
  };
  if (!Array.isArray(chains) || !Array.from(chains).every(isChain)) throw invalidArgument(fn, 'chains', 'what explainChains() returns', chains);
}
