/**
 * The room list (`GET /api/rooms`): kind, scope, languages, who is present and a consultation's phase.
 */

import { listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, languageName, t, tOr } from '../i18n.js';
import { scopeText } from './labels.js';
import { roomFilters } from './room-filters.js';

/**
 * Renders the room list.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderRooms(app, main) {
  app.setTitle(t('rooms.title'));
  const status = h('p', { class: 'status', role: 'status' }, t('common.loading'));
  const list = h('ul', { class: 'rooms', 'aria-labelledby': 'rooms-heading' });
  const refresh = h('button', { type: 'button', onclick: () => load() }, t('rooms.refresh'));
  let all = [];
  const filters = roomFilters(() => show());
  const newRoom = app.claims?.role === 'secretariat' ? h('a', { href: '#/rooms/new', class: 'button primary', id: 'new-room' }, t('ws.room.new')) : null;
  replaceChildren(main,
    h('div', { class: 'title-row' }, h('h1', { id: 'rooms-heading' }, t('rooms.title')), newRoom, refresh),
    filters.element,
    status,
    list);
  let alive = true;

  function show() {
    const rooms = filters.apply(all);
    status.textContent = !all.length ? t('rooms.none')
      : rooms.length === all.length ? t('rooms.count', { count: all.length })
        : t('ws.filter.shown', { shown: rooms.length, count: all.length });
    replaceChildren(list, ...rooms.map((room) => roomCard(app, room)));
  }

  async function load() {
    status.textContent = t('common.loading');
    try {
      const rooms = await listRooms(app.token);
      if (!alive) return;
      all = rooms;
      show();
    } catch (error) {
      if (alive) status.textContent = t('common.failed', { message: error.message });
    }
  }
  load();
  return () => { alive = false; };
}

/**
 * Who is present, by name, after the count (the server lists the first 50).
 * @param {{present: number, present_names?: string[]}} room
 */
function presentNames(room) {
  const names = room.present_names || [];
  if (!names.length) return null;
  const more = room.present > names.length ? ' …' : '';
  return h('span', { class: 'present-names' }, ' (', h('bdi', {}, names.join(', ')), `${more})`);
}

function roomCard(app, room) {
  const href = `#/rooms/${encodeURIComponent(room.id)}`;
  return h('li', { class: 'card room', dataset: { room: room.id } },
    h('h2', {}, h('a', { href }, room.title)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('room.kind')), h('dd', {}, h('span', { class: `badge kind-${room.kind}` }, t(`kind.${room.kind}`)),
        room.constituency ? [' · ', tOr(`constituency.${room.constituency}`, room.constituency)] : null,
        room.archived_at ? [' ', h('span', { class: 'badge archived' }, t('rooms.archived'))] : null),
      h('dt', {}, t('room.scope')), h('dd', {}, scopeText(room.scope)),
      h('dt', {}, t('room.languages')), h('dd', {}, formatList(room.languages.map((l) => languageName(l)))),
      h('dt', {}, t('room.present')), h('dd', {},
        h('span', { class: 'present-count' }, String(room.present)),
        presentNames(room)),
      room.phase ? h('dt', {}, t('room.phase')) : null,
      room.phase ? h('dd', { class: 'phase' }, t(`cons.phase.${room.phase}`)) : null),
    h('p', { class: 'actions' },
      h('a', { href, class: 'button primary', 'aria-label': t('rooms.openNamed', { title: room.title }) }, t('rooms.open')),
      app.moderating
        ? h('a', { href: `${href}/record`, class: 'button', 'aria-label': t('rooms.recordNamed', { title: room.title }) }, t('rooms.record'))
        : null));
}
