/**
 * The words and link of a caucus's joint statement in its parent room (loaded on demand, with
 * the caucus strings): whose joint statement it is, the endorsing organisations, and the link
 * back to the caucus and its adoption (seq and hash in the caucus record).
 */

import { h, replaceChildren } from '../dom.js';
import { loadStrings, t } from '../i18n.js';
import { constituencyName } from './stats.js';

/**
 * @param {HTMLElement} mark the place jointMark (labels.js) made
 * @param {{caucus: string, constituency: string, endorsers: Array<string>, adoption_seq: number, adoption_hash: string}} joint
 */
export async function fillJointMark(mark, joint) {
  await loadStrings('caucus');
  mark.dataset.caucus = joint.caucus;
  replaceChildren(mark,
    h('strong', { class: 'badge joint' }, t('caucus.jointOf', { caucus: constituencyName(joint.constituency) })), ' ',
    joint.endorsers.length ? [t('caucus.endorsedBy', { count: joint.endorsers.length, list: joint.endorsers.join(', ') }), ' · '] : null,
    h('a', { href: `#/rooms/${encodeURIComponent(joint.caucus)}`, title: `SHA-256 ${joint.adoption_hash}` },
      t('caucus.recordLink', { room: joint.caucus, seq: joint.adoption_seq })));
}
