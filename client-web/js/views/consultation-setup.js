/**
 * The secretariat's set-up of a consultation, above its questions: the phase with a
 * confirmation that says what a change does; the closing date the server closes submissions at
 * (`deadline.js`, loaded on demand); the questions (added while draft or open, edited
 * and withdrawn until the consultation opens); post- or pre-moderation; the rapporteurs; and
 * the parent consultation it rolls up into (while draft). Every change is a command; the
 * server decides and the view follows the record.
 */

import { announce } from '../announce.js';
import { listRooms } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { geo, scopeWithin } from '../workspace-api.js';
import { act } from './act.js';
import { scopeText } from './labels.js';

/** The phases a consultation may move to from each phase (as `domain::consultation::phase`). */
const NEXT = {
  draft: ['open'],
  open: ['closed'],
  closed: ['open', 'synthesis'],
  synthesis: ['published'],
  published: [],
};

/**
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function consultationSetup(app, store) {
  const status = h('p', { class: 'status', role: 'status', id: 'setup-status' });
  const body = h('div');
  const element = h('section', { id: 'consultation-setup', class: 'setup', 'aria-labelledby': 'setup-heading' },
    h('h3', { id: 'setup-heading' }, t('ws.setup.title')), status, body);
  const send = (command) => act(app, store, command, status);
  const c = () => store.consultation;
  /** @type {string|null} the phase awaiting confirmation */
  let confirming = null;
  /** @type {number|null} the question being edited */
  let editing = null;
  const newQuestion = h('textarea', { id: 'new-question', rows: 2, maxlength: 1000 });
  const editText = h('textarea', { id: 'edit-question-text', rows: 2, maxlength: 1000 });
  const rapporteur = h('input', { id: 'new-rapporteur', type: 'text', list: 'rapporteur-choices', autocomplete: 'off', maxlength: 128 });
  const parentSelect = h('select', { id: 'parent-choice' });
  let candidates = null;
  /** @type {{render: (cons: object) => HTMLElement}|null} the closing date control, loaded on demand */
  let deadline = null;

  async function loadDeadline() {
    try {
      const m = await import('./deadline.js');
      await m.ready();
      deadline = m.deadlineSetup(send, status);
    } catch {
      deadline = null;
    }
    render();
  }

  async function loadCandidates() {
    try {
      const [table, rooms] = await Promise.all([geo(app.token), listRooms(app.token)]);
      candidates = rooms.filter((r) => r.kind === 'consultation' && r.id !== store.id && scopeWithin(store.info.scope, r.scope, table));
    } catch {
      candidates = [];
    }
    render();
  }

  function phaseSection(cons) {
    const next = NEXT[cons.phase] || [];
    const buttons = next.map((to) => {
      const label = t(`ws.phase.do.${cons.phase === 'closed' && to === 'open' ? 'reopen' : to}`);
      return h('button', { type: 'button', class: to === 'published' || to === 'open' ? 'primary' : '', dataset: { focus: `phase-${to}` }, 'aria-expanded': confirming === to ? 'true' : 'false', onclick: () => { confirming = to; render(); element.querySelector('[data-focus="phase-confirm"]')?.focus(); } }, label);
    });
    let confirm = null;
    if (confirming && next.includes(confirming)) {
      const what = cons.phase === 'closed' && confirming === 'open' ? 'reopen' : confirming;
      confirm = h('div', { class: 'confirm', role: 'group', id: 'phase-confirm', 'aria-labelledby': 'phase-confirm-text' },
        h('p', { id: 'phase-confirm-text' }, h('strong', {}, t('ws.phase.confirmTitle', { from: t(`cons.phase.${cons.phase}`), to: t(`cons.phase.${confirming}`) })), ' ', t(`ws.phase.what.${what}`)),
        h('p', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', dataset: { focus: 'phase-confirm' }, onclick: async () => {
            const to = confirming;
            confirming = null;
            if (await send({ type: 'set_phase', phase: to })) announce(t('ws.phase.done', { phase: t(`cons.phase.${to}`) }));
            render();
          } }, t('ws.phase.confirm')),
          h('button', { type: 'button', dataset: { focus: 'phase-cancel' }, onclick: () => { const to = confirming; confirming = null; render(); element.querySelector(`[data-focus="phase-${to}"]`)?.focus(); } }, t('common.cancel'))));
    }
    return h('section', { class: 'setup-part', 'aria-labelledby': 'setup-phase-heading' },
      h('h4', { id: 'setup-phase-heading' }, t('ws.setup.phase', { phase: t(`cons.phase.${cons.phase}`) })),
      buttons.length ? h('p', { class: 'actions' }, buttons) : h('p', { class: 'help' }, t('ws.phase.final')),
      confirm);
  }

  function questionsSection(cons) {
    const draft = cons.phase === 'draft';
    const items = cons.questions.map((q) => {
      if (editing === q.id) {
        const form = h('form', { class: 'edit-question' },
          h('label', { for: 'edit-question-text' }, t('ws.question.editLabel')), editText,
          h('p', { class: 'actions' },
            h('button', { type: 'submit', class: 'primary small' }, t('ws.question.save')),
            h('button', { type: 'button', class: 'small', onclick: () => { editing = null; render(); element.querySelector(`[data-focus="edit-q-${q.id}"]`)?.focus(); } }, t('common.cancel'))));
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          const text = editText.value.trim();
          if (!text) { status.textContent = t('compose.empty'); editText.focus(); return; }
          if (await send({ type: 'edit_question', question: q.id, text })) {
            editing = null;
            announce(t('ws.question.saved'));
            render();
            element.querySelector(`[data-focus="edit-q-${q.id}"]`)?.focus();
          }
        });
        return h('li', { dataset: { setupQuestion: String(q.id) } }, form);
      }
      return h('li', { dataset: { setupQuestion: String(q.id) } },
        h('span', { dir: 'auto' }, q.text),
        draft ? h('span', { class: 'actions' },
          h('button', { type: 'button', class: 'small', dataset: { focus: `edit-q-${q.id}` }, 'aria-label': t('ws.question.editNamed', { text: q.text.slice(0, 60) }), onclick: () => { editing = q.id; editText.value = q.text; render(); editText.focus(); } }, t('ws.question.edit')),
          h('button', { type: 'button', class: 'small danger', dataset: { focus: `withdraw-q-${q.id}` }, 'aria-label': t('ws.question.withdrawNamed', { text: q.text.slice(0, 60) }), onclick: async () => {
            if (await send({ type: 'withdraw_question', question: q.id })) announce(t('ws.question.withdrawn'));
            element.querySelector('#new-question')?.focus();
          } }, t('ws.question.withdraw'))) : null);
    });
    const canAdd = draft || cons.phase === 'open';
    const add = canAdd ? h('form', { class: 'add-question' },
      h('label', { for: 'new-question' }, t('ws.question.new')), newQuestion,
      h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', dataset: { focus: 'add-question' } }, t('ws.question.add')))) : null;
    add?.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = newQuestion.value.trim();
      if (!text) { status.textContent = t('compose.empty'); newQuestion.focus(); return; }
      if (await send({ type: 'add_question', text })) {
        newQuestion.value = '';
        announce(t('ws.question.added'));
      }
    });
    return h('section', { class: 'setup-part', 'aria-labelledby': 'setup-questions-heading' },
      h('h4', { id: 'setup-questions-heading' }, t('ws.setup.questions', { count: cons.questions.length })),
      items.length ? h('ol', { class: 'setup-questions' }, items) : h('p', { class: 'help' }, t('ws.question.none')),
      !draft && cons.questions.length ? h('p', { class: 'help' }, t('ws.question.fixed')) : null,
      add);
  }

  function moderationSection(cons) {
    const changeable = cons.phase === 'draft' || cons.phase === 'open';
    const radios = ['post', 'pre'].map((mode) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'moderation-mode', value: mode, checked: cons.moderation === mode, disabled: !changeable, dataset: { focus: `mode-${mode}` },
        onchange: async () => { if (await send({ type: 'set_moderation', mode })) announce(t(`ws.moderation.${mode}`)); } }),
      ' ', t(`ws.moderation.${mode}`)));
    return h('fieldset', { class: 'setup-part moderation' }, h('legend', {}, t('ws.setup.moderation')), radios);
  }

  function rapporteursSection(cons) {
    const list = (cons.rapporteurs || []).map((user) => h('li', { dataset: { rapporteur: user } },
      h('bdi', { class: 'who' }, store.nameOf(user)), ' ',
      cons.phase !== 'published' ? h('button', { type: 'button', class: 'small', dataset: { focus: `dismiss-r-${user}` }, 'aria-label': t('ws.rapporteur.dismissNamed', { name: store.nameOf(user) }), onclick: () => send({ type: 'dismiss_rapporteur', user }) }, t('ws.rapporteur.dismiss')) : null));
    const choices = h('datalist', { id: 'rapporteur-choices' },
      [...store.members.values()].filter((m) => !['secretariat', 'moderator'].includes(m.profile.role)).map((m) => h('option', { value: m.profile.user }, m.profile.name)));
    const form = cons.phase !== 'published' ? h('form', { class: 'row appoint' },
      h('label', { for: 'new-rapporteur' }, t('ws.rapporteur.user')), rapporteur, choices,
      h('button', { type: 'submit', dataset: { focus: 'appoint' } }, t('ws.rapporteur.appoint'))) : null;
    form?.addEventListener('submit', async (e) => {
      e.preventDefault();
      const user = rapporteur.value.trim();
      if (!user) { status.textContent = t('ws.rapporteur.required'); rapporteur.focus(); return; }
      if (await send({ type: 'appoint_rapporteur', user })) {
        rapporteur.value = '';
        announce(t('ws.rapporteur.appointed', { name: store.nameOf(user) }));
      }
    });
    return h('section', { class: 'setup-part', 'aria-labelledby': 'setup-rapporteurs-heading' },
      h('h4', { id: 'setup-rapporteurs-heading' }, t('ws.setup.rapporteurs')),
      list.length ? h('ul', { class: 'people' }, list) : h('p', { class: 'help' }, t('ws.rapporteur.none')),
      h('p', { class: 'help' }, t('ws.rapporteur.help')),
      form);
  }

  function parentSection(cons) {
    const current = cons.parent ? (candidates || []).find((r) => r.id === cons.parent) : null;
    const named = cons.parent ? h('p', { id: 'parent-current' }, t('ws.parent.current'), ' ', h('bdi', {}, current ? current.title : cons.parent)) : h('p', { class: 'help', id: 'parent-current' }, t('ws.parent.none'));
    let form = null;
    if (cons.phase === 'draft') {
      if (candidates === null) {
        form = h('p', { class: 'help' }, t('common.loading'));
      } else if (!candidates.length) {
        form = h('p', { class: 'help' }, t('ws.parent.noCandidates'));
      } else {
        const keep = parentSelect.value || cons.parent || '';
        replaceChildren(parentSelect, h('option', { value: '' }, t('ws.room.noParent')),
          candidates.map((r) => h('option', { value: r.id, selected: r.id === keep }, `${r.title} (${scopeText(r.scope)})`)));
        form = h('form', { class: 'row' }, h('label', { for: 'parent-choice' }, t('ws.room.parent')), parentSelect,
          h('button', { type: 'submit', dataset: { focus: 'set-parent' } }, t('ws.parent.set')));
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          if (!parentSelect.value) return;
          if (await send({ type: 'set_parent', parent: parentSelect.value })) announce(t('ws.parent.done'));
        });
      }
    }
    return h('section', { class: 'setup-part', 'aria-labelledby': 'setup-parent-heading' },
      h('h4', { id: 'setup-parent-heading' }, t('ws.setup.parent')), named, form);
  }

  function render() {
    const cons = c();
    if (!cons) return;
    const active = document.activeElement;
    const focusKey = active && element.contains(active) ? active.getAttribute('data-focus') : null;
    const closing = deadline && (cons.phase === 'draft' || cons.phase === 'open') ? deadline.render(cons) : null;
    replaceChildren(body, phaseSection(cons), closing, questionsSection(cons), moderationSection(cons), rapporteursSection(cons), parentSection(cons));
    if (active && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
    else if (focusKey && !active?.isConnected) element.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  }

  const onChange = () => render();
  store.addEventListener('change', onChange);
  render();
  loadCandidates();
  loadDeadline();
  return { element, destroy: () => store.removeEventListener('change', onChange) };
}
