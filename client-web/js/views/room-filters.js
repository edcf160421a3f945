/**
 * Filters of the room list: kind, scope (global, a region, a country), a consultation's phase,
 * and words of the title. Applied in the browser to the list the server sent; the choice
 * survives reloads of the list.
 */

import { h } from '../dom.js';
import { language, t } from '../i18n.js';

const PHASES = ['draft', 'open', 'closed', 'synthesis', 'published'];

/**
 * @param {() => void} changed called after every change of a filter
 * @returns {{element: HTMLElement, apply: (rooms: Array<object>) => Array<object>}}
 */
export function roomFilters(changed) {
  const select = (id, label, options) => {
    const el = h('select', { id }, h('option', { value: '' }, t('ws.filter.all')), options.map(([value, text]) => h('option', { value }, text)));
    el.addEventListener('change', changed);
    return [h('label', { for: id }, label), el];
  };
  const [kindLabel, kind] = select('filter-kind', t('room.kind'), ['roundtable', 'consultation', 'caucus'].map((k) => [k, t(`kind.${k}`)]));
  const [scopeLabel, scope] = select('filter-scope', t('room.scope'), ['global', 'region', 'country'].map((l) => [l, t(`ws.scope.${l}`)]));
  const [phaseLabel, phase] = select('filter-phase', t('room.phase'), PHASES.map((p) => [p, t(`cons.phase.${p}`)]));
  const search = h('input', { id: 'filter-search', type: 'search', autocomplete: 'off' });
  search.addEventListener('input', changed);
  const element = h('form', { class: 'filters', role: 'search', 'aria-label': t('ws.filter.label'), onsubmit: (e) => e.preventDefault() },
    h('span', { class: 'filter' }, h('label', { for: 'filter-search' }, t('ws.filter.search')), search),
    h('span', { class: 'filter' }, kindLabel, kind),
    h('span', { class: 'filter' }, scopeLabel, scope),
    h('span', { class: 'filter' }, phaseLabel, phase));

  function apply(rooms) {
    const words = search.value.toLocaleLowerCase(language()).split(/\s+/).filter(Boolean);
    return rooms.filter((room) => (!kind.value || room.kind === kind.value)
      && (!scope.value || room.scope?.level === scope.value)
      && (!phase.value || room.phase === phase.value)
      && words.every((w) => room.title.toLocaleLowerCase(language()).includes(w)));
  }
  return { element, apply };
}
