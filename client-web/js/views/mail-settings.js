/**
 * A person's e-mail settings (`#/mail-settings`, the link at the foot of every mail): how often
 * digests come and the language of the mail. Read and saved through `/api/mail/settings`;
 * only people of the registry (who signed in with their invitation link) have them.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { languageName, t } from '../i18n.js';
import { ApiError, getJson } from '../api.js';

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
    const form = h('form', { 'aria-labelledby': 'mail-settings-heading' },
      h('p', {}, h('label', { for: 'mail-digest' }, t('mail.digest')), ' ', digest),
      h('p', {}, h('label', { for: 'mail-lang' }, t('mail.lang')), ' ', lang),
      h('p', {}, h('button', { type: 'submit' }, t('mail.save'))),
      status);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await saveSettings(app.token, { ...settings, digest: digest.value, lang: lang.value });
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
