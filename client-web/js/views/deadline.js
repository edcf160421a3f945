/**
 * A consultation's scheduled close. The secretariat's control in the set-up: a date and time
 * in the reader's own time zone, shown back in words (`Intl.DateTimeFormat`), a confirmation
 * that says what will happen, and change or cancel until it passes. Every reader's line in the
 * consultation: "Submissions close on …" with how far off that is (`Intl.RelativeTimeFormat`).
 * The server's timer closes the phase; this module only sends `set_phase_deadline` and
 * `clear_phase_deadline` and shows the view's `deadline`. Loaded on demand with its strings
 * (`deadline-<lang>.js`), so the first load does not grow.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { language, loadStrings, t } from '../i18n.js';

/** Loads this module's strings; call before rendering. */
export function ready() {
  return loadStrings('deadline');
}

/**
 * `at` in words, in the reader's time zone and language, with the zone named.
 * @param {number} at ms since the Unix epoch
 * @returns {string}
 */
export function formatWhen(at) {
  const date = new Date(at);
  const zone = new Intl.DateTimeFormat(language(), { timeZoneName: 'short' }).formatToParts(date)
    .find((p) => p.type === 'timeZoneName')?.value;
  // The zone follows the time plainly: the sentences put the relative time in brackets.
  const when = new Intl.DateTimeFormat(language(), { dateStyle: 'full', timeStyle: 'short' }).format(date);
  return zone ? `${when} ${zone}` : when;
}

/**
 * How far `at` is from `now`: "in 3 days", "in 5 hours", "in 2 minutes".
 * @param {number} at
 * @param {number} [now]
 * @returns {string}
 */
export function relative(at, now = Date.now()) {
  const format = new Intl.RelativeTimeFormat(language(), { numeric: 'auto' });
  const minutes = Math.round((at - now) / 60_000);
  if (Math.abs(minutes) >= 1440) return format.format(Math.round(minutes / 1440), 'day');
  if (Math.abs(minutes) >= 60) return format.format(Math.round(minutes / 60), 'hour');
  return format.format(minutes, 'minute');
}

/** `at` as the value of an `<input type="datetime-local">` (local time). */
function localValue(at) {
  const d = new Date(at);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The line every reader sees while a close is scheduled, or null.
 * @param {object} cons the consultation part of the view
 * @returns {HTMLElement|null}
 */
export function deadlineNote(cons) {
  const d = cons.deadline;
  if (!d || d.phase !== 'open' || !['draft', 'open'].includes(cons.phase)) return null;
  return h('p', { id: 'deadline-note', class: 'deadline-note', dataset: { at: String(d.at) } },
    t('dl.closes', { when: formatWhen(d.at), relative: relative(d.at) }));
}

/**
 * The secretariat's control. `send` sends a command and answers the ack or null (it reports a
 * refusal in `status`).
 * @param {(command: object) => Promise<object|null>} send
 * @param {HTMLElement} status
 * @returns {{render: (cons: object) => HTMLElement}}
 */
export function deadlineSetup(send, status) {
  const input = h('input', { id: 'deadline-at', type: 'datetime-local', dataset: { focus: 'deadline-at' } });
  /** @type {number|null} the time awaiting confirmation */
  let confirming = null;
  let section = h('section');

  /** Renders again in place (the section on the page is replaced by a fresh one). */
  function rerender(cons) {
    const shown = section;
    shown.replaceWith(render(cons));
  }

  function render(cons) {
    const d = cons.deadline && cons.deadline.phase === 'open' ? cons.deadline : null;
    const current = d
      ? h('p', { id: 'deadline-current' }, t('dl.current', { when: formatWhen(d.at), relative: relative(d.at) }))
      : h('p', { id: 'deadline-current', class: 'help' }, t('dl.none'));
    const form = h('form', { class: 'row', id: 'deadline-form' },
      h('label', { for: 'deadline-at' }, t('dl.label')), input,
      h('button', { type: 'submit', dataset: { focus: 'deadline-set' } }, d ? t('dl.change') : t('dl.set')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const at = input.value ? new Date(input.value).getTime() : NaN;
      if (!Number.isFinite(at)) { status.textContent = t('dl.required'); input.focus(); return; }
      if (at <= Date.now()) { status.textContent = t('dl.past'); input.focus(); return; }
      status.textContent = '';
      confirming = at;
      rerender(cons);
      section.querySelector('[data-focus="deadline-confirm"]')?.focus();
    });
    let confirm = null;
    if (confirming !== null) {
      const at = confirming;
      confirm = h('div', { class: 'confirm', role: 'group', id: 'deadline-confirm', 'aria-labelledby': 'deadline-confirm-text' },
        h('p', { id: 'deadline-confirm-text' }, t(cons.phase === 'draft' ? 'dl.whatDraft' : 'dl.what', { when: formatWhen(at) })),
        h('p', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', dataset: { focus: 'deadline-confirm' }, onclick: async () => {
            confirming = null;
            if (await send({ type: 'set_phase_deadline', phase: 'open', at })) announce(t('dl.done', { when: formatWhen(at) }));
          } }, t('dl.confirm')),
          h('button', { type: 'button', dataset: { focus: 'deadline-back' }, onclick: () => { confirming = null; rerender(cons); input.focus(); } }, t('dl.back'))));
    }
    const clear = d ? h('button', { type: 'button', class: 'danger', dataset: { focus: 'deadline-clear' }, onclick: async () => {
      if (await send({ type: 'clear_phase_deadline', phase: 'open' })) announce(t('dl.cleared'));
    } }, t('dl.clear')) : null;
    if (d && !input.value) input.value = localValue(d.at);
    const fresh = h('section', { class: 'setup-part', id: 'deadline-setup', 'aria-labelledby': 'setup-deadline-heading' },
      h('h4', { id: 'setup-deadline-heading' }, t('dl.heading')), current,
      h('p', { class: 'help' }, t('dl.help')), form, confirm, clear ? h('p', { class: 'actions' }, clear) : null);
    section = fresh;
    return fresh;
  }

  return { render };
}

/** Fills `target` with the readers' line for `cons` (empty without a scheduled close). */
export function showNote(target, cons) {
  replaceChildren(target, deadlineNote(cons));
}
