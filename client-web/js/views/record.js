/**
 * The record of a room, for the secretariat and moderators: every event read page by page from
 * `GET /api/rooms/{id}/events` (each named in the interface language, its actor by display
 * name), the hash chain verified in the browser, the server's exports in every format and
 * language (and the archive bundle of an archived room), and the raw record as a download.
 */

import { recordPage, saveBlob } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, formatTime, languageName, loadStrings, t, tOr } from '../i18n.js';
import { exportControl } from './export-control.js';

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
  const exports = exportControl(app, roomId);
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') },
      h('a', { href: '#/rooms' }, t('rooms.title')), ' · ',
      h('a', { href: `#/rooms/${encodeURIComponent(roomId)}` }, t('record.backToRoom'))),
    heading,
    status,
    h('section', { class: 'card', 'aria-labelledby': 'chain-heading' },
      h('h2', { id: 'chain-heading' }, t('record.chain')), verdict, buttons),
    exports.element,
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
    /** @type {Map<string, string>} display names by user id, as the record gives them */
    const names = new Map();
    let after = 0;
    try {
      // The names of the minutes' and the caucuses' events.
      await Promise.all([loadStrings('minutes'), loadStrings('caucus')]);
      for (;;) {
        const page = await recordPage(app.token, roomId, after, PAGE);
        if (!alive) return;
        entries.push(...page.events);
        for (const entry of page.events) learnNames(names, entry.body);
        for (const entry of page.events) tbody.appendChild(row(entry, names));
        const last = entries.length ? entries[entries.length - 1].seq : 0;
        // The head was read before the page: events appended meanwhile make the page longer.
        status.textContent = t('record.loaded', { count: entries.length, head: Math.max(page.head, last) });
        if (!page.events.length || last >= page.head) break;
        after = last;
      }
    } catch (error) {
      if (alive) status.textContent = tOr(`error.${error.code}`, t('common.failed', { message: error.message }));
      verdict.textContent = '';
      return;
    }
    // Someone named later (a creator who joined after creating) gets their name everywhere.
    replaceChildren(tbody, entries.map((entry) => row(entry, names)));
    let info = null;
    for (const e of entries) {
      if (e.body.type === 'room_created') info = { languages: e.body.languages, title: e.body.title };
      if (e.body.type === 'room_updated' && info) Object.assign(info, { languages: e.body.languages, title: e.body.title });
      if (e.body.type === 'room_archived' && info) info.archived_at = e.ts;
    }
    if (info) {
      heading.textContent = t('record.title', { title: info.title });
      app.setTitle(heading.textContent);
      exports.update(info);
    }
    // The checker loads with the record, not with the first page of the site.
    const { verifyChain } = await import('../chain.js');
    const result = await verifyChain(entries);
    if (!alive) return;
    verdict.dataset.result = result.intact ? 'intact' : 'broken';
    verdict.textContent = result.intact
      ? t('record.intact', { count: result.checked })
      : t('record.broken', { seq: result.brokenAt });
    replaceChildren(buttons,
      h('button', { type: 'button', onclick: () => {
        saveBlob(new Blob([JSON.stringify({ room: roomId, events: entries }, null, 1)], { type: 'application/json' }), `${roomId}-record.json`);
      } }, t('record.downloadRecord')));
  })();
  return () => { alive = false; };
}

/**
 * Remembers the display names an event gives.
 * @param {Map<string, string>} names
 * @param {object} body
 */
function learnNames(names, body) {
  for (const profile of [body.member, body.speaker, body.request?.profile]) {
    if (profile?.user && profile.name) names.set(profile.user, profile.name);
  }
}

function row(entry, names) {
  const name = (user) => names.get(user) || user;
  return h('tr', { dataset: { seq: String(entry.seq) } },
    h('td', {}, String(entry.seq)),
    h('td', {}, formatTime(entry.ts)),
    h('td', { dir: 'auto' }, entry.actor ? h('bdi', { title: entry.actor }, name(entry.actor)) : t('record.server')),
    h('td', { dataset: { type: entry.body.type } }, tOr(`event.${entry.body.type}`, entry.body.type)),
    h('td', { dir: 'auto' }, details(entry.body, name)));
}

/**
 * What an event says, in a few words.
 * @param {object} body
 * @param {(user: string) => string} name
 * @returns {string}
 */
function details(body, name) {
  const excerpt = (text) => (text && text.length > 140 ? `${text.slice(0, 140)}…` : text || '');
  // A committed text no longer stored was withdrawn by a redaction; its commitment stays.
  const committed = (b) => (!b.text && b.text_commitment ? t('record.textWithdrawn') : excerpt(b.text));
  switch (body.type) {
    case 'room_created':
    case 'room_updated': return `${body.title} (${formatList((body.languages || []).map(languageName))})`;
    case 'member_joined': return `${body.member.name}${body.member.org ? ` (${body.member.org})` : ''}`;
    case 'member_left': return name(body.user);
    case 'partner_named':
    case 'partner_removed': return `${body.org}: ${body.reason}`;
    case 'election_opened': return `${formatList(body.candidates || [])} (${body.seats})`;
    case 'vote_cast': return `${body.org}: ${formatList(body.choices || [])}`;
    case 'election_closed': return formatList(body.result?.elected || []) || '—';
    case 'joint_statement_drafted':
    case 'joint_statement_edited': return excerpt(body.text);
    case 'joint_statement_endorsed': return `#${body.statement} v${body.version}: ${body.org}`;
    case 'joint_statement_adopted': return `#${body.statement} v${body.version}`;
    case 'joint_statement_delivered': return `#${body.statement} → ${body.parent}: ${body.delivery?.status || ''}`;
    case 'statement_posted': return `[${languageName(body.lang)}]${body.parent ? ` ↳ #${body.parent}` : ''} ${committed(body)}`;
    case 'statement_edited': return `#${body.statement}: ${committed(body)}`;
    case 'statement_hidden':
    case 'statement_redacted':
    case 'statement_rejected':
    case 'statement_reported': return `#${body.statement}: ${body.reason}`;
    case 'statement_approved':
    case 'statement_restored': return `#${body.statement}`;
    case 'question_added': return excerpt(body.text);
    case 'question_edited': return `#${body.question}: ${excerpt(body.text)}`;
    case 'question_withdrawn': return `#${body.question}`;
    case 'phase_changed': return t('record.ofPhase', { phase: tOr(`cons.phase.${body.phase}`, body.phase).replace(/[.。]$/, '') })
      + (body.deadline ? ` — ${t('record.deadlinePassed', { name: name(body.deadline.set_by) })}` : '');
    case 'phase_deadline_set': return formatTime(body.at);
    case 'synthesis_drafted': return excerpt(body.text);
    case 'agenda_item_added': return excerpt(body.title);
    case 'agenda_reordered': return body.items.map((id) => `#${id}`).join(', ');
    case 'floor_requested': return `${tOr(`rt.kind.${body.kind}`, body.kind)}${body.on_behalf_of ? ` → ${name(body.on_behalf_of)}` : ''}`;
    case 'request_withdrawn': return `#${body.request}`;
    case 'request_removed': return `#${body.request}: ${body.reason}`;
    case 'time_budget_set': return `#${body.item} ${tOr(`constituency.${body.constituency}`, body.constituency)}: ${body.budget_ms === undefined ? '—' : `${Math.round(body.budget_ms / 1000)} s`}`;
    case 'floor_granted': return `${body.speaker ? name(body.speaker.user) : ''}${body.out_of_order ? `: ${body.out_of_order}` : ''}`;
    case 'point_of_order_ruled': return excerpt(body.ruling);
    case 'participant_muted':
    case 'participant_expelled': return `${name(body.user)}: ${body.reason || ''}`;
    case 'participant_unmuted':
    case 'participant_readmitted': return name(body.user);
    case 'rapporteur_appointed':
    case 'rapporteur_dismissed': return name(body.user);
    case 'minutes_drafted':
    case 'minutes_approved': return excerpt(body.text);
    case 'minutes_circulated': return formatTime(body.deadline);
    case 'minutes_correction_proposed': return `#${body.statement}: ${excerpt(body.replacement)}`;
    case 'minutes_correction_accepted':
    case 'minutes_correction_declined': return `#${body.correction}: ${body.reason}`;
    default: return '';
  }
}
