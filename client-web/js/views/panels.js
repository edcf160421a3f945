/**
 * The panel for a room kind's own features: the roundtable panel (roundtable.js) and the
 * consultation panel (consultation.js). A server that sends no such part of the view gets a
 * plain "not available" place instead; none shows made-up data.
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
  if (kind === 'caucus' && store.caucus) return later(() => import('./caucus.js').then((m) => m.caucusPanel(app, store)));
  return null;
}

/**
 * A panel whose module is loaded on demand: an empty place now, the panel once loaded.
 * @param {() => Promise<{element: HTMLElement, destroy?: () => void}>} load
 */
function later(load) {
  const slot = h('div', { id: 'caucus-slot' });
  let loaded = null;
  let gone = false;
  load().then((panel) => {
    if (gone) return panel.destroy?.();
    loaded = panel;
    slot.replaceWith(panel.element);
  });
  return { element: slot, destroy: () => { gone = true; loaded?.destroy?.(); } };
}

function notYet(id, title, body) {
  return h('section', { id, class: 'card not-yet', 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, title),
    h('p', {}, body),
    h('p', { class: 'help' }, t('panel.notAvailable')));
}
