// Chains: for each entity and event, the hooks in run order, drawn as a left-to-right diagram (CSS only).
import { api, query } from './api.js';
import { download, fill, h, uid } from './dom.js';

function diagram(chain) {
  const titleId = uid('chain');
  return h('section', { class: 'chain', 'data-entity': chain.entity, 'data-event': chain.event, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, h('span', { class: 'entity' }, chain.entity), ' · ', h('code', {}, chain.event)),
    chain.hooks.length === 0
      ? h('p', { class: 'muted' }, 'No hooks run.')
      : h('ol', { class: 'chain-diagram', 'aria-label': `Run order of ${chain.entity} ${chain.event}` },
        chain.hooks.map((hook, index) => h('li', { class: `hook kind-${hook.kind}`, 'data-plugin': hook.plugin },
          h('span', { class: 'step', 'aria-hidden': 'true' }, String(index + 1)),
          h('strong', { class: 'hook-name' }, `${hook.plugin}.${hook.hook}`),
          h('span', { class: 'badge kind' }, hook.kind),
          h('span', { class: 'meta' }, `priority ${hook.priority ?? 'default'}`),
          h('span', { class: 'meta source' }, `from ${hook.source ?? '—'}`),
          hook.reason && hook.rule !== 'only' ? h('span', { class: 'meta reason' }, hook.reason) : null,
        ))),
  );
}

export async function chainsView(section, context) {
  const entities = await context.entityList();
  const select = h('select', { name: 'entity' }, h('option', { value: '' }, 'All entities'), entities.map(e => h('option', { value: e.name }, e.name)));
  select.id = uid('entity');
  const output = h('div', { class: 'chains' });
  const form = h('form', { class: 'inline filters', 'aria-label': 'Choose an entity' },
    h('label', { for: select.id }, 'Entity'), select, h('button', { type: 'submit' }, 'Show chains'),
    h('button', { type: 'button', onclick: () => exportMermaid().catch(error => context.fail(error)) }, 'Export Mermaid'));

  // The same chains as a Mermaid flowchart, for a wiki or a design doc (the page itself draws them with CSS).
  async function exportMermaid() {
    const { mermaid } = await api.get(`api/chains${query({ entity: select.value, format: 'mermaid' })}`);
    download(new Blob([mermaid ?? ''], { type: 'text/plain' }), `chains${select.value ? `-${select.value}` : ''}.mmd`);
    context.say('Exported the chains as Mermaid.');
  }

  async function load(announce = false) {
    const { chains } = await api.get(`api/chains${query({ entity: select.value })}`);
    fill(output, chains.length === 0 ? h('p', { class: 'muted' }, 'No chains.') : chains.map(diagram));
    if (announce) context.say(`${chains.length} chain${chains.length === 1 ? '' : 's'} shown${select.value ? ` for ${select.value}` : ''}.`);
  }
  form.addEventListener('submit', event => {
    event.preventDefault();
    load(true).catch(error => context.fail(error));
  });
  select.addEventListener('change', () => load(true).catch(error => context.fail(error)));
  section.append(h('p', { class: 'lead' }, 'Hooks in the order they run, with their kind, priority and where each came from.'), form, output);
  await load();
}
