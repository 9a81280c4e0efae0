// "Restore this state": writes a row back to the state shown (POST api/audit/revert). Redacted fields
// cannot be restored: the page names them and restores the rest only when asked to.
import { api } from './api.js';
import { fill, h, when } from './dom.js';

export function restoreStateButton({ entity, id, at, context, onDone }) {
  const note = h('p', { class: 'result', 'aria-live': 'polite' });
  const send = async (leaveRedacted, button) => {
    button.disabled = true;
    try {
      const answer = await api.post('api/audit/revert', { entity, id, at, ...(leaveRedacted && { leaveRedacted: true }) });
      const left = answer.leftAsIs?.length ? `; left as they are (redacted): ${answer.leftAsIs.join(', ')}` : '';
      fill(note);
      context.say(`${entity} ${id} restored to its state as of ${when(answer.at)}${left}.`);
      await onDone?.();
    } catch (error) {
      if (error.code === 'MOP_CONSOLE_REDACTED' && !leaveRedacted) {
        fill(note, `Redacted in the audit log, so not restorable: ${error.issues.map(i => i.path).join(', ')}. `,
          h('button', { type: 'button', onclick: event => send(true, event.currentTarget) }, 'Restore the other fields'));
      }
      context.fail(error);
    } finally {
      button.disabled = false;
    }
  };
  return h('div', { class: 'restore-state' },
    h('button', { type: 'button', class: 'primary', onclick: event => send(false, event.currentTarget) }, 'Restore this state'), note);
}
