/**
 * What a person sees when the server refuses them a room: instead of an empty room, a page that
 * says why in plain words: a consultation still being prepared, a caucus of another
 * constituency, or a room they may not enter. The room list (which everyone may read) gives the
 * title, kind and phase; the refusal itself is the server's (`domain::visibility`, and for the
 * rooms of an accredited-only forum `registry::access::may_join`).
 */

import { listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { t, tOr } from '../i18n.js';
import { scopeText } from './labels.js';

/**
 * Replaces the room page with the reason it cannot be entered.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} roomId
 * @param {{code: string, message: string}} refusal the join's error
 */
export async function showRefusal(app, main, roomId, refusal) {
  let room = null;
  try {
    room = (await listRooms(app.token)).find((r) => r.id === roomId) || null;
  } catch {
    // Without the list the page still says what the server said.
  }
  let title = room?.title || roomId;
  let reason;
  let help = null;
  if (refusal.code === 'room_not_found' || (!room && refusal.code !== 'forbidden')) {
    title = t('ws.refusal.noRoom');
    reason = t('error.room_not_found');
  } else if (room?.kind === 'consultation' && room.phase === 'draft') {
    reason = t('ws.refusal.draft');
    help = t('ws.refusal.draftHelp');
  } else if (room?.kind === 'caucus' && room.constituency && app.claims?.constituency !== room.constituency) {
    reason = t('ws.refusal.caucus', { constituency: tOr(`constituency.${room.constituency}`, room.constituency) });
  } else {
    const forum = refusal.code === 'forbidden'
      ? await import('./registry-refusal.js').then((m) => m.accreditedOnly(app, roomId)).catch(() => null)
      : null;
    if (forum) ({ reason, help } = forum);
    else reason = tOr(`error.${refusal.code}`, refusal.message);
  }
  app.setTitle(title);
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') }, h('a', { href: '#/rooms' }, t('rooms.title'))),
    h('h1', { id: 'room-heading', tabindex: '-1' }, title),
    room ? h('p', { class: 'facts-line' }, h('span', { class: `badge kind-${room.kind}` }, t(`kind.${room.kind}`)), ' ', scopeText(room.scope)) : null,
    h('section', { id: 'room-refusal', class: 'card notice', 'aria-labelledby': 'refusal-heading', dataset: { reason: room?.phase === 'draft' ? 'draft' : refusal.code } },
      h('h2', { id: 'refusal-heading' }, reason),
      help ? h('p', {}, help) : null,
      h('p', { class: 'actions' },
        h('a', { class: 'button primary', href: '#/rooms' }, t('ws.refusal.back')),
        h('button', { type: 'button', onclick: () => app.go(`#/rooms/${encodeURIComponent(roomId)}`) }, t('ws.refusal.retry')))));
  main.querySelector('h1').focus({ preventScroll: true });
}

