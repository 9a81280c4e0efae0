// Boot: read the session (actor, role, CSRF token), then show the view named by the URL's hash.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { auditView } from './view-audit.js';
import { cacheView } from './view-cache.js';
import { chainsView } from './view-chains.js';
import { pluginsView } from './view-plugins.js';
import { trashView } from './view-trash.js';

const VIEWS = { plugins: pluginsView, chains: chainsView, audit: auditView, trash: trashView, cache: cacheView };
const TITLES = { plugins: 'Plugins', chains: 'Chains', audit: 'Audit', trash: 'Trash', cache: 'Cache' };

const PROPAGATION = {
  'postgres-notify': 'changes reach other instances by PostgreSQL LISTEN/NOTIFY',
  redis: 'changes reach other instances by Redis pub/sub',
  polling: 'changes reach other instances by polling',
  none: 'changes are not propagated to other instances',
};

const status = document.getElementById('status');
const view = document.getElementById('view');

/** Shared by the views: the session, and the one live region that announces results. */
const context = {
  session: null,
  get canChange() {
    return this.session?.role === 'admin';
  },
  say(message) {
    status.className = 'status ok';
    status.setAttribute('role', 'status');
    fill(status, message);
  },
  fail(error) {
    status.className = 'status error';
    status.setAttribute('role', 'alert');
    fill(status, error.code ? `${error.message} (${error.code})` : String(error.message ?? error));
  },
  quiet() {
    status.className = 'status';
    fill(status);
  },
  entities: null,
  async entityList() {
    this.entities ??= (await api.get('api/entities')).entities ?? [];
    return this.entities;
  },
};

function current() {
  const name = location.hash.replace(/^#/, '').split('/')[0];
  return name in VIEWS ? name : 'plugins';
}

async function show() {
  const name = current();
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${TITLES[name]} · Plugin console`;
  context.quiet();
  const section = h('section', { 'aria-labelledby': 'view-title', class: `view view-${name}` }, h('h2', { id: 'view-title', tabindex: '-1' }, TITLES[name]));
  fill(view, section);
  try {
    await VIEWS[name](section, context);
  } catch (error) {
    context.fail(error);
  }
  document.body.dataset.ready = name;
}

async function boot() {
  const session = document.getElementById('session');
  try {
    context.session = await api.session();
  } catch (error) {
    fill(session, error.status === 401 ? 'Not signed in: this console needs an authorized request.' : `Cannot reach the console API: ${error.message}`);
    document.body.dataset.ready = 'denied';
    context.fail(error);
    return;
  }
  const { actor, role, propagation, version } = context.session;
  document.body.dataset.role = role;
  fill(session,
    'Signed in as ', h('strong', { class: 'actor' }, actor), ' ',
    h('span', { class: `badge role-${role}` }, role === 'admin' ? 'admin' : 'read-only'),
    h('span', { class: 'muted' }, ` · ${PROPAGATION[propagation] ?? 'changes reach other instances by polling'}`),
  );
  // The plugin-state version counter: it moves with every change any instance makes.
  if (version !== null && version !== undefined) fill(document.getElementById('footer'), `mikro-orm-plugins console · plugin state version ${version}`);
  window.addEventListener('hashchange', () => {
    void show().then(() => document.getElementById('view-title')?.focus?.());
  });
  await show();
}

void boot();
