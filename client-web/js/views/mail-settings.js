/**
 * A person's e-mail settings (`#/mail-settings`, the link at the foot of every mail): how often
 * digests come, which questions they list, and the language of the mail. Read and saved through `/api/mail/settings`;
 * only people of the registry (who signed in with their invitation link) have them.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { languageName, t } from '../i18n.js';
import { ApiError, getJson, listRooms, roomView } from '../api.js';

const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const FREQUENCIES = ['daily', 'weekly', 'none'];

/**
 * Saves the settings with `PUT /api/mail/settings`.
 * @param {string} token
 * @param {object} settings
 * @returns {Promise<object>}
 */
async function saveSettings(token, settings) {
  const response = await fetch('/api/mail/settings', {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(settings),
  }).catch((error) => { throw new ApiError(0, 'network', String(error.message || error)); });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.error?.code || 'internal', body?.error?.message || response.statusText);
  return body;
}

/**
 * Renders the settings page.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderMailSettings(app, main) {
  app.setTitle(t('mail.title'));
  let alive = true;
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') }, h('a', { href: '#/rooms' }, t('rooms.title')));
  const heading = h('h1', { id: 'mail-settings-heading' }, t('mail.title'));
  replaceChildren(main, crumbs, heading, h('p', { class: 'help' }, t('mail.intro')));
  getJson(app.token, '/api/mail/settings').then((settings) => {
    if (!alive) return;
    const digest = h('select', { id: 'mail-digest', name: 'digest' },
      ...FREQUENCIES.map((f) => h('option', { value: f, selected: settings.digest === f }, t(`mail.${f}`))));
    const lang = h('select', { id: 'mail-lang', name: 'lang' },
      ...UN_LANGUAGES.map((l) => h('option', { value: l, lang: l, selected: settings.lang === l }, languageName(l))));
    const status = h('p', { role: 'status', class: 'help' });
    const followed = new Set((settings.follows || []).map((f) => `${f.room}#${f.question}`));
    const all = h('input', { type: 'radio', name: 'follow', id: 'mail-follow-all', value: 'all', checked: followed.size === 0 });
    const some = h('input', { type: 'radio', name: 'follow', id: 'mail-follow-some', value: 'some', checked: followed.size > 0 });
    const questions = h('ul', { class: 'plain', id: 'mail-questions' }, h('li', { class: 'help' }, t('common.loading')));
    const follows = h('fieldset', {},
      h('legend', {}, t('mail.follows')),
      h('p', {}, all, ' ', h('label', { for: 'mail-follow-all' }, t('mail.followAll'))),
      h('p', {}, some, ' ', h('label', { for: 'mail-follow-some' }, t('mail.followSome'))),
      questions);
    loadQuestions(app.token, followed).then((items) => {
      if (!alive) return;
      replaceChildren(questions, ...(items.length ? items : [h('li', { class: 'help' }, t('mail.noConsultations'))]));
    });
    questions.addEventListener('change', () => { some.checked = true; });
    const form = h('form', { 'aria-labelledby': 'mail-settings-heading' },
      h('p', {}, h('label', { for: 'mail-digest' }, t('mail.digest')), ' ', digest),
      follows,
      h('p', {}, h('label', { for: 'mail-lang' }, t('mail.lang')), ' ', lang),
      h('p', {}, h('button', { type: 'submit' }, t('mail.save'))),
      status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const chosen = some.checked
          ? [...questions.querySelectorAll('input[type=checkbox]:checked')].map((box) => ({ room: box.dataset.room, question: Number(box.dataset.question) }))
          : [];
        await saveSettings(app.token, { ...settings, digest: digest.value, lang: lang.value, follows: chosen });
        status.textContent = t('mail.saved');
      } catch (error) {
        status.textContent = t('mail.failed', { message: error.message });
      }
      announce(status.textContent);
    });
    main.append(form);
  }).catch((error) => {
    if (!alive) return;
    const text = error instanceof ApiError && error.status === 403 ? t('mail.notRegistry') : t('mail.failed', { message: error.message });
    main.append(h('p', { class: 'help', role: 'status' }, text));
  });
  return () => { alive = false; };
}

/**
 * One checkbox per question of every consultation the person may read, ticked where followed.
 * @param {string} token
 * @param {Set<string>} followed `room#question`
 * @returns {Promise<HTMLElement[]>}
 */
async function loadQuestions(token, followed) {
  const rooms = await listRooms(token).catch(() => []);
  const items = [];
  for (const room of rooms.filter((r) => r.kind === 'consultation')) {
    const view = await roomView(token, room.id).catch(() => null);
    const list = view?.state?.consultation?.questions || [];
    if (!list.length) continue;
    items.push(h('li', {}, h('strong', {}, h('bdi', {}, room.title)),
      h('ul', { class: 'plain' }, ...list.map((q) => {
        const id = `mail-q-${room.id}-${q.id}`;
        return h('li', {},
          h('input', { type: 'checkbox', id, checked: followed.has(`${room.id}#${q.id}`), dataset: { room: room.id, question: String(q.id) } }),
          ' ', h('label', { for: id }, h('bdi', {}, q.text)));
      }))));
  }
  return items;
}
