/**
 * The search page (`#/search`): statements found by their words in every room the person may
 * read (`GET /api/search`), with filters by room, kind, language, constituency and country.
 * What the server does not let this person read is never in the answer; this page only shows it.
 */

import { getJson, listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { LANGUAGES, languageName, t } from '../i18n.js';
import { countryName } from './geo-names.js';

const KINDS = ['roundtable', 'consultation', 'caucus'];
const CONSTITUENCIES = ['women', 'children_youth', 'indigenous_peoples', 'ngos', 'local_authorities',
  'workers_trade_unions', 'business_industry', 'scientific_technological', 'farmers', 'member_states',
  'parliamentarians', 'un_system', 'media', 'other'];

/**
 * Renders the search page (its strings, `search-*.js`, are loaded by the router first).
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {URLSearchParams} params the query in the address (`#/search?q=…`)
 * @returns {() => void} cleanup
 */
export function renderSearch(app, main, params) {
  let alive = true;
  app.setTitle(t('search.title'));
  const field = (name, label, control) => h('div', { class: 'field' },
    h('label', { for: `search-${name}` }, label), control);
  const select = (name, options, value) => h('select', { id: `search-${name}`, name },
    h('option', { value: '' }, t('search.any')),
    ...options.map(([code, label]) => h('option', { value: code, selected: code === value }, label)));
  const q = h('input', { id: 'search-q', name: 'q', type: 'search', required: true, maxlength: '200', value: params.get('q') || '', autocomplete: 'off' });
  const room = select('room', [], params.get('room'));
  const kind = select('kind', KINDS.map((k) => [k, t(`kind.${k}`)]), params.get('kind'));
  const lang = select('lang', LANGUAGES.map((l) => [l.code, languageName(l.code)]), params.get('lang'));
  const constituency = select('constituency', CONSTITUENCIES.map((c) => [c, t(`constituency.${c}`)]), params.get('constituency'));
  const country = h('input', { id: 'search-country', name: 'country', maxlength: '2', size: '3', pattern: '[A-Za-z]{2}', value: params.get('country') || '', 'aria-describedby': 'search-country-help' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const results = h('ol', { class: 'search-results', 'aria-labelledby': 'search-results-heading' });
  const form = h('form', { class: 'card search-form', role: 'search', onsubmit: (e) => { e.preventDefault(); submit(); } },
    field('q', t('search.words'), q),
    h('p', { class: 'help', id: 'search-help' }, t('search.help')),
    h('fieldset', { class: 'filters' },
      h('legend', {}, t('search.filters')),
      field('room', t('search.room'), room),
      field('kind', t('search.kind'), kind),
      field('lang', t('search.lang'), lang),
      field('constituency', t('search.constituency'), constituency),
      h('div', { class: 'field' },
        h('label', { for: 'search-country' }, t('search.country')), country,
        h('span', { class: 'help', id: 'search-country-help' }, t('search.countryHelp')))),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('search.submit'))));
  q.setAttribute('aria-describedby', 'search-help');
  replaceChildren(main,
    h('h1', {}, t('search.title')),
    form,
    h('h2', { id: 'search-results-heading', class: 'visually-hidden' }, t('search.results')),
    status,
    results);

  listRooms(app.token).then((rooms) => {
    if (!alive) return;
    const chosen = params.get('room');
    rooms.sort((a, b) => a.title.localeCompare(b.title));
    room.append(...rooms.map((r) => h('option', { value: r.id, selected: r.id === chosen }, r.title)));
  }).catch(() => {});

  /** The query of the form, as the address and the API take it. */
  function query() {
    const out = new URLSearchParams();
    out.set('q', q.value.trim());
    for (const [name, control] of [['room', room], ['kind', kind], ['lang', lang], ['constituency', constituency], ['country', country]]) {
      const value = control.value.trim();
      if (value) out.set(name, name === 'country' ? value.toUpperCase() : value);
    }
    return out;
  }

  function submit() {
    if (!q.value.trim()) {
      status.textContent = t('search.empty');
      q.focus();
      return;
    }
    // The address keeps the query, so that a search can be shared, bookmarked and gone back to.
    const path = `#/search?${query()}`;
    if (window.location.hash !== path) window.location.hash = path;
    else run();
  }

  async function run() {
    if (!q.value.trim()) return;
    status.textContent = t('common.loading');
    replaceChildren(results);
    try {
      const answer = await getJson(app.token, `/api/search?${query()}`);
      if (!alive) return;
      status.textContent = answer.hits.length
        ? t(answer.truncated ? 'search.foundMore' : 'search.found', { count: answer.hits.length })
        : t('search.none');
      replaceChildren(results, ...answer.hits.map((hit) => resultItem(app, hit, answer.query)));
    } catch (error) {
      if (alive) status.textContent = t('common.failed', { message: error.message });
    }
  }

  if (params.get('q')) run();
  return () => { alive = false; };
}

/**
 * One statement found: where, who, when, and its text with the query's words marked.
 * @param {import('../main.js').App} app
 * @param {object} hit a `SearchHit`
 * @param {string} query
 */
function resultItem(app, hit, query) {
  const room = `#/rooms/${encodeURIComponent(hit.room)}`;
  const who = [hit.author_name, hit.org, hit.constituency ? t(`constituency.${hit.constituency}`) : null,
    hit.country ? countryName(hit.country) : null].filter(Boolean).join(' · ');
  const when = new Date(hit.posted_at).toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return h('li', { class: 'card search-hit', dataset: { room: hit.room, statement: String(hit.statement) } },
    h('p', { class: 'where' },
      h('a', { href: room }, h('bdi', {}, hit.room_title)),
      ' · ', h('span', { class: `badge kind-${hit.kind}` }, t(`kind.${hit.kind}`)),
      hit.status ? h('span', { class: `badge status-${hit.status}` }, t(`search.status.${hit.status}`)) : null),
    h('p', { class: 'byline' }, h('bdi', {}, who), ' · ', h('time', { datetime: new Date(hit.posted_at).toISOString() }, when)),
    h('blockquote', { lang: hit.lang, dir: 'auto', class: 'text' }, ...marked(hit.text, query)),
    h('p', { class: 'links' },
      h('a', { href: room }, t('search.openRoom')),
      ' · ',
      app.moderating
        ? h('a', { href: `${room}/record`, 'aria-label': t('search.inRecordNamed', { seq: hit.statement }) }, t('search.inRecord', { seq: hit.statement }))
        : h('span', { class: 'seq' }, t('search.seq', { seq: hit.statement }))));
}

/**
 * The text with each word of the query marked (`<mark>`), ignoring case; words written without
 * spaces (Chinese) are marked where they occur.
 * @param {string} text
 * @param {string} query
 * @returns {(string|Node)[]}
 */
function marked(text, query) {
  const words = query.split(/\s+/).filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return [text];
  let pattern;
  try {
    pattern = new RegExp(`(${words.join('|')})`, 'giu');
  } catch {
    return [text];
  }
  return text.split(pattern).map((part, i) => (i % 2 === 1 ? h('mark', {}, part) : part));
}
