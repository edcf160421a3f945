/**
 * A page for an address the client does not know (a mistyped or outdated link): it says so
 * instead of showing another page as if it were the one asked for.
 */

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';

/**
 * Renders "page not found" for `path`.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} path the unknown address (after `#`)
 */
export function renderNotFound(app, main, path) {
  app.setTitle(t('notFound.title'));
  replaceChildren(main,
    h('h1', { id: 'not-found-heading' }, t('notFound.title')),
    h('section', { class: 'card notice', id: 'not-found' },
      h('p', {}, t('notFound.text'), ' ', h('code', { dir: 'ltr' }, `#${path}`)),
      h('p', { class: 'actions' },
        h('a', { class: 'button primary', href: app.token ? '#/rooms' : '#/signin' }, t(app.token ? 'rooms.title' : 'signin.title')),
        h('a', { class: 'button', href: '#/accredited' }, t('reg.public.title')))));
}
