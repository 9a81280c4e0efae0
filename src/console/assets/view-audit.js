// Audit: history per entity and row, field diffs and actors, filters, export, and a row's state at a past time.
import { api, query } from './api.js';
import { download, field, fill, h, isoFromLocal, localFromIso, show, table, when } from './dom.js';
import { restoreStateButton } from './restore-state.js';

// Field changes of a row; other records (an event, a change made through this console) carry details instead.
function diff(changes, details) {
  const entries = Object.entries(changes ?? {});
  if (entries.length === 0 && details !== undefined) return h('code', { class: 'details' }, show(details));
  if (entries.length === 0) return h('span', { class: 'muted' }, 'no field changes');
  return h('ul', { class: 'diff' }, entries.map(([name, change]) => h('li', {},
    h('code', {}, name), ': ',
    h('del', {}, show(change?.from)), h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'sr-only' }, ' to '),
    h('ins', {}, show(change?.to)))));
}

export async function auditView(section, context) {
  const entities = (await context.entityList()).filter(e => e.audited);
  const entityOptions = selected => [h('option', { value: '' }, 'All audited entities'),
    ...entities.map(e => h('option', { value: e.name, selected: e.name === selected }, e.name))];

  const f = {
    entity: h('select', { name: 'entity' }, entityOptions()),
    id: h('input', { type: 'text', name: 'id', size: 8 }),
    actor: h('input', { type: 'text', name: 'actor', size: 12 }),
    from: h('input', { type: 'datetime-local', name: 'from', step: '1' }),
    to: h('input', { type: 'datetime-local', name: 'to', step: '1' }),
    limit: h('input', { type: 'number', name: 'limit', value: '100', min: '1', step: '1', size: 5 }),
  };
  const params = () => ({ entity: f.entity.value, id: f.id.value.trim(), actor: f.actor.value.trim(),
    from: isoFromLocal(f.from.value), to: isoFromLocal(f.to.value), limit: f.limit.value });
  const results = h('div', { class: 'results' });

  const filter = h('form', { class: 'filters', 'aria-label': 'Filter the audit history', novalidate: true },
    field('Entity', f.entity), field('Row id', f.id), field('Actor', f.actor), field('From', f.from), field('To', f.to), field('Limit', f.limit),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Search'),
      h('button', { type: 'button', onclick: () => exportAs('json') }, 'Export JSON'),
      h('button', { type: 'button', onclick: () => exportAs('csv') }, 'Export CSV')));

  // The state of one row at a moment.
  const s = {
    entity: h('select', { name: 'state-entity', required: true }, entities.map(e => h('option', { value: e.name }, e.name))),
    id: h('input', { type: 'text', name: 'state-id', size: 8, required: true }),
    at: h('input', { type: 'datetime-local', name: 'state-at', step: '0.001', required: true }),
  };
  const stateOut = h('div', { class: 'state' });
  const stateForm = h('form', { class: 'filters', 'aria-label': 'State of a row at a past time', novalidate: true },
    field('Entity', s.entity), field('Row id', s.id), field('As of', s.at),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show state')));

  async function search(announce = true) {
    const { records } = await api.get(`api/audit${query(params())}`);
    fill(results, records.length === 0 ? h('p', { class: 'muted' }, 'No changes match.') : table(
      `${records.length} change${records.length === 1 ? '' : 's'}, newest first`,
      ['When', 'Actor', 'Entity', 'Row', 'Operation', 'Changes', ''],
      records.map(r => [when(r.at), r.actor ?? '—', r.entity, String(r.entityId), r.operation, diff(r.changes, r.details),
        h('button', { type: 'button', class: 'small', onclick: () => stateAtRecord(r) }, 'State then', h('span', { class: 'sr-only' }, `: ${r.entity} ${r.entityId} as of this change`))]),
    ));
    if (announce) context.say(`${records.length} audit record${records.length === 1 ? '' : 's'} found.`);
  }

  async function exportAs(format) {
    try {
      const blob = await api.blob(`api/audit${query({ ...params(), format })}`);
      download(blob, `audit.${format}`);
      context.say(`Exported ${format.toUpperCase()}.`);
    } catch (error) {
      context.fail(error);
    }
  }

  function stateAtRecord(record) {
    s.entity.value = record.entity;
    s.id.value = String(record.entityId);
    s.at.value = localFromIso(record.at);
    showState().catch(error => context.fail(error));
    s.at.focus();
  }

  async function showState() {
    const entity = s.entity.value;
    const id = s.id.value.trim();
    const at = isoFromLocal(s.at.value);
    if (!entity || !id || !at) {
      fill(stateOut, h('p', { class: 'field-error' }, 'Choose an entity, a row id and a time.'));
      return;
    }
    const { state } = await api.get(`api/audit/state${query({ entity, id, at })}`);
    const heading = h('h4', {}, `${entity} ${id} as of ${when(at)}`);
    if (state === null || state === undefined) {
      fill(stateOut, heading, h('p', { class: 'muted' }, 'The row did not exist at that time.'));
    } else {
      fill(stateOut, heading, h('dl', { class: 'facts state-fields' },
        Object.entries(state).map(([name, value]) => [h('dt', {}, name), h('dd', {}, show(value))])));
    }
    await offerRestore(entity, id, state);
    if (context.canChange && state) stateOut.append(restoreStateButton({ entity, id, at, context, onDone: () => search(false) }));
    context.say(`State of ${entity} ${id} as of ${when(at)} shown.`);
  }

  // A row that is in the trash now can be brought back from here.
  async function offerRestore(entity, id, state) {
    const meta = entities.find(e => e.name === entity);
    if (!context.canChange || !meta?.softDelete || !state) return;
    const { rows } = await api.get(`api/trash${query({ entity })}`);
    const row = rows.find(r => r.entity === entity && String(r.id) === id);
    if (!row) {
      stateOut.append(h('p', { class: 'muted' }, 'The row exists now (not in the trash).'));
      return;
    }
    stateOut.append(h('p', {}, `Deleted ${when(row.deletedAt)}${row.deletedBy ? ` by ${row.deletedBy}` : ''}. `,
      h('button', { type: 'button', class: 'primary', onclick: async event => {
        event.currentTarget.disabled = true;
        try {
          const { restored } = await api.post('api/trash/restore', { entity, id: row.id });
          await search(false);
          context.say(`${entity} ${id} restored (${restored} row${restored === 1 ? '' : 's'}).`);
        } catch (error) {
          context.fail(error);
        }
      } }, `Restore ${entity} ${id}`)));
  }

  filter.addEventListener('submit', event => {
    event.preventDefault();
    search().catch(error => context.fail(error));
  });
  stateForm.addEventListener('submit', event => {
    event.preventDefault();
    showState().catch(error => context.fail(error));
  });

  section.append(
    h('h3', {}, 'History'), filter, results,
    h('h3', {}, 'State at a past time'), stateForm, stateOut,
  );
  // Without the audit plugin on any entity there is no history to ask for.
  if (entities.length === 0) {
    fill(results, h('p', { class: 'muted' }, 'No entity is audited: add the audit plugin to an entity to see its history here.'));
    return;
  }
  await search(false);
}
