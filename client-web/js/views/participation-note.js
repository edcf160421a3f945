/**
 * Why a participant cannot submit to a consultation: submissions are made on behalf of an
 * organisation (`domain::consultation::decide::submission`), and a sign-in that names none gets
 * a note saying exactly that instead of a form the server would refuse.
 */

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * The note for a participant without an organisation, or null when they may submit.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @param {number} [question] the question the note stands under
 * @returns {HTMLElement|null}
 */
export function noOrganisationNote(app, store, question) {
  const role = app.claims?.role;
  if (role === 'secretariat' || role === 'moderator') return null;
  const profile = store.members.get(app.claims?.sub)?.profile;
  const org = profile ? profile.org : app.claims?.org;
  if (org) return null;
  return h('p', { class: 'notice no-org', dataset: question === undefined ? null : { question: String(question) } },
    h('strong', {}, t('ws.noOrg.title')), ' ', t('ws.noOrg.body'));
}
