/**
 * The public list of accredited organisations (`#/accredited`, no token needed): per forum its
 * published criteria, the organisations accredited to it with country, constituency, region,
 * the date and reason of the decision, and the figures of who applied and who was admitted by
 * constituency and by UN regional group (`GET /api/registry/public`). Nothing personal.
 */

import { h, replaceChildren } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { publicList } from '../registry-api.js';
import { regionName } from './geo-names.js';
import { constituencyName, countryName, ecosocText, orgName, refusalText, regionText } from './registry-parts.js';

/**
 * Renders the public list.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderAccredited(app, main) {
  app.setTitle(t('reg.public.title'));
  const status = h('p', { class: 'status', role: 'status' }, t('common.loading'));
  const forums = h('div', { class: 'forums' });
  replaceChildren(main,
    h('div', { class: 'title-row' },
      h('h1', { id: 'accredited-heading' }, t('reg.public.title')),
      h('a', { href: '#/apply', class: 'button primary', id: 'apply-link' }, t('reg.public.apply'))),
    h('p', { class: 'lead' }, t('reg.public.lead')),
    status, forums);
  let alive = true;
  publicList().then((list) => {
    if (!alive) return;
    status.textContent = list.forums.length ? '' : t('reg.public.noForums');
    replaceChildren(forums, list.forums.map(forumSection));
  }).catch((error) => {
    if (alive) replaceChildren(status, t('common.failed', { message: '' }), ...refusalText(error));
  });
  return () => { alive = false; };
}

function forumSection(forum) {
  const id = `forum-${forum.id}`;
  return h('section', { class: 'card forum', id, dataset: { forum: forum.id }, 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, h('bdi', {}, forum.title)),
    h('h3', {}, t('reg.forum.criteria')),
    h('p', { class: 'criteria' }, h('bdi', {}, forum.criteria)),
    h('h3', { id: `${id}-list` }, t('reg.public.accredited', { count: forum.accredited.length })),
    forum.accredited.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'stats accredited', 'aria-labelledby': `${id}-list` },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('reg.org.name')),
          h('th', { scope: 'col' }, t('reg.org.country')),
          h('th', { scope: 'col' }, t('reg.org.constituency')),
          h('th', { scope: 'col' }, t('reg.org.region')),
          h('th', { scope: 'col' }, t('reg.org.ecosoc')),
          h('th', { scope: 'col' }, t('reg.public.decided')),
          h('th', { scope: 'col' }, t('reg.public.reason')))),
        h('tbody', {}, forum.accredited.map((a) => h('tr', { dataset: { org: String(a.org) } },
          h('th', { scope: 'row' }, orgName(a)),
          h('td', {}, countryName(a.country)),
          h('td', {}, constituencyName(a.constituency)),
          h('td', {}, regionText(a.region)),
          h('td', {}, ecosocText(a.ecosoc)),
          h('td', {}, h('time', { datetime: new Date(a.decided_at).toISOString() }, formatTime(a.decided_at))),
          h('td', { class: 'reason' }, h('bdi', {}, a.reason)))))))
      : h('p', { class: 'help' }, t('reg.public.noneYet')),
    h('h3', {}, t('reg.public.figures')),
    h('p', { class: 'help' }, t('reg.public.total', { applied: forum.total.applied, admitted: forum.total.admitted })),
    h('div', { class: 'figures' },
      tally(`${id}-by-constituency`, t('reg.public.byConstituency'), forum.by_constituency, constituencyName),
      tally(`${id}-by-group`, t('reg.public.byGroup'), forum.by_un_group, (g) => (g === 'none' ? t('reg.region.none') : regionName(g)))));
}

function tally(id, caption, figures, name) {
  const rows = Object.entries(figures).sort((a, b) => b[1].applied - a[1].applied);
  return h('table', { class: 'stats', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('reg.public.group')),
      h('th', { scope: 'col' }, t('reg.public.applied')),
      h('th', { scope: 'col' }, t('reg.public.admitted')))),
    h('tbody', {}, rows.map(([key, n]) => h('tr', {},
      h('th', { scope: 'row' }, name(key)), h('td', {}, String(n.applied)), h('td', {}, String(n.admitted))))));
}
