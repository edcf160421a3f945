/**
 * The record of a room, for the secretariat and moderators: every event read page by page from
 * `GET /api/rooms/{id}/events`, the hash chain verified in the browser, and the transcript and
 * the raw record offered as downloads.
 */

import { recordPage } from '../api.js';
import { verifyChain } from '../chain.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime, t, tOr } from '../i18n.js';
import { download, transcriptMarkdown } from '../transcript.js';

const PAGE = 500;

/**
 * Renders the record view.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} roomId
 * @returns {() => void} cleanup
 */
export function renderRecord(app, main, roomId) {
  app.setTitle(t('record.title', { title: roomId }));
  const heading = h('h1', {}, t('record.title', { title: roomId }));
  const status = h('p', { class: 'status', role: 'status' }, t('common.loading'));
  const verdict = h('p', { id: 'verdict', class: 'verdict', dataset: { result: 'pending' } }, t('record.verifying'));
  const tbody = h('tbody');
  const buttons = h('p', { class: 'actions' });
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') },
      h('a', { href: '#/rooms' }, t('rooms.title')), ' · ',
      h('a', { href: `#/rooms/${encodeURIComponent(roomId)}` }, t('record.backToRoom'))),
    heading,
    status,
    h('section', { class: 'card', 'aria-labelledby': 'chain-heading' },
      h('h2', { id: 'chain-heading' }, t('record.chain')), verdict, buttons),
    h('div', { class: 'card' },
      h('h2', { id: 'events-heading' }, t('record.events')),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'events-heading' },
        h('table', { class: 'events' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('record.seq')),
            h('th', { scope: 'col' }, t('record.time')),
            h('th', { scope: 'col' }, t('record.actor')),
            h('th', { scope: 'col' }, t('record.event')),
            h('th', { scope: 'col' }, t('record.details')))),
          tbody))));
  let alive = true;

  (async () => {
    const entries = [];
    let after = 0;
    try {
      for (;;) {
        const page = await recordPage(app.token, roomId, after, PAGE);
        if (!alive) return;
        entries.push(...page.events);
        for (const entry of page.events) tbody.appendChild(row(entry));
        status.textContent = t('record.loaded', { count: entries.length, head: page.head });
        if (!page.events.length || entries[entries.length - 1].seq >= page.head) break;
        after = entries[entries.length - 1].seq;
      }
    } catch (error) {
      if (alive) status.textContent = tOr(`error.${error.code}`, t('common.failed', { message: error.message }));
      verdict.textContent = '';
      return;
    }
    const created = entries.find((e) => e.body.type === 'room_created');
    if (created) {
      heading.textContent = t('record.title', { title: created.body.title });
      app.setTitle(heading.textContent);
    }
    const result = await verifyChain(entries);
    if (!alive) return;
    verdict.dataset.result = result.intact ? 'intact' : 'broken';
    verdict.textContent = result.intact
      ? t('record.intact', { count: result.checked })
      : t('record.broken', { seq: result.brokenAt });
    replaceChildren(buttons,
      h('button', { type: 'button', class: 'primary', onclick: () => {
        download(`${roomId}-transcript.md`, transcriptMarkdown({ room: roomId, entries, verification: result, t }));
      } }, t('record.downloadTranscript')),
      h('button', { type: 'button', onclick: () => {
        download(`${roomId}-record.json`, JSON.stringify({ room: roomId, events: entries }, null, 1), 'application/json');
      } }, t('record.downloadRecord')));
  })();
  return () => { alive = false; };
}

function row(entry) {
  return h('tr', { dataset: { seq: String(entry.seq) } },
    h('td', {}, String(entry.seq)),
    h('td', {}, formatTime(entry.ts)),
    h('td', {}, entry.actor || t('record.server')),
    h('td', {}, h('code', {}, entry.body.type)),
    h('td', { dir: 'auto' }, details(entry.body)));
}

function details(body) {
  switch (body.type) {
    case 'room_created': return body.title;
    case 'member_joined': return `${body.member.name}${body.member.org ? ` (${body.member.org})` : ''}`;
    case 'member_left': return `${body.user}: ${body.reason}`;
    case 'statement_posted': return `[${body.lang}]${body.parent ? ` ↳ #${body.parent}` : ''} ${body.text}`;
    case 'statement_hidden': return `#${body.statement}: ${body.reason}`;
    case 'agenda_item_added': return body.title;
    case 'agenda_reordered': return body.items.map((id) => `#${id}`).join(', ');
    case 'floor_requested': return `${body.kind}${body.on_behalf_of ? ` → ${body.on_behalf_of}` : ''}`;
    case 'request_withdrawn': return `#${body.request}`;
    case 'floor_granted': return `#${body.request} → ${body.speaker.name}${body.out_of_order ? `: ${body.out_of_order}` : ''}`;
    case 'request_removed': return `#${body.request}: ${body.reason}`;
    case 'time_budget_set': return `#${body.item} ${body.constituency}: ${body.budget_ms === undefined ? '—' : `${Math.round(body.budget_ms / 1000)} s`}`;
    default: return '';
  }
}
