/**
 * Why a room of an accredited-only forum refuses someone, in words (loaded by room-refusal.js
 * only when a room refuses a join): not accredited, or not named for the forum.
 */

import { loadStrings, t } from '../i18n.js';
import { registryView } from '../registry-api.js';
/**
 * Why a room of an accredited-only forum refuses this person, from what the registry shows
 * them (loaded only when such a refusal happens); null when the room is in no such forum.
 * @param {import('../main.js').App} app
 * @param {string} roomId
 * @returns {Promise<{reason: string, help: string}|null>}
 */
export async function accreditedOnly(app, roomId) {
  try {
    await loadStrings('reg');
    const view = await registryView(app.token);
    const forum = view.forums.find((f) => f.accredited_only && (f.rooms || []).includes(roomId));
    if (!forum) return null;
    const me = view.me;
    const help = t('reg.refusal.help');
    // A focal point sees its organisation's applications; a representative named for the
    // forum and still refused is one whose organisation lost its accreditation.
    const accredited = me?.role === 'focal_point'
      ? view.applications.some((a) => a.forum === forum.id && a.status === 'approved')
      : !(me?.role === 'representative' && me.forum === forum.id);
    if (me && !accredited) return { reason: t('reg.refusal.notAccredited', { forum: forum.title }), help };
    if (me) return { reason: t('reg.refusal.notRepresentative', { forum: forum.title }), help };
    return { reason: t('reg.refusal.accreditedOnly', { forum: forum.title }), help };
  } catch {
    return null;
  }
}
