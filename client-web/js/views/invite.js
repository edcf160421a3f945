/**
 * Opening a personal sign-in link (`<public-url>/#invite=<code>`, the link the registry mails):
 * the code is exchanged once for a session (`POST /api/registry/sign-in`), whose organisation,
 * constituency and country come from the registry, and the person is taken where they act: a
 * representative to the room of their forum (the forum's rooms when it has several), a focal
 * point to their organisation's page. A used, revoked or expired link is refused in plain words.
 */

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { registryView, signInWithCode } from '../registry-api.js';
import { refusalText } from './registry-parts.js';

/**
 * Where a person of the registry starts: their forum's room, else their registry page.
 * @param {object} view the `RegistryView` of their session
 * @returns {string} a route
 */
export function startingPlace(view) {
  const me = view.me;
  if (me?.role === 'representative') {
    const rooms = view.forums.find((f) => f.id === me.forum)?.rooms || [];
    if (rooms.length === 1) return `#/rooms/${encodeURIComponent(rooms[0])}`;
  }
  return '#/registry';
}

/**
 * Signs in with a link's code and shows the outcome.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} code
 */
export async function renderInvite(app, main, code) {
  app.setTitle(t('reg.invite.title'));
  const status = h('p', { class: 'status', role: 'status' }, t('reg.invite.signingIn'));
  replaceChildren(main, h('h1', { id: 'invite-heading' }, t('reg.invite.title')), status);
  let session;
  try {
    session = await signInWithCode(code);
  } catch (error) {
    const reason = {
      token_expired: 'reg.invite.expired',
      token_invalid: 'reg.invite.invalid',
      forbidden: 'reg.invite.revoked',
    }[error.code];
    app.setTitle(t('reg.invite.refused'));
    replaceChildren(main,
      h('h1', { id: 'invite-heading', tabindex: '-1' }, t('reg.invite.refused')),
      h('section', { class: 'card notice', id: 'invite-refused', role: 'alert', dataset: { code: error.code } },
        h('p', {}, reason ? t(reason) : refusalText(error)),
        h('p', { class: 'help' }, t('reg.invite.askAgain'))),
      h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/accredited' }, t('reg.public.title'))));
    main.querySelector('h1').focus({ preventScroll: true });
    return;
  }
  let place = '#/registry';
  try {
    place = startingPlace(await registryView(session.token));
  } catch {
    // The registry page says what went wrong.
  }
  app.signIn(session.token, place);
}
