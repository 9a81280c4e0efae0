// A plugin's status and priority on each of its entities: a form per entity for the admin, a table for the read role.
import { h, table, uid } from './dom.js';

const STATUSES = ['active', 'reserve', 'disabled'];

/** `change(path, body, done)` posts to the plugin and redraws its card, as the plugin-wide controls do. */
export function entityState(plugin, context, change) {
  const entries = Object.entries(plugin.stateByEntity ?? {});
  if (entries.length === 0) return null;
  const details = h('details', { class: 'per-entity' }, h('summary', {}, `Per entity (${entries.length})`));
  if (!context.canChange) {
    details.append(table(`${plugin.name} on each entity`, ['Entity', 'Status', 'Priority'], entries.map(([entity, state]) => [entity, state.status, String(state.priority ?? 'default')])));
    return details;
  }
  for (const [entity, state] of entries) details.append(entityForm(plugin, entity, state, change));
  return details;
}

function entityForm(plugin, entity, state, change) {
  const status = h('select', { name: `status:${entity}`, id: uid('entity-status') }, STATUSES.map(s => h('option', { value: s, selected: s === state.status }, s)));
  const priority = h('input', { type: 'number', step: '1', name: `priority:${entity}`, id: uid('entity-priority'), value: state.priority ?? '', placeholder: 'default' });
  const form = h('form', { class: 'inline entity-state', novalidate: true, 'aria-label': `${plugin.name} on ${entity}`, 'data-entity': entity },
    h('span', { class: 'entity-name' }, entity),
    // The entity is read once before the controls; screen readers hear it in every label.
    h('label', { for: status.id }, 'Status', h('span', { class: 'sr-only' }, ` on ${entity}`)), status,
    h('label', { for: priority.id }, 'Priority', h('span', { class: 'sr-only' }, ` on ${entity}`)), priority,
    h('button', { type: 'submit' }, 'Apply', h('span', { class: 'sr-only' }, ` to ${entity}`)),
  );
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const text = priority.value.trim();
    const wanted = text === '' ? null : Number(text);
    // Only what changed is sent: each is its own audited change.
    if (status.value !== state.status) await change('status', { status: status.value, entity }, () => `${plugin.name} is now ${status.value} on ${entity}.`);
    if (wanted !== state.priority) await change('priority', { priority: wanted, entity }, () => `${plugin.name} priority on ${entity} is now ${wanted ?? 'the default'}.`);
  });
  return form;
}
