/**
 * The secretariat's mail desk (`#/mail`): how many take part by e-mail, per consultation, the
 * delivery state of every outbound message, what became of every inbound one (with the text
 * stripped from it), and "Send the digests now". Read from `/api/mail/outbox` and
 * `/api/mail/inbox`; digests through `POST /api/mail/digests`.
 */

import { announce } from '../announce.js';
import { ApiError, getJson } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime, t, tOr } from '../i18n.js';

/**
 * Asks the node to queue the digests due now.
 * @param {string} token
 * @returns {Promise<{queued: number}>}
 */
async function runDigests(token) {
  const response = await fetch('/api/mail/digests', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: '{}',
  }).catch((error) => { throw new ApiError(0, 'network', String(error.message || error)); });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.error?.code || 'internal', body?.error?.message || response.statusText);
  return body;
}

/**
 * A table with a caption, a header row and one row per item.
 * @param {string} caption
 * @param {string[]} headings
 * @param {Array<Array<string|Node>>} rows
 */
function table(caption, headings, rows) {
  return h('table', { class: 'stats mail-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headings.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell)))))));
}

/**
 * Renders the mail desk.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderMailDesk(app, main) {
  app.setTitle(t('desk.title'));
  let alive = true;
  const status = h('p', { class: 'status', role: 'status' }, t('common.loading'));
  const figures = h('section', { 'aria-labelledby': 'desk-figures' });
  const outbox = h('section', { 'aria-labelledby': 'desk-outbox' });
  const inbox = h('section', { 'aria-labelledby': 'desk-inbox' });
  const digestStatus = h('span', { class: 'help', role: 'status' });
  const digests = h('button', { type: 'button', id: 'desk-digests', onclick: send }, t('desk.digestsNow'));
  const refresh = h('button', { type: 'button', onclick: () => load() }, t('rooms.refresh'));
  replaceChildren(main,
    h('div', { class: 'title-row' }, h('h1', {}, t('desk.title')), refresh),
    h('p', { class: 'help' }, t('desk.intro')),
    h('p', { class: 'actions' }, digests, ' ', digestStatus),
    status, figures, outbox, inbox);

  async function send() {
    digests.disabled = true;
    try {
      const { queued } = await runDigests(app.token);
      digestStatus.textContent = t('desk.digestsQueued', { count: queued });
      load();
    } catch (error) {
      digestStatus.textContent = t('common.failed', { message: error.message });
    } finally {
      digests.disabled = false;
      announce(digestStatus.textContent);
    }
  }

  async function load() {
    status.textContent = t('common.loading');
    try {
      const [out, into] = await Promise.all([getJson(app.token, '/api/mail/outbox'), getJson(app.token, '/api/mail/inbox')]);
      if (!alive) return;
      status.textContent = '';
      show(out, into);
    } catch (error) {
      if (!alive) return;
      status.textContent = error instanceof ApiError && error.code === 'unavailable' ? t('desk.off') : t('common.failed', { message: error.message });
    }
  }

  function show(out, into) {
    const f = out.figures;
    replaceChildren(figures,
      h('h2', { id: 'desk-figures' }, t('desk.figures')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('desk.recipients')), h('dd', { id: 'desk-recipients' }, String(f.recipients)),
        h('dt', {}, t('desk.mailed')), h('dd', { id: 'desk-mailed' }, String(f.mailed_statements)),
        h('dt', {}, t('desk.delivery')), h('dd', {}, ['sent', 'queued', 'failed', 'bounced', 'unknown']
          .map((state) => `${t(`desk.state.${state}`)}: ${f[state]}`).join(' · ')),
        h('dt', {}, t('desk.refused')), h('dd', {}, String(f.refused))),
      f.consultations.length
        ? table(t('desk.perConsultation'), [t('desk.consultation'), t('desk.recipients'), t('desk.mailed')],
          f.consultations.map((c) => [h('a', { href: `#/rooms/${encodeURIComponent(c.room)}` }, c.room), String(c.recipients), String(c.mailed_statements)]))
        : null);
    replaceChildren(outbox,
      h('h2', { id: 'desk-outbox' }, t('desk.outbox')),
      out.messages.length
        ? table(t('desk.outboxCaption'), [t('desk.to'), t('desk.subject'), t('desk.stateHeading'), t('desk.attempts'), t('desk.queuedAt')],
          out.messages.map((m) => [h('bdi', {}, m.to), h('bdi', {}, m.subject),
            h('span', { class: `badge state-${m.state}` }, t(`desk.state.${m.state}`), m.error ? ` — ${m.error}` : ''),
            String(m.attempts), formatTime(m.queued_at)]))
        : h('p', { class: 'help' }, t('desk.outboxEmpty')));
    replaceChildren(inbox,
      h('h2', { id: 'desk-inbox' }, t('desk.inbox')),
      into.messages.length
        ? table(t('desk.inboxCaption'), [t('desk.receivedAt'), t('desk.outcome'), t('desk.consultation'), t('desk.stripped')],
          into.messages.map((m) => [formatTime(m.received_at),
            h('span', {}, tOr(`desk.outcome.${m.outcome}`, m.outcome), m.reason ? ` — ${m.reason}` : ''),
            m.room ? h('a', { href: `#/rooms/${encodeURIComponent(m.room)}` }, m.statement ? `${m.room} #${m.statement}` : m.room) : '—',
            m.stripped ? h('details', {}, h('summary', {}, t('desk.show')), h('pre', { dir: 'auto' }, m.stripped)) : '—']))
        : h('p', { class: 'help' }, t('desk.inboxEmpty')));
  }

  load();
  return () => { alive = false; };
}
