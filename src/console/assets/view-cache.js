// Cache: hits, misses and evictions per entity; clear an entity or one key.
import { api } from './api.js';
import { field, fill, h, table } from './dom.js';

const ratio = (hits, misses) => (hits + misses === 0 ? '—' : `${Math.round((hits / (hits + misses)) * 100)}%`);

export async function cacheView(section, context) {
  const out = h('div');
  const keyEntity = h('select', { name: 'entity' });
  const key = h('input', { type: 'text', name: 'key', autocomplete: 'off' });

  const clear = async body => {
    try {
      await api.post('api/cache/clear', body);
      context.say(body.key === undefined ? `Cache of ${body.entity} cleared.` : `Key ${body.key} of ${body.entity} cleared.`);
      await load();
    } catch (error) {
      context.fail(error);
    }
  };

  async function load() {
    const { entities } = await api.get('api/cache');
    fill(keyEntity, entities.map(e => h('option', { value: e.entity }, e.entity)));
    fill(out, entities.length === 0 ? h('p', { class: 'muted' }, 'No entity is cached.') : table(
      'Cache counters since start',
      ['Entity', 'Store', 'Hits', 'Misses', 'Hit rate', 'Evictions', 'Invalidations', 'Errors', ''],
      entities.map(e => [e.entity, e.store ?? '—', String(e.hits), String(e.misses), ratio(e.hits, e.misses), String(e.evictions),
        String(e.invalidations ?? '—'), String(e.errors ?? '—'),
        context.canChange ? h('button', { type: 'button', onclick: () => clear({ entity: e.entity }) }, `Clear ${e.entity}`) : '']),
    ));
  }

  section.append(h('p', { class: 'lead' }, 'Counters per cached entity.'), out);
  if (context.canChange) {
    const form = h('form', { class: 'inline filters', 'aria-label': 'Clear one cache key' },
      field('Entity', keyEntity), field('Primary key', key), h('button', { type: 'submit' }, 'Clear key'));
    form.addEventListener('submit', event => {
      event.preventDefault();
      if (key.value.trim() === '') {
        context.fail({ message: 'Enter a key to clear.' });
        key.focus();
        return;
      }
      void clear({ entity: keyEntity.value, key: key.value.trim() });
    });
    section.append(h('h3', {}, 'Clear one key'), form);
  }
  await load();
}
