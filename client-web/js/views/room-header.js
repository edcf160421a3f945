/**
 * Under a room's title: its description or background paper, shown to everyone in the room;
 * for the secretariat an "Edit room" button that opens the room form in place (the room stays
 * joined while it is edited) and an "Archive room" button that asks for confirmation before
 * closing the room's record for good; once archived, a notice saying so.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime, t, tOr } from '../i18n.js';

/**
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, update: () => void}}
 */
export function roomHeader(app, store) {
  const description = h('section', { id: 'room-description', class: 'card description', 'aria-labelledby': 'description-heading', hidden: true });
  const tools = h('p', { class: 'actions room-tools' });
  const formSlot = h('div');
  const archivedNote = h('p', { class: 'notice archived', id: 'archived-note', role: 'status', hidden: true });
  const confirmSlot = h('div');
  const element = h('div', { class: 'room-header' }, archivedNote, description, tools, formSlot, confirmSlot);
  let shown = null;
  let editButton = null;
  let archiveButton = null;

  function closeConfirm() {
    replaceChildren(confirmSlot);
    archiveButton?.setAttribute('aria-expanded', 'false');
    archiveButton?.focus();
  }

  function openConfirm() {
    if (confirmSlot.firstChild) return;
    const message = h('p', { class: 'status', role: 'status' });
    const yes = h('button', { type: 'button', class: 'danger', id: 'archive-confirm' }, t('archive.confirm'));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await app.conn.command(store.id, { type: 'archive_room' });
        announce(t('archive.done'));
        replaceChildren(confirmSlot);
      } catch (error) {
        yes.disabled = false;
        message.textContent = tOr(`error.${error.code}`, error.message);
      }
    });
    const panel = h('section', { class: 'card confirm', id: 'archive-dialog', role: 'alertdialog', 'aria-labelledby': 'archive-title', 'aria-describedby': 'archive-text' },
      h('h2', { id: 'archive-title' }, t('archive.confirmTitle')),
      h('p', { id: 'archive-text' }, t('archive.confirmText')),
      h('p', { class: 'actions' }, yes, h('button', { type: 'button', onclick: closeConfirm }, t('common.cancel'))),
      message);
    replaceChildren(confirmSlot, panel);
    archiveButton.setAttribute('aria-expanded', 'true');
    yes.focus();
  }

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
    const archivedAt = store.info?.archived_at;
    archivedNote.hidden = !archivedAt;
    if (archivedAt) {
      archivedNote.textContent = t('archive.banner', { time: formatTime(archivedAt) });
      if (editButton || archiveButton) {
        editButton = null;
        archiveButton = null;
        replaceChildren(tools);
        replaceChildren(formSlot);
        replaceChildren(confirmSlot);
      }
    } else if (app.claims?.role === 'secretariat' && !editButton) {
      editButton = h('button', { type: 'button', id: 'edit-room', 'aria-expanded': 'false', 'aria-controls': 'edit-room-form', onclick: openForm }, t('ws.room.edit'));
      archiveButton = h('button', { type: 'button', id: 'archive-room', 'aria-expanded': 'false', 'aria-controls': 'archive-dialog', onclick: openConfirm }, t('archive.button'));
      replaceChildren(tools, editButton, ' ', archiveButton);
    }
  }

  return { element, update };
}
