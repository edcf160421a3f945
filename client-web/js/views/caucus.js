/**
 * The caucus panel (loaded on demand with its strings, caucus-*.js): the parent room joint
 * statements go to, the organising partners (the secretariat names and removes them with a
 * reason), elections of partners (the chair opens and closes them; each member organisation
 * votes once; results with ties as the server computed them), and joint statements (partners
 * draft and edit, member organisations endorse, a partner or the secretariat adopts; then where
 * it went in the parent). The rules are the server's; these are the controls and the record's
 * facts as the room view shows them. The panel fetches its part of the view itself
 * (`GET /api/rooms/{id}`, `state.caucus`) when it opens and after every change of the room, one
 * fetch at a time, never showing an older answer: none of it weighs on the first load.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, formatTime, language, languageName, loadStrings, t } from '../i18n.js';
import { listRooms, roomView } from '../api.js';
import { act } from './act.js';
import { useStyles } from './styles.js';

/**
 * Typed or foreign text inside a translated sentence, isolated (FSI … PDI) so that a Latin name
 * in an Arabic line, or an Arabic one in an English line, keeps its own direction.
 * @param {string} text
 */
const isolate = (text) => `\u2068${text}\u2069`;
/** Names as a list of the reader's language (the Arabic comma in Arabic), each isolated. */
const names = (list) => (list.length ? formatList(list.map(isolate)) : '—');
/** A time, isolated. */
const when = (ms) => isolate(formatTime(ms));

/**
 * Builds the panel once its strings are loaded.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {Promise<{element: HTMLElement, destroy: () => void}>}
 */
export async function caucusPanel(app, store) {
  await Promise.all([loadStrings('caucus'), useStyles('caucus')]);
  const me = app.claims?.sub;
  const role = app.claims?.role;
  const status = h('p', { class: 'status', role: 'status', id: 'caucus-status' });
  const send = (command) => act(app, store, command, status);
  /** `state.caucus` of the room view, as of `shownSeq`. */
  let caucus = null;
  let shownSeq = -1;
  let fetching = false;
  let again = false;
  let gone = false;
  const c = () => caucus;
  /** Fetches the room view for its caucus part, once more if asked while a fetch runs. */
  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    do {
      again = false;
      try {
        const view = await roomView(app.token, store.id);
        if (!gone && view.state?.caucus && view.seq >= shownSeq) {
          shownSeq = view.seq;
          caucus = view.state.caucus;
          render();
        }
      } catch {
        // The next change of the room fetches again.
      }
    } while (again && !gone);
    fetching = false;
  }
  const myProfile = () => store.members.get(me)?.profile;
  /** The organisation I represent here, if I am a member organisation's representative. */
  const myOrg = () => {
    const p = myProfile();
    const constituency = store.info?.constituency;
    return p?.role === 'participant' && p.org && (!constituency || p.constituency === constituency) ? p.org : null;
  };
  const isPartner = () => !!myOrg() && c().partners.some((p) => p.org === myOrg());
  /** Organisations seen on members' identities (candidates and partners are chosen from them). */
  const memberOrgs = () => {
    const constituency = store.info?.constituency;
    const orgs = [];
    for (const m of store.members.values()) {
      const p = m.profile;
      if (p.role === 'participant' && p.org && (!constituency || p.constituency === constituency) && !orgs.includes(p.org)) orgs.push(p.org);
    }
    return orgs;
  };

  const parentPart = h('div', { id: 'caucus-parent' });
  const partnersPart = h('div', { id: 'caucus-partners' });
  const electionsPart = h('div', { id: 'caucus-elections' });
  const statementsPart = h('div', { id: 'caucus-statements' });
  const element = h('section', { id: 'caucus-panel', class: 'card', 'aria-labelledby': 'caucus-heading' },
    h('h2', { id: 'caucus-heading', tabindex: '-1' }, t('caucus.title')),
    status, parentPart, partnersPart, electionsPart, statementsPart);

  // ---- forms kept across renders (so typing is never lost) ----
  // The parent is chosen by title among the node's roundtables and consultations.
  const parentPick = h('select', { id: 'caucus-parent-room' });
  const parentForm = h('form', { class: 'inline-form', id: 'caucus-parent-form' },
    h('div', { class: 'field' }, h('label', { for: 'caucus-parent-room' }, t('caucus.parentRoom')), parentPick),
    h('button', { type: 'submit' }, t('caucus.setParent')));
  let parentChoices = null;
  async function loadParentChoices() {
    if (parentChoices) return;
    parentChoices = [];
    try {
      parentChoices = (await listRooms(app.token))
        .filter((r) => (r.kind === 'roundtable' || r.kind === 'consultation') && !r.archived_at);
    } catch {
      parentChoices = null;
      return;
    }
    replaceChildren(parentPick, ...parentChoices.map((r) => h('option', { value: r.id }, `${r.title} (${t(`kind.${r.kind}`)})`)));
    if (!parentChoices.length) status.textContent = t('caucus.noRooms');
  }
  parentForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const parent = parentPick.value;
    if (!parent) return;
    if (await send({ type: 'set_parent', parent })) announce(t('caucus.parentSet'));
  });

  const partnerPick = h('select', { id: 'caucus-partner-org' });
  const partnerReason = h('input', { id: 'caucus-partner-reason', type: 'text', maxlength: 500, autocomplete: 'off' });
  const partnerForm = h('form', { class: 'inline-form', id: 'caucus-name-form' },
    h('div', { class: 'field' }, h('label', { for: 'caucus-partner-org' }, t('caucus.organisation')), partnerPick),
    h('div', { class: 'field grow' }, h('label', { for: 'caucus-partner-reason' }, t('caucus.reason')), partnerReason),
    h('button', { type: 'submit' }, t('caucus.name')));
  partnerForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = partnerReason.value.trim();
    if (!reason) {
      status.textContent = t('caucus.reasonRequired');
      partnerReason.focus();
      return;
    }
    if (await send({ type: 'name_partner', org: partnerPick.value, reason })) {
      partnerReason.value = '';
      announce(t('caucus.named', { org: partnerPick.value }));
    }
  });

  // Removing a partner: the secretariat gives the reason in a form of its own.
  let removing = null;
  const removeReason = h('input', { id: 'caucus-remove-reason', type: 'text', maxlength: 500, autocomplete: 'off' });
  const removeLabel = h('label', { for: 'caucus-remove-reason' });
  const removeButton = h('button', { type: 'submit', class: 'danger' }, t('caucus.remove'));
  const removeForm = h('form', { class: 'inline-form', id: 'caucus-remove-form' },
    h('div', { class: 'field grow' }, removeLabel, removeReason),
    removeButton,
    h('button', { type: 'button', onclick: () => { removing = null; render(); } }, t('common.cancel')));
  removeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = removeReason.value.trim();
    if (!reason) {
      status.textContent = t('caucus.reasonRequired');
      removeReason.focus();
      return;
    }
    if (await send({ type: 'remove_partner', org: removing, reason })) {
      removeReason.value = '';
      removing = null;
      render();
    }
  });

  const seats = h('input', { id: 'caucus-seats', type: 'number', min: 1, value: 1 });
  const candidateBoxes = h('fieldset', { id: 'caucus-candidates' });
  const openForm = h('form', { id: 'caucus-open-form' },
    candidateBoxes,
    h('div', { class: 'inline-form' },
      h('div', { class: 'field' }, h('label', { for: 'caucus-seats' }, t('caucus.seats')), seats),
      h('button', { type: 'submit' }, t('caucus.openElection'))));
  openForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const candidates = [...candidateBoxes.querySelectorAll('input:checked')].map((i) => i.value);
    if (await send({ type: 'open_election', candidates, seats: Number(seats.value) })) announce(t('caucus.electionOpened'));
  });

  const draftText = h('textarea', { id: 'caucus-draft-text', rows: 4, maxlength: 10000 });
  const draftLang = h('select', { id: 'caucus-draft-lang' });
  const draftQuestion = h('select', { id: 'caucus-draft-question' });
  const questionField = h('div', { class: 'field' }, h('label', { for: 'caucus-draft-question' }, t('caucus.question')), draftQuestion);
  const draftForm = h('form', { id: 'caucus-draft-form' },
    h('h4', {}, t('caucus.newDraft')),
    h('div', { class: 'field' }, h('label', { for: 'caucus-draft-text' }, t('caucus.text')), draftText),
    h('div', { class: 'inline-form' },
      h('div', { class: 'field' }, h('label', { for: 'caucus-draft-lang' }, t('caucus.language')), draftLang),
      questionField,
      h('button', { type: 'submit' }, t('caucus.draft'))));
  draftForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = draftText.value.trim();
    if (!text) return;
    const command = { type: 'draft_joint_statement', text, lang: draftLang.value };
    if (c().parent?.kind === 'consultation' && draftQuestion.value) command.question = Number(draftQuestion.value);
    if (await send(command)) {
      draftText.value = '';
      announce(t('caucus.drafted'));
    }
  });
  // Starting a draft asks again for the parent's questions, if none were shown yet.
  draftForm.addEventListener('focusin', () => {
    if (c()?.parent?.kind === 'consultation') loadQuestions(c().parent.room);
  });
  /** The parent consultation's questions, fetched once per parent (again while there are none:
   * a consultation in draft shows its questions to nobody outside the secretariat yet). */
  let questionsOf = null;
  let loadingQuestions = false;
  async function loadQuestions(parent) {
    if ((questionsOf === parent && draftQuestion.options.length) || loadingQuestions) return;
    questionsOf = parent;
    loadingQuestions = true;
    try {
      const view = await roomView(app.token, parent);
      const questions = view.state?.consultation?.questions || [];
      replaceChildren(draftQuestion, ...questions.map((q) => h('option', { value: String(q.id) }, `#${q.id} ${isolate(q.text)}`)));
    } catch {
      replaceChildren(draftQuestion);
    } finally {
      loadingQuestions = false;
    }
  }

  /** A final step waiting for its confirmation: `{kind: 'adopt'|'close', id}`, or null. */
  let confirming = null;
  /**
   * The confirmation of a final step: what it does, then the button that does it and Cancel.
   * @param {string} text
   * @param {string} label
   * @param {string} id the confirming button's id
   * @param {() => Promise<void>} run
   */
  function confirmStrip(text, label, id, run) {
    return h('div', { class: 'confirm', role: 'group', 'aria-label': label },
      h('p', {}, text),
      h('p', { class: 'actions' },
        h('button', { type: 'button', class: 'small primary', id, onclick: async () => { confirming = null; await run(); render(); } }, label),
        ' ',
        h('button', { type: 'button', class: 'small', onclick: () => { confirming = null; render(); } }, t('common.cancel'))));
  }

  /** @type {Map<number, HTMLTextAreaElement>} the edit box of each statement */
  const editBoxes = new Map();
  /** @type {Map<number, HTMLFormElement>} the ballot of each open election (kept while choosing) */
  const ballots = new Map();

  /**
   * Renders the panel anew, keeping the keyboard where it was: the focused control (by id) gets
   * the focus back, with its selection; if it is gone (a button whose step is done), the
   * panel's heading takes it, never the top of the page.
   */
  function render() {
    if (!c()) return;
    const focused = element.contains(document.activeElement) ? document.activeElement : null;
    const id = focused?.id;
    const selection = focused && typeof focused.selectionStart === 'number'
      ? [focused.selectionStart, focused.selectionEnd] : null;
    draw();
    if (!focused || document.activeElement === focused) return;
    const again = id ? document.getElementById(id) : null;
    if (again && element.contains(again)) {
      again.focus();
      if (selection && typeof again.setSelectionRange === 'function') again.setSelectionRange(...selection);
    } else if (!element.contains(document.activeElement)) {
      element.querySelector('#caucus-heading').focus();
    }
  }

  function draw() {
    const caucus = c();
    const secretariat = role === 'secretariat';
    const chair = role === 'secretariat' || role === 'moderator';

    // The parent.
    replaceChildren(parentPart,
      h('h3', {}, t('caucus.parent')),
      caucus.parent
        ? h('p', { id: 'caucus-parent-line' }, t('caucus.parentOf', { kind: t(`caucus.parentKind.${caucus.parent.kind}`) }),
          h('a', { href: `#/rooms/${encodeURIComponent(caucus.parent.room)}` }, h('bdi', {}, caucus.parent.title)))
        : h('p', { class: 'help' }, t('caucus.noParent')),
      secretariat ? parentForm : null);
    if (secretariat) loadParentChoices();

    // The partners.
    const orgs = memberOrgs();
    const free = orgs.filter((o) => !caucus.partners.some((p) => p.org === o));
    if ([...partnerPick.options].map((o) => o.value).join('\n') !== free.join('\n')) {
      replaceChildren(partnerPick, ...free.map((o) => h('option', { value: o }, o)));
    }
    replaceChildren(partnersPart,
      h('h3', {}, t('caucus.partners')),
      caucus.partners.length
        ? h('ul', { id: 'caucus-partner-list' }, ...caucus.partners.map((p) => h('li', { dataset: { org: p.org } },
          h('bdi', { class: 'org' }, p.org), ' — ',
          p.election ? t('caucus.electedIn', { id: p.election }) : t('caucus.namedBecause', { reason: isolate(p.reason || '') }),
          ' · ', when(p.since),
          secretariat ? [' ', h('button', {
            type: 'button', class: 'small danger', 'aria-label': t('caucus.removeNamed', { org: p.org }),
            onclick: () => {
              removing = p.org;
              render();
              removeReason.focus();
            },
          }, t('caucus.remove'))] : null)))
        : h('p', { class: 'help' }, t('caucus.noPartners')),
      secretariat && removing ? removeForm : null,
      secretariat && free.length ? partnerForm : null);
    if (removing) removeLabel.textContent = t('caucus.removeReason', { org: removing });

    // Elections.
    const open = caucus.elections.find((e) => !e.result);
    const wanted = orgs.join('\n');
    if (candidateBoxes.dataset.orgs !== wanted) {
      candidateBoxes.dataset.orgs = wanted;
      replaceChildren(candidateBoxes, h('legend', {}, t('caucus.candidates')),
        ...orgs.map((o, i) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', value: o, id: `caucus-candidate-${i}` }), ' ', h('bdi', {}, o))));
    }
    replaceChildren(electionsPart,
      h('h3', {}, t('caucus.elections')),
      caucus.elections.length ? null : h('p', { class: 'help' }, t('caucus.noElections')),
      ...caucus.elections.slice().reverse().map((e) => electionItem(e, chair)),
      chair && !open && orgs.length ? openForm : null);

    // Joint statements.
    const langs = store.info.languages.join(' ');
    if (draftLang.dataset.langs !== langs) {
      draftLang.dataset.langs = langs;
      const keep = draftLang.value || (store.info.languages.includes(language()) ? language() : store.info.languages[0]);
      replaceChildren(draftLang, ...store.info.languages.map((l) => h('option', { value: l, selected: l === keep }, languageName(l))));
    }
    questionField.hidden = caucus.parent?.kind !== 'consultation';
    if (caucus.parent?.kind === 'consultation') loadQuestions(caucus.parent.room);
    replaceChildren(statementsPart,
      h('h3', {}, t('caucus.statements')),
      caucus.statements.length ? null : h('p', { class: 'help' }, t('caucus.noStatements')),
      ...caucus.statements.slice().reverse().map((s) => statementItem(s, secretariat)),
      isPartner() && caucus.parent ? draftForm : null);
  }

  function electionItem(e, chair) {
    const org = myOrg();
    const voted = org && e.voted.includes(org);
    const parts = [
      h('h4', {}, t('caucus.election', { id: e.id, count: e.seats })),
      h('p', {}, t('caucus.candidatesList', { list: names(e.candidates) })),
      h('p', { class: 'voted' }, t('caucus.votedList', { count: e.voted.length, list: names(e.voted) })),
    ];
    if (!e.result) {
      if (org && !voted && ballots.has(e.id)) {
        parts.push(ballots.get(e.id));
      } else if (org && !voted) {
        // One seat: one choice (radio buttons); more: up to that many boxes.
        const kind = e.seats === 1 ? 'radio' : 'checkbox';
        const boxes = e.candidates.map((cand, i) => h('label', { class: 'check' },
          h('input', { type: kind, name: `vote-${e.id}`, value: cand, id: `vote-${e.id}-${i}` }), ' ', h('bdi', {}, cand)));
        const form = h('form', { class: 'vote-form', dataset: { election: String(e.id) } },
          h('fieldset', {}, h('legend', {}, t('caucus.voteFor', { org, seats: e.seats })), ...boxes),
          h('button', { type: 'submit' }, t('caucus.vote')));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const choices = [...form.querySelectorAll('input:checked')].map((i) => i.value);
          if (!choices.length || choices.length > e.seats) {
            status.textContent = t('caucus.chooseSeats', { seats: e.seats });
            return;
          }
          if (await send({ type: 'cast_vote', election: e.id, choices })) announce(t('caucus.voteCast', { org }));
        });
        ballots.set(e.id, form);
        parts.push(form);
      } else if (voted) {
        parts.push(h('p', { class: 'help' }, t('caucus.alreadyVoted', { org })));
      }
      if (chair && confirming?.kind === 'close' && confirming.id === e.id) {
        parts.push(confirmStrip(
          t('caucus.closeConfirm', { voted: e.voted.length, total: memberOrgs().length }),
          t('caucus.closeForGood'), `close-for-good-${e.id}`,
          async () => { if (await send({ type: 'close_election', election: e.id })) announce(t('caucus.electionClosed')); }));
      } else if (chair) {
        parts.push(h('button', {
          type: 'button', id: `close-election-${e.id}`,
          onclick: () => { confirming = { kind: 'close', id: e.id }; render(); document.getElementById(`close-for-good-${e.id}`)?.focus(); },
        }, t('caucus.closeElection')));
      }
    } else {
      const r = e.result;
      parts.push(h('table', { class: 'result', id: `result-${e.id}` },
        h('caption', {}, t('caucus.result', { ballots: r.ballots })),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('caucus.organisation')), h('th', { scope: 'col' }, t('caucus.votes')))),
        h('tbody', {}, ...r.tally.map((line) => h('tr', { dataset: { org: line.org } },
          h('td', {}, h('bdi', {}, line.org), r.elected.includes(line.org) ? [' ', h('strong', {}, t('caucus.elected'))] : null),
          h('td', {}, String(line.votes)))))));
      if (r.tied?.length) {
        parts.push(h('p', { class: 'tie', id: `tie-${e.id}` }, t('caucus.tie', { list: names(r.tied), seats: r.unfilled || 0 })));
      } else if (r.unfilled) {
        parts.push(h('p', { class: 'help' }, t('caucus.unfilled', { seats: r.unfilled })));
      }
    }
    return h('article', { class: 'election', dataset: { election: String(e.id) } }, parts);
  }

  function statementItem(s, secretariat) {
    const version = s.versions.length;
    const current = s.versions[version - 1];
    const endorsers = s.endorsements.filter((e) => e.version === version).map((e) => e.org);
    const org = myOrg();
    const parts = [
      h('h4', {}, t('caucus.statement', { id: s.id, version })),
      h('p', { class: 'text', lang: s.lang, dir: 'auto' }, current.text),
      h('p', { class: 'meta' }, t('caucus.versionBy', { name: isolate(store.nameOf(current.by)), time: when(current.at) }),
        ' · ', languageName(s.lang), s.question ? [' · ', t('caucus.forQuestion', { id: s.question })] : null),
      h('p', { class: 'endorsers' }, t('caucus.endorsedBy', { count: endorsers.length, list: names(endorsers) })),
    ];
    if (version > 1) {
      parts.push(h('details', {}, h('summary', {}, t('caucus.versions', { count: version - 1 })),
        h('ol', {}, ...s.versions.slice(0, -1).map((v) => h('li', {},
          h('p', { lang: s.lang, dir: 'auto' }, v.text), h('p', { class: 'meta' }, t('caucus.versionBy', { name: isolate(store.nameOf(v.by)), time: when(v.at) })))))));
    }
    if (s.adopted_seq === undefined) {
      const actions = h('p', { class: 'actions' });
      if (org && !endorsers.includes(org)) {
        actions.append(h('button', { type: 'button', class: 'small', id: `endorse-${s.id}`,
          onclick: async () => { if (await send({ type: 'endorse_joint_statement', statement: s.id })) announce(t('caucus.endorsed', { org })); },
        }, t('caucus.endorse')));
      }
      const adopting = confirming?.kind === 'adopt' && confirming.id === s.id;
      if ((isPartner() || secretariat) && !adopting) {
        actions.append(h('button', { type: 'button', class: 'small primary', id: `adopt-${s.id}`,
          onclick: () => { confirming = { kind: 'adopt', id: s.id }; render(); document.getElementById(`adopt-for-good-${s.id}`)?.focus(); },
        }, t('caucus.adopt')));
      }
      parts.push(actions);
      if (adopting) {
        parts.push(confirmStrip(
          t('caucus.adoptConfirm', { version, count: endorsers.length, parent: c().parent?.title || '' }),
          t('caucus.adoptForGood'), `adopt-for-good-${s.id}`,
          async () => { if (await send({ type: 'adopt_joint_statement', statement: s.id })) announce(t('caucus.adopted')); }));
      }
      if (version > 1 && s.endorsements.some((e) => e.version < version)) {
        parts.push(h('p', { class: 'help' }, t('caucus.endorseAgain')));
      }
      if (isPartner()) {
        let box = editBoxes.get(s.id);
        if (!box) {
          box = h('textarea', { id: `edit-${s.id}`, rows: 3, maxlength: 10000 });
          box.value = current.text;
          editBoxes.set(s.id, box);
        }
        const form = h('form', { class: 'edit-form' },
          h('div', { class: 'field' }, h('label', { for: `edit-${s.id}` }, t('caucus.editText')), box),
          h('button', { type: 'submit' }, t('caucus.saveVersion')));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          if (await send({ type: 'edit_joint_statement', statement: s.id, text: box.value.trim() })) announce(t('caucus.saved'));
        });
        parts.push(form);
      }
    } else {
      parts.push(h('p', { class: 'adopted' }, t('caucus.adoptedLine', { seq: s.adopted_seq, list: names(s.adopted_endorsers || []) })));
      parts.push(deliveryLine(s, secretariat));
    }
    return h('article', { class: 'joint-statement', dataset: { statement: String(s.id) } }, parts);
  }

  function deliveryLine(s, secretariat) {
    const d = s.delivery || { status: 'pending' };
    const line = h('p', { class: `delivery ${d.status}`, id: `delivery-${s.id}` });
    if (d.status === 'posted') {
      line.append(t(d.held ? 'caucus.postedHeld' : 'caucus.posted'), ' ',
        h('a', { href: `#/rooms/${encodeURIComponent(s.parent)}` }, h('bdi', {}, c().parent?.room === s.parent ? c().parent.title : s.parent), ` #${d.seq}`));
    } else if (d.status === 'refused') {
      line.append(t('caucus.refused', { reason: isolate(d.reason) }));
      if (isPartner() || secretariat) {
        line.append(' ', h('button', { type: 'button', class: 'small', id: `resend-${s.id}`,
          onclick: () => send({ type: 'resend_joint_statement', statement: s.id }) }, t('caucus.resend')));
      }
    } else {
      line.append(t('caucus.pending'));
    }
    return line;
  }

  const onChange = () => {
    render();
    refresh();
  };
  store.addEventListener('change', onChange);
  await refresh();
  return {
    element,
    destroy: () => {
      gone = true;
      store.removeEventListener('change', onChange);
    },
  };
}
