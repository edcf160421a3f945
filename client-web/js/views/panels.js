/**
 * The panel for a room kind's own features: the roundtable panel (roundtable.js), the
 * consultation panel (consultation.js) and, loaded on demand, the caucus panel (caucus.js). A
 * server that sends no such part of the view gets a plain "not available" place instead; none
 * shows made-up data.
 */

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { consultationPanel } from './consultation.js';
import { roundtablePanel } from './roundtable.js';

/**
 * The panel of a room's kind, or null for kinds that have none.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store a store whose `info` is known
 * @returns {{element: HTMLElement, replacesStatements?: boolean, destroy?: () => void}|null}
 */
export function kindPanel(app, store) {
  const kind = store.info.kind;
  if (kind === 'roundtable' && store.roundtable) return roundtablePanel(app, store);
  if (kind === 'roundtable') return { element: notYet('roundtable-panel', t('panel.roundtable.title'), t('panel.roundtable.body')) };
  if (kind === 'consultation' && store.consultation) return consultationPanel(app, store);
  if (kind === 'consultation') return { element: notYet('consultation-panel', t('panel.consultation.title'), t('panel.consultation.body')) };
  if (kind === 'caucus') {
    const slot = h('div');
    const panel = import('./caucus.js').then((m) => m.caucusPanel(app, store)).then((p) => (slot.replaceWith(p.element), p));
    return { element: slot, destroy: () => panel.then((p) => p.destroy()) };
  }
  return null;
}

function notYet(id, title, body) {
  return h('section', { id, class: 'card not-yet', 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, title),
    h('p', {}, body),
    h('p', { class: 'help' }, t('panel.notAvailable')));
}
