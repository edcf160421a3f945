/**
 * Places for the features that need protocols this server does not speak yet. Each panel says
 * so plainly; none shows made-up data. The roundtable module (agenda, speaking list, floor,
 * timers, statistics) and the consultation module (phases, questions, synthesis) replace these.
 */

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * The panel for a room kind's own features, or null for kinds that have none.
 * @param {string} kind `roundtable`, `consultation` or `caucus`
 * @returns {HTMLElement|null}
 */
export function kindPanel(kind) {
  if (kind === 'roundtable') return notYet('roundtable-panel', t('panel.roundtable.title'), t('panel.roundtable.body'));
  if (kind === 'consultation') return notYet('consultation-panel', t('panel.consultation.title'), t('panel.consultation.body'));
  return null;
}

function notYet(id, title, body) {
  return h('section', { id, class: 'card not-yet', 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, title),
    h('p', {}, body),
    h('p', { class: 'help' }, t('panel.notAvailable')));
}
