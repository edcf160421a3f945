/**
 * The secretariat's registry (`#/registry`): applications to review with their history and a
 * decision (approved, deferred with questions, rejected; always with a reason), withdrawal of an
 * accreditation, the forums with their criteria, quota and rooms (and a form for a new one), the
 * organisations (with possible duplicates flagged), and the people with their sign-in links:
 * sent, used, revoked, a new one on request, and the list as a CSV file
 * (`GET /api/registry/invitations.csv`).
 */

import { announce } from '../announce.js';
import { listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, formatTime, t } from '../i18n.js';
import { invitationsCsv, registryPost, registryView } from '../registry-api.js';
import {
  constituencyName, countryName, ecosocText, field, historyList, linkStatus, orgName, refusalText, regionText, showLink, statusBadge,
} from './registry-parts.js';

const TO_REVIEW = new Set(['pending', 'deferred']);

/**
 * Renders the secretariat's registry.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @returns {() => void} cleanup
 */
export function renderSecretariatRegistry(app, main) {
  app.setTitle(t('reg.sec.title'));
  const status = h('p', { class: 'status', role: 'status', id: 'registry-status' }, t('common.loading'));
  const body = h('div');
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') },
      h('a', { href: '#/rooms' }, t('rooms.title')), ' · ', h('a', { href: '#/accredited' }, t('reg.public.title'))),
    h('h1', { id: 'registry-heading' }, t('reg.sec.title')),
    h('nav', { class: 'in-page', 'aria-label': t('reg.sec.sections') },
      ['applications', 'forums', 'organisations', 'invitations'].map((s) => h('a', { href: `#/registry`, dataset: { section: s }, onclick: (e) => {
        e.preventDefault();
        main.querySelector(`#reg-${s}`)?.scrollIntoView();
        main.querySelector(`#reg-${s}-heading`)?.focus();
      } }, t(`reg.sec.${s}`)))),
    status, body);
  let alive = true;
  let rooms = [];
  /** The link issued last, shown until the page is left. */
  let issued = null;

  async function load(message) {
    try {
      const [view, list] = await Promise.all([registryView(app.token), listRooms(app.token).catch(() => rooms)]);
      if (!alive) return;
      rooms = list;
      show(view);
      status.textContent = message || '';
    } catch (error) {
      if (alive) replaceChildren(status, ...refusalText(error));
    }
  }

  /** Runs a write; on success reloads and says `done`, else shows the refusal in `error`. */
  async function write(path, request, error, done) {
    error.replaceChildren();
    try {
      await registryPost(app.token, path, request);
      announce(done);
      await load(done);
    } catch (refusal) {
      replaceChildren(error, ...refusalText(refusal));
    }
  }

  function show(view) {
    const orgs = new Map(view.organisations.map((o) => [o.id, o]));
    const forums = new Map(view.forums.map((f) => [f.id, f]));
    const people = new Map(view.people.map((p) => [p.id, p]));
    const open = view.applications.filter((a) => TO_REVIEW.has(a.status));
    const decided = view.applications.filter((a) => !TO_REVIEW.has(a.status));
    replaceChildren(body,
      section('applications', t('reg.sec.applications'),
        h('h3', {}, t('reg.sec.toReview', { count: open.length })),
        open.length ? h('ul', { class: 'applications' }, open.map((a) => applicationCard(a, orgs, forums, true)))
          : h('p', { class: 'help' }, t('reg.sec.nothingToReview')),
        decided.length ? [h('h3', {}, t('reg.sec.decided', { count: decided.length })),
          h('ul', { class: 'applications' }, decided.map((a) => applicationCard(a, orgs, forums, false)))] : null),
      section('forums', t('reg.sec.forums'),
        view.forums.length ? h('ul', { class: 'forum-list' }, view.forums.map(forumCard)) : h('p', { class: 'help' }, t('reg.sec.noForums')),
        forumForm(!view.forums.length)),
      section('organisations', t('reg.sec.organisations'), organisationsTable(view, orgs)),
      section('invitations', t('reg.sec.invitations'), invitationsTable(view, orgs, forums, people)));
  }

  function section(id, title, ...children) {
    return h('section', { class: 'card', id: `reg-${id}`, 'aria-labelledby': `reg-${id}-heading` },
      h('h2', { id: `reg-${id}-heading`, tabindex: '-1' }, title), children);
  }

  function applicationCard(a, orgs, forums, reviewing) {
    const org = orgs.get(a.org);
    const forum = forums.get(a.forum);
    const label = `application-${a.id}`;
    return h('li', { class: 'application', dataset: { application: String(a.id), status: a.status }, 'aria-labelledby': `${label}-heading` },
      h('h4', { id: `${label}-heading` }, org ? orgName(org) : `#${a.org}`, ' → ', h('bdi', {}, forum?.title || a.forum), ' ', statusBadge(a.status)),
      org ? h('p', { class: 'facts-line' }, countryName(org.country), ' · ', regionText(org.region), ' · ', constituencyName(org.constituency), ' · ', ecosocText(org.ecosoc),
        org.possible_duplicates?.length ? [' · ', h('strong', { class: 'duplicate' }, t('reg.sec.duplicate', { ids: formatList(org.possible_duplicates.map((d) => orgs.get(d)?.name || `#${d}`)) }))] : null) : null,
      h('p', { class: 'statement' }, h('bdi', {}, a.statement)),
      h('details', { class: 'history-box' }, h('summary', {}, t('reg.sec.history', { count: a.history.length })), historyList(a.history)),
      reviewing && !a.address_confirmed ? h('p', { class: 'notice unconfirmed' }, t('reg.sec.unconfirmed')) : null,
      reviewing && a.address_confirmed ? decisionForm(a, label) : null,
      a.status === 'approved' ? withdrawForm(a, label) : null);
  }

  function decisionForm(a, label) {
    const error = h('p', { class: 'error', role: 'alert' });
    const choices = h('fieldset', { class: 'decision' }, h('legend', {}, t('reg.sec.decision')),
      ['approved', 'deferred', 'rejected'].map((d) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: `${label}-decision`, value: d, required: true }), ' ', t(`reg.decision.${d}`))));
    const reason = field(`${label}-reason`, t('reg.sec.reason'), h('textarea', { rows: 2, maxlength: 2000, required: true }), t('reg.sec.reasonHelp'));
    const questions = field(`${label}-questions`, t('reg.sec.questions'), h('textarea', { rows: 2 }), t('reg.sec.questionsHelp'));
    questions.element.hidden = true;
    choices.addEventListener('change', () => {
      questions.element.hidden = choices.querySelector('input:checked')?.value !== 'deferred';
    });
    const form = h('form', { class: 'decide', novalidate: true, 'aria-label': t('reg.sec.decideFor', { id: a.id }) },
      choices, reason.element, questions.element, error,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reg.sec.record'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      reason.setError(null);
      const decision = choices.querySelector('input:checked')?.value;
      if (!decision) { error.textContent = t('reg.sec.chooseDecision'); return; }
      if (!reason.control.value.trim()) { reason.setError(t('reg.sec.reasonRequired')); reason.control.focus(); return; }
      const request = { decision, reason: reason.control.value.trim() };
      if (decision === 'deferred') request.questions = questions.control.value.split('\n').map((q) => q.trim()).filter(Boolean);
      write(`applications/${a.id}/decision`, request, error, t('reg.sec.decided.done', { decision: t(`reg.decision.${decision}`) }));
    });
    return form;
  }

  function withdrawForm(a, label) {
    const error = h('p', { class: 'error', role: 'alert' });
    const reason = field(`${label}-withdraw`, t('reg.sec.withdrawReason'), h('textarea', { rows: 2, maxlength: 2000 }));
    const form = h('form', { novalidate: true }, reason.element, error,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('reg.sec.withdraw'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!reason.control.value.trim()) { reason.setError(t('reg.sec.reasonRequired')); reason.control.focus(); return; }
      write(`applications/${a.id}/withdraw`, { reason: reason.control.value.trim() }, error, t('reg.sec.withdrawn'));
    });
    return h('details', { class: 'withdraw' }, h('summary', {}, t('reg.sec.withdraw')), form);
  }

  function forumCard(forum) {
    const roomTitle = (id) => rooms.find((r) => r.id === id)?.title || id;
    return h('li', { class: 'forum', dataset: { forum: forum.id } },
      h('h3', {}, h('bdi', {}, forum.title)),
      h('dl', { class: 'facts' },
        h('dt', {}, t('reg.forum.criteria')), h('dd', { class: 'criteria' }, h('bdi', {}, forum.criteria)),
        h('dt', {}, t('reg.forum.quota')), h('dd', {}, t('reg.forum.quotaIs', { quota: forum.quota })),
        h('dt', {}, t('reg.forum.rooms')), h('dd', {}, forum.rooms?.length
          ? forum.rooms.map((id, i) => [i ? ', ' : '', h('a', { href: `#/rooms/${encodeURIComponent(id)}` }, h('bdi', {}, roomTitle(id)))])
          : t('reg.forum.noRooms')),
        h('dt', {}, t('reg.forum.admission')), h('dd', {}, t(forum.accredited_only ? 'reg.forum.accreditedOnly' : 'reg.forum.open'))));
  }

  function forumForm(openIt) {
    const error = h('p', { class: 'error', role: 'alert' });
    const title = field('forum-title', t('reg.forum.title'), h('input', { type: 'text', maxlength: 200, required: true, autocomplete: 'off' }));
    const id = field('forum-id', t('reg.forum.id'), h('input', { type: 'text', maxlength: 64, required: true, autocomplete: 'off', pattern: '[a-z0-9][a-z0-9-]*' }), t('reg.forum.idHelp'));
    const criteria = field('forum-criteria', t('reg.forum.criteria'), h('textarea', { rows: 3, maxlength: 4000, required: true }), t('reg.forum.criteriaHelp'));
    const quota = field('forum-quota', t('reg.forum.quota'), h('input', { type: 'number', min: 1, max: 50, value: 2, required: true }), t('reg.forum.quotaHelp'));
    const roomBoxes = h('fieldset', { class: 'rooms-pick' }, h('legend', {}, t('reg.forum.rooms')),
      rooms.length ? rooms.map((r) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', value: r.id }), ' ', h('bdi', {}, r.title)))
        : h('p', { class: 'help' }, t('reg.forum.noRoomsYet')));
    const only = h('label', { class: 'choice' }, h('input', { type: 'checkbox', id: 'forum-accredited-only', checked: true }), ' ', t('reg.forum.accreditedOnlyLabel'));
    const form = h('form', { novalidate: true, id: 'forum-form' }, title.element, id.element, criteria.element, quota.element, roomBoxes, only, error,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reg.forum.create'))));
    title.control.addEventListener('input', () => {
      if (id.control.dataset.touched) return;
      id.control.value = title.control.value.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
    });
    id.control.addEventListener('input', () => { id.control.dataset.touched = '1'; });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const missing = [title, id, criteria].filter((x) => !x.control.value.trim());
      for (const x of [title, id, criteria, quota]) x.setError(null);
      for (const x of missing) x.setError(t('reg.apply.required'));
      if (missing.length) { missing[0].control.focus(); return; }
      write('forums', {
        id: id.control.value.trim(),
        title: title.control.value.trim(),
        criteria: criteria.control.value.trim(),
        rooms: [...roomBoxes.querySelectorAll('input:checked')].map((x) => x.value),
        quota: Number(quota.control.value),
        accredited_only: form.querySelector('#forum-accredited-only').checked,
      }, error, t('reg.forum.created', { title: title.control.value.trim() }));
    });
    return h('details', { class: 'new-forum', open: openIt }, h('summary', {}, t('reg.forum.new')), form);
  }

  function organisationsTable(view, orgs) {
    if (!view.organisations.length) return h('p', { class: 'help' }, t('reg.sec.noOrganisations'));
    const peopleOf = (id) => view.people.filter((p) => p.org === id && !p.revoked);
    return h('div', { class: 'table-wrap' }, h('table', { class: 'stats organisations' },
      h('caption', { class: 'visually-hidden' }, t('reg.sec.organisations')),
      h('thead', {}, h('tr', {},
        [t('reg.org.name'), t('reg.org.country'), t('reg.org.region'), t('reg.org.constituency'), t('reg.org.ecosoc'), t('reg.sec.registered'), t('reg.sec.people')]
          .map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, view.organisations.map((o) => h('tr', { dataset: { org: String(o.id) } },
        h('th', { scope: 'row' }, orgName(o),
          o.possible_duplicates?.length ? [' ', h('span', { class: 'badge duplicate' }, t('reg.sec.duplicate', { ids: formatList(o.possible_duplicates.map((d) => orgs.get(d)?.name || `#${d}`)) }))] : null),
        h('td', {}, countryName(o.country)),
        h('td', {}, regionText(o.region)),
        h('td', {}, constituencyName(o.constituency)),
        h('td', {}, ecosocText(o.ecosoc)),
        h('td', {}, formatTime(o.registered_at), o.public ? [' · ', t('reg.sec.byForm')] : null),
        h('td', {}, peopleOf(o.id).map((p, i) => [i ? ', ' : '', h('bdi', {}, p.contact.name), ` (${t(`reg.role.${p.role}`)})`])))))));
  }

  function invitationsTable(view, orgs, forums, people) {
    const error = h('p', { class: 'error', role: 'alert' });
    const linkBox = h('div', { id: 'issued-link' });
    if (issued) showLink(linkBox, issued.answer, issued.person, true);
    const rows = view.people.map((p) => {
      const invitations = view.invitations.filter((i) => i.person === p.id);
      const last = invitations[invitations.length - 1];
      return { p, last, sent: invitations.length, used: invitations.some((i) => i.used_at) };
    });
    const csv = h('button', { type: 'button', id: 'invitations-csv', onclick: () => download(app.token, error) }, t('reg.sec.csv'));
    if (!rows.length) return [h('p', { class: 'help' }, t('reg.sec.noPeople'))];
    return [
      h('p', { class: 'actions' }, csv),
      error, linkBox,
      h('div', { class: 'table-wrap' }, h('table', { class: 'stats invitations' },
        h('caption', { class: 'visually-hidden' }, t('reg.sec.invitations')),
        h('thead', {}, h('tr', {},
          [t('reg.person.name'), t('reg.person.email'), t('reg.sec.organisation'), t('reg.person.role'), t('reg.sec.linkStatus'), t('reg.sec.actions')]
            .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows.map(({ p, last, sent }) => h('tr', { dataset: { person: String(p.id) } },
          h('th', { scope: 'row' }, h('bdi', {}, p.contact.name)),
          h('td', {}, h('bdi', {}, p.contact.email)),
          h('td', {}, orgs.get(p.org) ? orgName(orgs.get(p.org)) : `#${p.org}`),
          h('td', {}, t(`reg.role.${p.role}`), p.forum ? [' · ', h('bdi', {}, forums.get(p.forum)?.title || p.forum)] : null),
          h('td', { class: 'link-status' }, p.revoked ? t('reg.person.revoked') : linkStatus(last, sent)),
          h('td', {}, p.revoked ? null : h('button', { type: 'button', class: 'small', onclick: async () => {
            error.replaceChildren();
            try {
              issued = { answer: await registryPost(app.token, `people/${p.id}/invitation`, {}), person: p };
            } catch (refusal) {
              replaceChildren(error, ...refusalText(refusal));
              return;
            }
            announce(t('reg.sec.linkSent', { name: p.contact.name }));
            load(t('reg.sec.linkSent', { name: p.contact.name }));
          } }, t('reg.sec.sendLink')))))))),
    ];
  }

  load();
  return () => { alive = false; };
}

/**
 * Downloads `GET /api/registry/invitations.csv` (it needs the token, so it is fetched here and
 * handed to the browser as a file).
 * @param {string} token
 * @param {HTMLElement} error where a refusal is shown
 */
async function download(token, error) {
  error.replaceChildren();
  let blob;
  try {
    blob = await invitationsCsv(token);
  } catch (refusal) {
    replaceChildren(error, ...refusalText(refusal));
    return;
  }
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: 'baraza-invitations.csv', hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
