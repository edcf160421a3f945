/**
 * Under a room's title: its description or background paper, shown to everyone in the room,
 * and for the secretariat an "Edit room" button that opens the room form in place (the room
 * stays joined while it is edited).
 */

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';

/**
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, update: () => void}}
 */
export function roomHeader(app, store) {
  const description = h('section', { id: 'room-description', class: 'card description', 'aria-labelledby': 'description-heading', hidden: true });
  const tools = h('p', { class: 'actions room-tools' });
  const formSlot = h('div');
  const element = h('div', { class: 'room-header' }, description, tools, formSlot);
  let shown = null;
  let editButton = null;

  function closeForm() {
    replaceChildren(formSlot);
    editButton?.setAttribute('aria-expanded', 'false');
    editButton?.focus();
  }

  async function openForm() {
    if (formSlot.firstChild) return;
    // Loaded on first use: most readers never edit a room.
    const { roomForm } = await import('./room-form.js');
    if (formSlot.firstChild) return;
    const form = roomForm(app, store, closeForm, closeForm);
    replaceChildren(formSlot, form);
    editButton.setAttribute('aria-expanded', 'true');
    form.querySelector('input, textarea')?.focus();
  }

  function update() {
    const text = store.info?.description || '';
    if (text !== shown) {
      shown = text;
      description.hidden = !text;
      replaceChildren(description,
        h('h2', { id: 'description-heading' }, t('ws.room.background')),
        text.split(/\n{2,}/).map((para) => h('p', { dir: 'auto', lang: store.info.languages[0] }, para)));
    }
    if (app.claims?.role === 'secretariat' && !editButton) {
      editButton = h('button', { type: 'button', id: 'edit-room', 'aria-expanded': 'false', 'aria-controls': 'edit-room-form', onclick: openForm }, t('ws.room.edit'));
      replaceChildren(tools, editButton);
    }
  }

  return { element, update };
}
