/**
 * The public application form (`#/apply`, no token needed): an organisation registers itself
 * and applies to a forum with a statement of its competence and relevance
 * (`POST /api/registry/apply`). Required fields are checked here first; whatever the server
 * refuses is shown at the field it concerns, with the server's words, and nothing typed is lost.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { apply, countries, publicList } from '../registry-api.js';
import { byName } from './geo-names.js';
import { constituencyName, countryName, field, refusalText } from './registry-parts.js';

const CONSTITUENCIES = ['women', 'children_youth', 'indigenous_peoples', 'ngos', 'local_authorities',
  'workers_trade_unions', 'business_industry', 'scientific_technological', 'farmers', 'parliamentarians',
  'un_system', 'media', 'other'];
const ECOSOC = ['none', 'general', 'special', 'roster'];

/**
 * Which field a refusal of the server is about, from its message (the server names the field).
 * @param {string} message
 * @returns {string|null} a key of the form's fields
 */
export function fieldOf(message) {
  const rules = [
    [/country/i, 'country'], [/e-mail/i, 'email'], [/website/i, 'website'],
    [/consultative status|year/i, 'year'], [/SDG/, 'sdgs'], [/keyword/i, 'keywords'],
    [/the statement/i, 'statement'], [/the description/i, 'description'], [/the acronym/i, 'acronym'],
    [/forum/i, 'forum'], [/the name/i, 'name'],
  ];
  return rules.find(([pattern]) => pattern.test(message))?.[1] ?? null;
}

/**
 * Renders the application form.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderApply(app, main) {
  app.setTitle(t('reg.apply.title'));
  const summary = h('div', { class: 'error', role: 'alert', id: 'apply-error' });
  const done = h('section', { class: 'card notice', id: 'apply-done', hidden: true, tabindex: '-1', 'aria-labelledby': 'apply-done-heading' });
  const input = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', ...attrs });
  const f = {
    forum: field('apply-forum', t('reg.apply.forum'), h('select', { required: true })),
    name: field('apply-name', t('reg.org.name'), input({ maxlength: 200, required: true, autocomplete: 'organization' })),
    acronym: field('apply-acronym', t('reg.org.acronym'), input({ maxlength: 20 })),
    country: field('apply-country', t('reg.org.country'), h('select', { required: true })),
    constituency: field('apply-constituency', t('reg.org.constituency'), h('select', { required: true },
      h('option', { value: '' }, t('reg.apply.choose')),
      CONSTITUENCIES.map((c) => h('option', { value: c }, constituencyName(c))))),
    website: field('apply-website', t('reg.org.website'), input({ inputmode: 'url', placeholder: 'https://' })),
    description: field('apply-description', t('reg.org.description'), h('textarea', { rows: 3, maxlength: 4000 })),
    keywords: field('apply-keywords', t('reg.org.keywords'), input({}), t('reg.apply.keywordsHelp')),
    ecosoc: field('apply-ecosoc', t('reg.org.ecosoc'), h('select', {}, ECOSOC.map((s) => h('option', { value: s }, t(`reg.ecosoc.${s}`))))),
    year: field('apply-year', t('reg.apply.year'), h('input', { type: 'number', min: 1946, max: 2100, inputmode: 'numeric' }), t('reg.apply.yearHelp')),
    focalName: field('apply-focal-name', t('reg.apply.focalName'), input({ maxlength: 120, required: true, autocomplete: 'name' })),
    email: field('apply-email', t('reg.apply.focalEmail'), h('input', { type: 'email', required: true, autocomplete: 'email', maxlength: 254 }), t('reg.apply.emailHelp')),
    statement: field('apply-statement', t('reg.apply.statement'), h('textarea', { rows: 5, maxlength: 4000, required: true }), t('reg.apply.statementHelp')),
  };
  f.name.element.classList.add('wide');
  const sdgError = h('span', { class: 'error field-error', id: 'apply-sdgs-error' });
  const sdgs = h('fieldset', { class: 'sdgs', 'aria-describedby': 'apply-sdgs-error' },
    h('legend', {}, t('reg.org.sdgs')),
    Array.from({ length: 17 }, (_, i) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', value: String(i + 1) }), ' ', t('reg.sdg', { n: i + 1 }))),
    sdgError);
  f.sdgs = { control: sdgs, setError: (text, detail) => { sdgError.replaceChildren(text || '', detail ? ` ${detail}` : ''); } };
  const criteria = h('p', { class: 'help criteria', id: 'apply-criteria' });
  f.forum.control.setAttribute('aria-describedby', 'apply-criteria apply-forum-error');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('reg.apply.submit'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'apply-heading' },
    h('fieldset', {}, h('legend', {}, t('reg.apply.forumPart')), f.forum.element, criteria),
    h('fieldset', {}, h('legend', {}, t('reg.apply.orgPart')),
      f.name.element, f.acronym.element, f.country.element, f.constituency.element, f.website.element,
      f.description.element, sdgs, f.keywords.element, f.ecosoc.element, f.year.element),
    h('fieldset', {}, h('legend', {}, t('reg.apply.focalPart')), h('p', { class: 'help' }, t('reg.apply.focalHelp')),
      f.focalName.element, f.email.element),
    f.statement.element,
    summary,
    h('p', { class: 'actions' }, submit));
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') }, h('a', { href: '#/accredited' }, t('reg.public.title'))),
    h('h1', { id: 'apply-heading' }, t('reg.apply.title')),
    h('p', { class: 'lead' }, t('reg.apply.lead')),
    done, form);

  let alive = true;
  let forumList = [];
  const showCriteria = () => {
    const forum = forumList.find((x) => x.id === f.forum.control.value);
    criteria.replaceChildren(...(forum ? [t('reg.forum.criteria'), ': ', h('bdi', {}, forum.criteria)] : []));
  };
  f.forum.control.addEventListener('change', showCriteria);
  publicList().then((list) => {
    if (!alive) return;
    forumList = list.forums;
    replaceChildren(f.forum.control, h('option', { value: '' }, t('reg.apply.choose')),
      list.forums.map((x) => h('option', { value: x.id }, x.title)));
    if (list.forums.length === 1) f.forum.control.value = list.forums[0].id;
    showCriteria();
  }).catch((error) => { if (alive) replaceChildren(summary, ...refusalText(error)); });
  countries().then((table) => {
    if (!alive) return;
    const named = byName(table.countries, (c) => countryName(c.code));
    replaceChildren(f.country.control, h('option', { value: '' }, t('reg.apply.choose')),
      named.map((c) => h('option', { value: c.code }, countryName(c.code))));
  }).catch((error) => { if (alive) replaceChildren(summary, ...refusalText(error)); });

  function clearErrors() {
    for (const x of Object.values(f)) x.setError(null);
    summary.replaceChildren();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const value = (k) => f[k].control.value.trim();
    const missing = ['forum', 'name', 'country', 'constituency', 'focalName', 'email', 'statement'].filter((k) => !value(k));
    const status = value('ecosoc');
    if (status !== 'none' && !value('year')) missing.push('year');
    if (missing.length) {
      for (const k of missing) f[k].setError(t('reg.apply.required'));
      summary.textContent = t('reg.apply.fix', { count: missing.length });
      f[missing[0]].control.focus();
      return;
    }
    const organisation = {
      name: value('name'),
      country: value('country'),
      constituency: value('constituency'),
      sdgs: [...sdgs.querySelectorAll('input:checked')].map((x) => Number(x.value)),
      keywords: value('keywords').split(/[,،、，]/).map((k) => k.trim()).filter(Boolean),
      description: value('description'),
      ecosoc: status === 'none' ? { status } : { status, year: Number(value('year')) },
    };
    if (value('acronym')) organisation.acronym = value('acronym');
    if (value('website')) organisation.website = value('website');
    submit.disabled = true;
    try {
      const answer = await apply({
        organisation,
        focal_point: { name: value('focalName'), email: value('email') },
        forum: value('forum'),
        statement: f.statement.control.value,
      });
      if (!alive) return;
      const forum = forumList.find((x) => x.id === value('forum'));
      replaceChildren(done,
        h('h2', { id: 'apply-done-heading' }, t('reg.apply.done')),
        h('p', {}, t(answer.mailed ? 'reg.apply.mailed' : 'reg.apply.notMailed', { email: value('email') })),
        h('p', {}, t('reg.apply.next', { forum: forum?.title || value('forum') })),
        h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/accredited' }, t('reg.public.title'))));
      done.hidden = false;
      form.hidden = true;
      done.focus();
      announce(t('reg.apply.done'));
    } catch (error) {
      if (!alive) return;
      const key = error.status === 422 || error.status === 400 ? fieldOf(error.message) : null;
      if (key && f[key]) {
        f[key].setError(t('reg.apply.refusedField'), error.message);
        summary.textContent = t('reg.apply.fix', { count: 1 });
        f[key].control.focus();
      } else replaceChildren(summary, ...refusalText(error));
    } finally {
      submit.disabled = false;
    }
  });
  return () => { alive = false; };
}
