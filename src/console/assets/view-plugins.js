// Plugins: status, priority, health, the checks a plugin offers, and its options form.
import { api, seg } from './api.js';
import { h, show, uid, when } from './dom.js';
import { entityState } from './entity-state.js';
import { schemaForm } from './schema-form.js';

const STATUSES = ['active', 'reserve', 'disabled'];

function facts(plugin) {
  const rows = [
    ['Version', plugin.version ?? '—'],
    ['Type', plugin.type ?? '—'],
    ['Implementation', plugin.implementation ?? '—'],
    ['Priority', plugin.priority ?? 'default'],
    ['Dependencies', plugin.dependencies?.length ? plugin.dependencies.join(', ') : 'none'],
    ['Entities', plugin.entities?.length ? plugin.entities.join(', ') : 'none'],
  ];
  return h('dl', { class: 'facts' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, String(value))]));
}

// The form shows the options the plugin runs with; only its live ones may change (docs/console.md, "Option edits").
function liveNote(plugin) {
  const live = plugin.liveOptions ?? [];
  return h('p', { class: 'hint' }, live.length
    ? `Live options (${live.join(', ')}) apply at once, on every instance and every entity the plugin is on. The others are fixed by the application's code.`
    : 'This plugin declares no live option: its options are fixed by the application\'s code.');
}

function card(plugin, context, replace) {
  const titleId = uid('plugin');
  const result = h('p', { class: 'result', 'aria-live': 'polite' });
  const article = h('article', { class: 'card plugin', 'data-plugin': plugin.name, 'aria-labelledby': titleId },
    h('header', { class: 'card-head' },
      h('h3', { id: titleId }, plugin.name),
      h('span', { class: `badge status-${plugin.status}` }, plugin.status),
      h('span', { class: `badge health-${plugin.health ?? 'none'}` }, `health: ${plugin.health ?? 'n/a'}`),
    ),
    facts(plugin),
  );

  const report = (ok, message) => {
    result.className = `result ${ok ? 'ok' : 'error'}`;
    result.textContent = message;
  };
  const change = async (path, body, done) => {
    try {
      const answer = await api.post(`api/plugins/${seg(plugin.name)}/${path}`, body);
      if (answer.plugin) replace(answer.plugin);
      context.say(done(answer));
    } catch (error) {
      context.fail(error);
      report(false, error.message);
    }
  };

  if (context.canChange) {
    const statusSelect = h('select', { name: 'status' }, STATUSES.map(s => h('option', { value: s, selected: s === plugin.status }, s)));
    statusSelect.id = uid('status');
    const statusForm = h('form', { class: 'inline', 'aria-label': `Status of ${plugin.name}` },
      h('label', { for: statusSelect.id }, 'Status'), statusSelect, h('button', { type: 'submit' }, 'Apply status'));
    statusForm.addEventListener('submit', event => {
      event.preventDefault();
      void change('status', { status: statusSelect.value }, () => `${plugin.name} is now ${statusSelect.value}.`);
    });

    const priorityInput = h('input', { type: 'number', step: '1', name: 'priority', value: plugin.priority ?? '', placeholder: 'default' });
    priorityInput.id = uid('priority');
    const priorityForm = h('form', { class: 'inline', novalidate: true, 'aria-label': `Priority of ${plugin.name}` },
      h('label', { for: priorityInput.id }, 'Priority'), priorityInput, h('button', { type: 'submit' }, 'Set priority'));
    priorityForm.addEventListener('submit', event => {
      event.preventDefault();
      const text = priorityInput.value.trim();
      const priority = text === '' ? null : Number(text);
      void change('priority', { priority }, () => `${plugin.name} priority is now ${priority ?? 'the default'}.`);
    });

    article.append(h('div', { class: 'controls' }, statusForm, priorityForm));
  }
  const perEntity = entityState(plugin, context, change);
  if (perEntity) article.append(perEntity);

  // Checks change nothing: the read role may run them too. 409: the plugin has no such check.
  const check = (path, label) => h('button', { type: 'button', onclick: async () => {
    report(true, `${label}: running…`);
    try {
      const answer = await api.post(`api/plugins/${seg(plugin.name)}/${path}`);
      const verdict = answer.ok ? 'ok' : 'failing';
      report(answer.ok, `${label}: ${verdict}${answer.message ? ` — ${answer.message}` : ''}${answer.checkedAt ? ` (${when(answer.checkedAt)})` : ''}`);
      context.say(`${plugin.name} ${label.toLowerCase()}: ${verdict}.`);
    } catch (error) {
      report(false, error.status === 409 ? `${label}: this plugin has no such check.` : `${label}: ${error.message}`);
      if (error.status !== 409) context.fail(error);
    }
  } }, label);
  article.append(h('div', { class: 'inline checks' }, check('health', 'Health'), check('test-connection', 'Test connection')));
  article.append(result);

  if (plugin.optionsSchema || Object.keys(plugin.options ?? {}).length) {
    const details = h('details', { class: 'options' }, h('summary', {}, context.canChange ? 'Options (edit)' : 'Options'));
    if (plugin.optionsSchema) {
      const form = schemaForm({
        plugin: plugin.name,
        schema: plugin.optionsSchema,
        values: plugin.options ?? {},
        secretPaths: plugin.secretOptions,
        readOnly: !context.canChange,
        onSubmit: async collected => {
          // Only what was changed: an edit goes to every entity the plugin is on, each keeping its other values.
          const shown = plugin.options ?? {};
          const options = Object.fromEntries(Object.entries(collected).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(shown[name])));
          try {
            const answer = await api.post(`api/plugins/${seg(plugin.name)}/options`, { options });
            context.say(`${plugin.name} options applied: the running hooks use them now, on every instance.`);
            if (answer.plugin) replace(answer.plugin, true);
          } catch (error) {
            const issues = error.issues?.length ? error.issues : error.field ? [{ path: error.field, message: error.message }] : [];
            if (issues.length) {
              form.showIssues(issues);
              context.fail({ message: `${plugin.name} options not saved: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, code: error.code });
            } else context.fail(error);
          }
        },
      });
      details.append(liveNote(plugin), form.form);
    } else {
      details.append(h('pre', { class: 'json' }, show(plugin.options)));
    }
    article.append(details);
  }
  return article;
}

export async function pluginsView(section, context) {
  const { plugins } = await api.get('api/plugins');
  section.append(h('p', { class: 'lead' }, `${plugins.length} plugin${plugins.length === 1 ? '' : 's'} registered.`));
  const list = h('div', { class: 'cards' });
  for (const plugin of plugins) {
    // A change redraws the card; focus goes back to the control that made it.
    const place = (next, keepOpen) => {
      const open = keepOpen && current.querySelector('details.options')?.open;
      const perEntityOpen = current.querySelector('details.per-entity')?.open;
      const active = document.activeElement;
      const key = active && current.contains(active) ? active.name || active.textContent : null;
      const fresh = card(next, context, place);
      if (open) fresh.querySelector('details.options').open = true;
      if (perEntityOpen) fresh.querySelector('details.per-entity').open = true;
      current.replaceWith(fresh);
      current = fresh;
      if (key) [...fresh.querySelectorAll('button, select, input')].find(el => (el.name || el.textContent) === key)?.focus();
    };
    let current = card(plugin, context, place);
    list.append(current);
  }
  section.append(list);
}
