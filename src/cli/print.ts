import type { DoctorFinding } from '../operations/doctor-findings.js';
import type { PluginInventory } from '../operations/list-plugins.js';
import type { PluginStatus } from '../operations/state/entities.js';
import type { Output } from './output.js';

// How the CLI prints what the operations layer reports, as text.

export function paintStatus(out: Output, status: PluginStatus): string {
  return out.paint(status === 'active' ? 'green' : status === 'reserve' ? 'yellow' : 'red', status);
}

export function printInventory(out: Output, inventory: PluginInventory): void {
  const { state } = inventory;
  out.line(out.paint('bold', 'Plugins'));
  out.table(
    ['NAME', 'VERSION', 'STATUS', 'PRIORITY', 'ENTITIES', 'PACKAGE'],
    inventory.plugins.map(p => [
      p.name,
      p.version,
      paintStatus(out, p.status) + (p.statusSource === 'code' ? '' : out.paint('dim', ` (${p.statusSource})`)),
      p.priority === null ? '-' : String(p.priority),
      p.entities.length === 0 ? out.paint('dim', '(none)') : p.entities.map(e => (e.status === p.status && e.priority === p.priority ? e.entity : `${e.entity} [${e.status}${e.priority === null ? '' : `, ${e.priority}`}]`)).join(', '),
      p.package ?? '-',
    ]),
  );
  const configured = inventory.plugins.flatMap(p => p.entities.filter(e => e.options && Object.keys(e.options as object).length > 0).map(e => ({ plugin: p.name, ...e })));
  if (configured.length > 0) {
    out.line();
    out.line(out.paint('bold', 'Options'));
    for (const e of configured) out.line(`  ${e.entity}.${e.plugin}: ${JSON.stringify(e.options)}`);
  }
  if (inventory.types.length > 0) {
    out.line();
    out.line(out.paint('bold', 'Plugin types'));
    for (const type of inventory.types) {
      const impls = type.implementations.map(i => `${i.chosen ? out.paint('green', `${i.name}*`) : i.name} (${i.status}, ${i.priority})`);
      out.line(`  ${type.type}: ${impls.join(', ')}`);
    }
    out.line(out.paint('dim', '  * the implementation getImplementation() returns'));
  }
  out.line();
  out.line(
    !state.installed
      ? out.paint('dim', 'plugin state: not installed')
      : state.available
        ? out.paint('dim', `plugin state: ${state.rows} rows, version ${state.version}, propagation ${state.propagation}`)
        : out.paint('yellow', 'plugin state: the plugin_state table does not exist (create it, then run `sync`)'),
  );
}

export function printFindings(out: Output, findings: readonly DoctorFinding[]): void {
  for (const f of findings) {
    const mark = f.level === 'ok' ? out.paint('green', 'ok  ') : f.level === 'warning' ? out.paint('yellow', 'warn') : out.paint('red', 'FAIL');
    out.line(`${mark} ${out.paint('dim', f.check.padEnd(10))} ${f.message}`);
  }
  const errors = findings.filter(f => f.level === 'error').length;
  const warnings = findings.filter(f => f.level === 'warning').length;
  out.line();
  out.line(errors > 0 ? out.paint('red', `${errors} failure(s), ${warnings} warning(s)`) : out.paint('green', `no failures, ${warnings} warning(s)`));
}
