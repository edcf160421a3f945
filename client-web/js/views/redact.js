/**
 * The secretariat's redaction of a statement on a lawful request (loaded when first opened):
 * a reason, a plain warning that the text is removed for good, and the `redact_statement`
 * command. Readers then see "[redacted: reason]" in place of the text.
 */

import { announce } from '../announce.js';
import { h } from '../dom.js';
import { loadStrings, t, tOr } from '../i18n.js';

/**
 * Opens the form under a statement's article (once).
 * @param {{conn: {command: Function}}} app
 * @param {string} roomId
 * @param {{id: number}} statement
 * @param {HTMLElement} article where the form goes
 */
export async function openRedactForm(app, roomId, statement, article) {
  await loadStrings('redact');
  if (article.querySelector('form.redact')) return;
  const id = `redact-reason-${statement.id}`;
  const reason = h('input', { id, type: 'text', required: true, maxlength: 500, autocomplete: 'off', 'aria-describedby': `${id}-help` });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'redact' },
    h('label', { for: id }, t('redact.reason')), reason,
    h('p', { class: 'help', id: `${id}-help` }, t('redact.help')), error,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'small danger' }, t('redact.confirm')),
      h('button', { type: 'button', class: 'small', onclick: () => form.remove() }, t('common.cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = reason.value.trim();
    if (!text) {
      error.textContent = t('statement.reasonRequired');
      reason.focus();
      return;
    }
    try {
      await app.conn.command(roomId, { type: 'redact_statement', statement: statement.id, reason: text });
      announce(t('redact.done', { id: statement.id }));
      form.remove();
    } catch (err) {
      error.textContent = tOr(`error.${err.code}`, err.message);
    }
  });
  article.appendChild(form);
  reason.focus();
}
