/**
 * Sign-in: paste a token (or open a link with `#token=…`, handled in main.js).
 */

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { claimsOf } from '../session.js';

/**
 * Renders the sign-in form.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 */
export function renderSignin(app, main) {
  app.setTitle(t('signin.title'));
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const input = h('textarea', {
    id: 'token', name: 'token', rows: 4, required: true, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'token-help signin-error',
  });
  const form = h('form', { class: 'card', novalidate: true },
    h('label', { for: 'token' }, t('signin.tokenLabel')),
    input,
    h('p', { id: 'token-help', class: 'help' }, t('signin.help')),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('signin.submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!claimsOf(token)) {
      error.textContent = t('signin.malformed');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    app.signIn(token);
  });
  if (app.signinNotice) error.textContent = app.signinNotice;
  replaceChildren(main,
    h('h1', {}, t('signin.title')),
    h('p', { class: 'lead' }, t('app.tagline')),
    form);
}
