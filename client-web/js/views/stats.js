/**
 * Speaking statistics as tables: by constituency, by UN regional group and by participant, each
 * with turns and speaking time, largest first.
 */

import { h } from '../dom.js';
import { t, tOr } from '../i18n.js';
import { formatDuration } from './clock.js';

/**
 * A constituency's name in the interface language.
 * @param {string|null|undefined} code e.g. `farmers`; `none` or empty for none
 * @returns {string}
 */
export function constituencyName(code) {
  return tOr(`constituency.${code || 'none'}`, code || '');
}

/**
 * The tables of one set of statistics.
 * @param {object} stats a `SpeakingStats` (participants, constituencies, un_groups…)
 * @param {string} idPrefix unique prefix for headings
 * @param {(user: string) => string} nameOf display name of a participant
 * @returns {HTMLElement}
 */
export function statsTables(stats, idPrefix, nameOf) {
  const groups = [
    ['constituencies', t('rt.stats.byConstituency'), constituencyName],
    ['un_groups', t('rt.stats.byRegion'), (code) => tOr(`group.${code}`, code === 'unknown' ? t('rt.stats.unknown') : code)],
    ['participants', t('rt.stats.byParticipant'), nameOf],
  ];
  const anything = Object.keys(stats?.participants || {}).length > 0;
  if (!anything) return h('p', { class: 'help' }, t('rt.stats.none'));
  return h('div', { class: 'stats-grid' }, groups.map(([field, caption, label]) => {
    const rows = Object.entries(stats[field] || {}).sort((a, b) => b[1].speaking_ms - a[1].speaking_ms || b[1].turns - a[1].turns);
    return h('table', { class: 'stats', dataset: { stats: `${idPrefix}-${field}` } },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('rt.stats.who')),
        h('th', { scope: 'col' }, t('rt.stats.turns')),
        h('th', { scope: 'col' }, t('rt.stats.time')))),
      h('tbody', {}, rows.map(([key, tally]) => h('tr', { dataset: { key } },
        h('th', { scope: 'row' }, h('bdi', {}, label(key))),
        h('td', {}, String(tally.turns)),
        h('td', {}, formatDuration(tally.speaking_ms))))));
  }));
}
