// An options form generated from a plugin's JSON Schema. Secret fields are write-only: they start empty,
// and an empty secret is left out of the submitted options, which the API reads as "keep the current value".
// The browser's own constraint checks are off (novalidate): the server's 422 issues are shown next to each field.
import { h, uid } from './dom.js';

const get = (object, path) => path.reduce((value, key) => (value && typeof value === 'object' ? value[key] : undefined), object);

/** 'a.b', '/a/b', ['a', 'b'], 'options.a.b' -> 'a.b' */
export function issuePath(path) {
  const text = Array.isArray(path) ? path.join('.') : String(path ?? '');
  return text.replace(/^\//, '').replaceAll('/', '.').replace(/^options\.?/, '');
}

function hintFor(schema) {
  const parts = [];
  if (schema.description) parts.push(schema.description);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  if (schema.type === 'array') parts.push('comma-separated');
  return parts.join(' · ');
}

function controlFor(schema, value, secret) {
  const type = Array.isArray(schema.type) ? schema.type.find(t => t !== 'null') : schema.type;
  if (Array.isArray(schema.enum)) {
    return h('select', {}, h('option', { value: '' }, '(default)'),
      schema.enum.map(option => h('option', { value: JSON.stringify(option), selected: option === value }, String(option))));
  }
  if (type === 'boolean') return h('input', { type: 'checkbox', checked: value === true });
  if (type === 'integer' || type === 'number') {
    return h('input', { type: 'number', inputmode: 'numeric', step: type === 'integer' ? '1' : 'any', value: value ?? '' });
  }
  if (secret) return h('input', { type: 'password', autocomplete: 'new-password', placeholder: 'unchanged (write-only)', value: '' });
  if (type === 'string') return h('input', { type: 'text', value: value ?? '' });
  if (type === 'array' && ['string', 'number', 'integer'].includes(schema.items?.type)) {
    return h('input', { type: 'text', value: Array.isArray(value) ? value.join(', ') : '' });
  }
  return h('textarea', { rows: 3, spellcheck: false }, value === undefined ? '' : JSON.stringify(value, null, 2));
}

function readControl(control, schema) {
  const type = Array.isArray(schema.type) ? schema.type.find(t => t !== 'null') : schema.type;
  if (control.type === 'checkbox') return control.checked;
  const text = control.value.trim();
  if (text === '') return undefined;
  if (control.tagName === 'SELECT') return JSON.parse(text);
  if (type === 'integer' || type === 'number') return Number(text);
  if (control.type === 'password' || control.type === 'text') {
    if (type !== 'array') return control.value;
    const items = text.split(',').map(item => item.trim()).filter(Boolean);
    return schema.items?.type === 'string' ? items : items.map(Number);
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Builds the form. `onSubmit(options)` gets the collected options; the returned object shows the API's issues.
 */
export function schemaForm({ plugin, schema, values, secretPaths, readOnly, onSubmit }) {
  const fields = new Map();
  const formErrors = h('ul', { class: 'form-errors', hidden: true });
  const form = h('form', { class: 'options-form', novalidate: true, 'aria-label': `Options of ${plugin}` }, formErrors);
  const secrets = new Set(secretPaths ?? []);

  function build(objectSchema, parent, path) {
    const required = new Set(objectSchema.required ?? []);
    const groups = new Map();
    for (const [key, propSchema] of Object.entries(objectSchema.properties ?? {})) {
      const full = [...path, key];
      const name = full.join('.');
      const group = path.length === 0 ? propSchema['x-group'] : undefined;
      let target = parent;
      if (group) {
        if (!groups.has(group)) {
          const set = h('fieldset', { class: 'group' }, h('legend', {}, group));
          groups.set(group, set);
          parent.append(set);
        }
        target = groups.get(group);
      }
      if (propSchema.type === 'object' && propSchema.properties) {
        const set = h('fieldset', { class: 'group' }, h('legend', {}, key));
        target.append(set);
        build(propSchema, set, full);
        continue;
      }
      const secret = propSchema.writeOnly === true || secrets.has(name);
      const control = controlFor(propSchema, secret ? undefined : get(values, full), secret);
      control.id = uid(`opt-${plugin}-${name}`.replace(/[^A-Za-z0-9_-]/g, '-'));
      control.name = name;
      control.disabled = readOnly;
      const error = h('p', { class: 'field-error', id: uid('err'), hidden: true });
      const hint = hintFor(propSchema);
      const hintEl = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
      control.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
      const label = h('label', { for: control.id }, key, required.has(key) ? h('span', { class: 'req' }, ' (required)') : null,
        secret ? h('span', { class: 'badge secret' }, 'secret') : null);
      const wrap = h('div', { class: `field${control.type === 'checkbox' ? ' check' : ''}`, 'data-path': name }, label, control, hintEl, error);
      target.append(wrap);
      fields.set(name, { control, error, schema: propSchema, secret, path: full });
    }
  }
  build(schema ?? {}, form, []);
  if (fields.size === 0) form.append(h('p', { class: 'muted' }, 'This plugin has no options to edit.'));

  function collect() {
    const options = {};
    for (const { control, schema: propSchema, path } of fields.values()) {
      const value = readControl(control, propSchema);
      if (value === undefined) continue;
      let target = options;
      for (const key of path.slice(0, -1)) target = target[key] ??= {};
      target[path.at(-1)] = value;
    }
    return options;
  }

  function clearIssues() {
    formErrors.hidden = true;
    formErrors.replaceChildren();
    for (const { control, error } of fields.values()) {
      error.hidden = true;
      error.textContent = '';
      control.removeAttribute('aria-invalid');
    }
  }

  function showIssues(issues) {
    clearIssues();
    let first;
    for (const issue of issues) {
      const path = issuePath(issue.path);
      const match = fields.get(path) ?? [...fields.entries()].find(([name]) => path.startsWith(`${name}.`))?.[1];
      if (!match) {
        formErrors.hidden = false;
        formErrors.append(h('li', {}, path ? `${path}: ${issue.message}` : issue.message));
        continue;
      }
      match.error.hidden = false;
      match.error.textContent = match.error.textContent ? `${match.error.textContent}; ${issue.message}` : issue.message;
      match.control.setAttribute('aria-invalid', 'true');
      first ??= match.control;
    }
    (first ?? formErrors).focus?.();
  }

  if (!readOnly && fields.size > 0) {
    form.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save options')));
  }
  form.addEventListener('submit', event => {
    event.preventDefault();
    clearIssues();
    void onSubmit(collect());
  });
  formErrors.tabIndex = -1;
  return { form, showIssues, clearIssues };
}
