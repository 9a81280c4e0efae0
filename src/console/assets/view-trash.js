// Trash: soft-deleted rows per entity and per deletion batch. Restore a batch or a row; a hard delete needs the
// row's "<entity>:<id>" typed out first.
import { api, query } from './api.js';
import { field, fill, h, show, table, uid, when } from './dom.js';

// Batch ids are UUIDs: the first 8 characters tell them apart on screen; the full id is in the title.
const short = id => (String(id).length > 12 ? String(id).slice(0, 8) : String(id));

function summary(data) {
  const entries = Object.entries(data ?? {}).slice(0, 4);
  return entries.map(([key, value]) => `${key}: ${show(value)}`).join(', ');
}

export async function trashView(section, context) {
  const entities = (await context.entityList()).filter(e => e.softDelete);
  const select = h('select', { name: 'entity' }, h('option', { value: '' }, 'All entities'), entities.map(e => h('option', { value: e.name }, e.name)));
  const batchesOut = h('div');
  const rowsOut = h('div');
  const form = h('form', { class: 'inline filters', 'aria-label': 'Choose an entity' }, field('Entity', select),
    h('button', { type: 'submit' }, 'Show trash'));

  const run = async (action, done) => {
    try {
      const answer = await action();
      context.say(done(answer));
      await load();
    } catch (error) {
      context.fail(error);
    }
  };

  function restoreBatch(batch) {
    // A batch may span entities (cascades). Each is asked in turn; one whose rows a cascade already brought back
    // answers 404, which is not a failure here.
    return run(async () => {
      let restored = 0;
      let answered = false;
      for (const entity of batch.entities) {
        try {
          restored += (await api.post('api/trash/restore', { entity, batch: batch.batch })).restored ?? 0;
          answered = true;
        } catch (error) {
          if (error.status !== 404 || !answered) throw error;
        }
      }
      return restored;
    }, restored => `Batch ${short(batch.batch)} restored: ${restored} row${restored === 1 ? '' : 's'}.`);
  }

  function confirmDelete(row, cell) {
    const expected = `${row.entity}:${row.id}`;
    const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: false, name: 'confirm' });
    input.id = uid('confirm');
    const button = h('button', { type: 'submit', class: 'danger', disabled: true }, 'Delete permanently');
    const confirmForm = h('form', { class: 'confirm', 'aria-label': `Confirm permanent delete of ${expected}` },
      h('label', { for: input.id }, 'Type ', h('code', {}, expected), ' to delete this row for good. This cannot be undone.'),
      input, button,
      h('button', { type: 'button', onclick: () => load().catch(error => context.fail(error)) }, 'Cancel'));
    input.addEventListener('input', () => {
      button.disabled = input.value !== expected;
    });
    confirmForm.addEventListener('submit', event => {
      event.preventDefault();
      if (input.value !== expected) return;
      void run(() => api.post('api/trash/hard-delete', { entity: row.entity, id: row.id, confirm: input.value }),
        () => `${expected} deleted permanently.`);
    });
    fill(cell, confirmForm);
    input.focus();
  }

  function rowActions(row) {
    if (!context.canChange) return h('span', { class: 'muted' }, 'read-only');
    const cell = h('div', { class: 'row-actions' });
    fill(cell,
      h('button', { type: 'button', onclick: () => run(() => api.post('api/trash/restore', { entity: row.entity, id: row.id }),
        a => `${row.entity} ${row.id} restored (${a.restored}).`) }, `Restore ${row.entity} ${row.id}`),
      // The row is in the accessible name, after the visible words (so speech input can say what it sees).
      h('button', { type: 'button', class: 'danger', onclick: () => confirmDelete(row, cell) },
        'Delete', h('span', { class: 'sr-only' }, ` ${row.entity} ${row.id}`), ' permanently…'));
    return cell;
  }

  async function load() {
    const { batches, rows } = await api.get(`api/trash${query({ entity: select.value })}`);
    fill(batchesOut, batches.length === 0 ? h('p', { class: 'muted' }, 'No deletion batches.') : table(
      `${batches.length} deletion batch${batches.length === 1 ? '' : 'es'}`,
      ['Batch', 'Deleted', 'By', 'Rows', 'Entities', ''],
      batches.map(b => [h('span', { title: String(b.batch) }, short(b.batch)), when(b.at), b.by ?? '—', String(b.count), (b.entities ?? []).join(', '),
        context.canChange ? h('button', { type: 'button', onclick: () => restoreBatch(b) }, `Restore batch ${short(b.batch)}`) : '']),
    ));
    fill(rowsOut, rows.length === 0 ? h('p', { class: 'muted' }, 'The trash is empty.') : table(
      `${rows.length} deleted row${rows.length === 1 ? '' : 's'}`,
      ['Row', 'Deleted', 'By', 'Batch', 'Data', ''],
      rows.map(r => [`${r.entity} ${r.id}`, when(r.deletedAt), r.deletedBy ?? '—', r.batch ? h('span', { title: String(r.batch) }, short(r.batch)) : '—', summary(r.data), rowActions(r)]),
    ));
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    load().catch(error => context.fail(error));
  });
  select.addEventListener('change', () => load().catch(error => context.fail(error)));
  section.append(form, h('h3', {}, 'Deletion batches'), batchesOut, h('h3', {}, 'Deleted rows'), rowsOut);
  await load();
}
