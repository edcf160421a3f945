/**
 * The registry as one of an organisation's people sees it (`#/registry`). A focal point sees
 * the organisation, its applications with their history (and answers a deferral's questions),
 * and, for every forum it is accredited to, its representatives up to the forum's quota: naming
 * one records them and sends them their personal sign-in link. A representative sees whom they
 * speak for and the rooms of their forum. Anyone else is told they are not in the registry.
 */

import { announce } from '../announce.js';
import { listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { registryPost, registryView } from '../registry-api.js';
import {
  constituencyName, countryName, ecosocText, field, historyList, linkStatus, orgName, refusalText, regionText, showLink, statusBadge,
} from './registry-parts.js';

/**
 * Renders the focal point's (or representative's) registry.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderFocalRegistry(app, main) {
  app.setTitle(t('reg.focal.title'));
  const status = h('p', { class: 'status', role: 'status', id: 'registry-status' }, t('common.loading'));
  const heading = h('h1', { id: 'registry-heading' }, t('reg.focal.title'));
  const body = h('div');
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') }, h('a', { href: '#/rooms' }, t('rooms.title'))),
    heading, status, body);
  let alive = true;
  let lastLink = null;

  async function load(message) {
    try {
      const [view, rooms] = await Promise.all([registryView(app.token), listRooms(app.token).catch(() => [])]);
      if (!alive) return;
      show(view, rooms);
      status.textContent = message || '';
    } catch (error) {
      if (alive) replaceChildren(status, ...refusalText(error));
    }
  }

  function show(view, rooms) {
    const me = view.me;
    const org = me ? view.organisations.find((o) => o.id === me.org) : null;
    if (!me || !org) {
      replaceChildren(body, h('p', { class: 'card notice' }, t('reg.focal.notInRegistry')));
      return;
    }
    heading.replaceChildren(orgName(org));
    app.setTitle(org.name);
    const facts = h('p', { class: 'facts-line' }, countryName(org.country), ' · ', regionText(org.region), ' · ',
      constituencyName(org.constituency), ' · ', ecosocText(org.ecosoc));
    const forums = new Map(view.forums.map((f) => [f.id, f]));
    const roomLinks = (forum) => (forum?.rooms || []).map((id) => h('li', {},
      h('a', { href: `#/rooms/${encodeURIComponent(id)}` }, h('bdi', {}, rooms.find((r) => r.id === id)?.title || id))));
    if (me.role === 'representative') {
      const forum = forums.get(me.forum);
      replaceChildren(body, facts,
        h('section', { class: 'card', id: 'my-forum', 'aria-labelledby': 'my-forum-heading' },
          h('h2', { id: 'my-forum-heading' }, t('reg.focal.youRepresent', { forum: forum?.title || me.forum })),
          h('ul', { class: 'room-links' }, roomLinks(forum))));
      return;
    }
    const accredited = view.applications.filter((a) => a.status === 'approved');
    replaceChildren(body, facts,
      h('p', { class: 'help' }, t('reg.focal.youAre', { name: me.contact.name })),
      h('section', { class: 'card', id: 'my-applications', 'aria-labelledby': 'my-applications-heading' },
        h('h2', { id: 'my-applications-heading' }, t('reg.focal.applications')),
        h('ul', { class: 'applications' }, view.applications.map((a) => h('li', { class: 'application', dataset: { application: String(a.id), status: a.status } },
          h('h3', {}, h('bdi', {}, forums.get(a.forum)?.title || a.forum), ' ', statusBadge(a.status)),
          historyList(a.history),
          a.status === 'deferred' ? answerForm(a) : null)))),
      accredited.length ? accredited.map((a) => representatives(view, forums.get(a.forum) || { id: a.forum, title: a.forum, quota: 0 }, roomLinks))
        : h('p', { class: 'card notice', id: 'not-yet' }, t('reg.focal.notYet')));
  }

  function answerForm(a) {
    const error = h('p', { class: 'error', role: 'alert' });
    const answer = field(`answer-${a.id}`, t('reg.focal.answer'), h('textarea', { rows: 3, maxlength: 4000 }));
    const form = h('form', { novalidate: true }, answer.element, error,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reg.focal.sendAnswer'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!answer.control.value.trim()) { answer.setError(t('reg.apply.required')); answer.control.focus(); return; }
      try {
        await registryPost(app.token, `applications/${a.id}/answer`, { answer: answer.control.value.trim() });
        announce(t('reg.focal.answered'));
        load(t('reg.focal.answered'));
      } catch (refusal) {
        replaceChildren(error, ...refusalText(refusal));
      }
    });
    return form;
  }

  function representatives(view, forum, roomLinks) {
    const named = view.people.filter((p) => p.role === 'representative' && p.forum === forum.id && !p.revoked);
    const id = `reps-${forum.id}`;
    const error = h('p', { class: 'error', role: 'alert', id: `${id}-error` });
    const linkBox = h('div');
    if (lastLink && lastLink.forum === forum.id) showLink(linkBox, lastLink.answer, lastLink.person);
    const name = field(`${id}-name`, t('reg.person.name'), h('input', { type: 'text', maxlength: 120, autocomplete: 'off' }));
    const email = field(`${id}-email`, t('reg.person.email'), h('input', { type: 'email', maxlength: 254, autocomplete: 'off' }));
    const form = h('form', { novalidate: true, class: 'name-representative', 'aria-labelledby': `${id}-form-heading` },
      h('h3', { id: `${id}-form-heading` }, t('reg.focal.nameOne')),
      h('p', { class: 'help' }, t('reg.focal.nameHelp')),
      name.element, email.element, error,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reg.focal.nameAndSend'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      name.setError(null); email.setError(null); error.replaceChildren();
      const missing = [name, email].filter((x) => !x.control.value.trim());
      for (const x of missing) x.setError(t('reg.apply.required'));
      if (missing.length) { missing[0].control.focus(); return; }
      const contact = { name: name.control.value.trim(), email: email.control.value.trim() };
      let added;
      try {
        added = await registryPost(app.token, `organisations/${view.me.org}/people`, { role: 'representative', forum: forum.id, contact });
      } catch (refusal) {
        if (refusal.status === 409) error.replaceChildren(t('reg.focal.quotaFull', { quota: forum.quota, forum: forum.title }));
        else if (refusal.status === 422 && /e-mail/.test(refusal.message)) email.setError(t('reg.apply.refusedField'), refusal.message);
        else replaceChildren(error, ...refusalText(refusal));
        return;
      }
      try {
        const answer = await registryPost(app.token, `people/${added.seq}/invitation`, {});
        lastLink = { forum: forum.id, answer, person: { contact } };
        const done = t(answer.mailed ? 'reg.link.mailed' : 'reg.link.notMailed', { name: contact.name, email: contact.email });
        announce(done);
        load(done);
      } catch (refusal) {
        replaceChildren(error, ...refusalText(refusal));
        load();
      }
    });
    return h('section', { class: 'card representatives', id, dataset: { forum: forum.id }, 'aria-labelledby': `${id}-heading` },
      h('h2', { id: `${id}-heading` }, t('reg.focal.representatives', { forum: forum.title })),
      h('p', { class: 'quota', id: `${id}-quota` }, t('reg.focal.quota', { named: named.length, quota: forum.quota })),
      named.length ? h('ul', { class: 'people-list' }, named.map((p) => {
        const invitations = view.invitations.filter((i) => i.person === p.id);
        return h('li', { dataset: { person: String(p.id) } }, h('bdi', {}, p.contact.name), ' · ', h('bdi', {}, p.contact.email), ' · ',
          h('span', { class: 'link-status' }, linkStatus(invitations[invitations.length - 1], invitations.length)));
      })) : null,
      h('h3', {}, t('reg.focal.rooms')), h('ul', { class: 'room-links' }, roomLinks(forum)),
      linkBox, form);
  }

  load();
  return () => { alive = false; };
}
