/**
 * The room's record as documents: a format and one of the room's languages, downloaded from
 * `GET /api/rooms/{id}/export` with the session's token (fetched, then saved as a file); and,
 * once the room is archived, its archive bundle for those who may read the full record.
 */

import { getFile, saveBlob } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { languageName, t, tOr } from '../i18n.js';

const FORMATS = ['html', 'docx', 'md', 'csv', 'json', 'akn'];
const SIX = ['ar', 'en', 'es', 'fr', 'ru', 'zh'];

/**
 * @param {import('../main.js').App} app
 * @param {string} roomId
 * @returns {{element: HTMLElement, update: (info: {languages: string[], archived_at?: number}|null) => void}}
 */
export function exportControl(app, roomId) {
  const p = 'export';
  const format = h('select', { id: `${p}-format`, name: 'format' },
    FORMATS.map((f) => h('option', { value: f }, t(`export.${f}`))));
  const lang = h('select', { id: `${p}-lang`, name: 'lang' });
  const status = h('p', { class: 'status', role: 'status', id: `${p}-status` });
  const bundleSlot = h('p', { class: 'actions' });
  let busy = false;

  async function fetchAndSave(path, button) {
    if (busy) return;
    busy = true;
    button.disabled = true;
    status.textContent = t('export.working');
    try {
      const { blob, filename } = await getFile(app.token, path);
      saveBlob(blob, filename);
      status.textContent = t('export.done', { file: filename });
    } catch (error) {
      status.textContent = t('export.failed', { message: tOr(`error.${error.code}`, error.message) });
    } finally {
      busy = false;
      button.disabled = false;
    }
  }

  const download = h('button', { type: 'submit', class: 'primary', id: `${p}-download` }, t('export.download'));
  const form = h('form', { class: 'export-form', onsubmit: (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ format: format.value, lang: lang.value });
    fetchAndSave(`/api/rooms/${encodeURIComponent(roomId)}/export?${query}`, download);
  } },
  h('label', { for: format.id }, t('export.format')), format,
  h('label', { for: lang.id }, t('export.language')), lang,
  download);
  const element = h('section', { class: 'card export', 'aria-labelledby': `${p}-heading` },
    h('h2', { id: `${p}-heading` }, t('export.heading')),
    h('p', { class: 'help' }, t('export.help')),
    form, bundleSlot, status);

  let shownLangs = '';
  let shownArchived = null;
  function update(info) {
    if (!info) return;
    const langs = info.languages.filter((l) => SIX.includes(l.split('-')[0]));
    const choices = langs.length ? langs.map((l) => l.split('-')[0]) : SIX;
    if (choices.join() !== shownLangs) {
      shownLangs = choices.join();
      replaceChildren(lang, choices.map((l) => h('option', { value: l }, languageName(l))));
    }
    const archived = info.archived_at ?? null;
    if (archived !== shownArchived) {
      shownArchived = archived;
      if (archived && app.moderating) {
        const button = h('button', { type: 'button', id: 'bundle-download' }, t('archive.bundle'));
        button.addEventListener('click', () => fetchAndSave(`/api/rooms/${encodeURIComponent(roomId)}/bundle`, button));
        replaceChildren(bundleSlot, button);
      } else {
        replaceChildren(bundleSlot);
      }
    }
  }
  return { element, update };
}
