/**
 * The consultation panel: the phase banner, the scheduled closing date (`deadline.js`, loaded
 * when there is one), the questions with their threaded submissions
 * (replies show whether they support, are neutral to or oppose what they answer), the
 * submission and reply forms while the phase allows them, reporting, the moderation queue for
 * moderators (approve, reject, hide, restore), the synthesis with its citations linking back to
 * the submissions, and the inputs received from child consultations with their chain of origin.
 * The data is the server's view of the room for this reader (view-sync.js keeps it current).
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime, language, languageName, t } from '../i18n.js';
import { act } from './act.js';
import { jointMark, phrase } from './labels.js';
import { synthesisSection, inputsSection } from './synthesis.js';
import { noOrganisationNote } from './participation-note.js';
import { redactButton } from './redact-button.js';

const ALIGNMENTS = ['supports', 'neutral', 'opposes'];

/**
 * Builds the consultation panel of a room and keeps it current.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, replacesStatements: boolean, destroy: () => void}}
 */
export function consultationPanel(app, store) {
  const me = app.claims?.sub;
  const canPost = app.claims?.role !== 'observer';
  const status = h('p', { class: 'status', role: 'status', id: 'consultation-status' });
  const banner = h('p', { id: 'phase-banner', class: 'phase-banner' });
  const closing = h('div');
  /** @type {Promise<object>|null} `deadline.js` and its strings, loaded once a close is scheduled */
  let closingModule = null;
  const queue = h('div');
  const synthesis = h('div');
  const inputs = h('div');
  const questions = h('div', { class: 'questions' });
  /** @type {Map<number, HTMLElement>} one submission form per question, kept across renders */
  const forms = new Map();
  /** @type {{statement: number, kind: string, node: HTMLElement}|null} the open reply/reason form */
  let open = null;

  // The secretariat's set-up and the synthesis editor are modules of their own, loaded only for
  // the people who may use them, so that a participant's first load does not carry them.
  /** @type {{element: HTMLElement, destroy: () => void}|null} */
  let setup = null;
  /** @type {{element: HTMLElement, update: () => void, destroy: () => void}|null} */
  let editor = null;
  let alive = true;
  const setupSlot = h('div');
  const editorSlot = h('div');
  if (app.claims?.role === 'secretariat') {
    import('./consultation-setup.js').then((m) => {
      if (!alive) return;
      setup = m.consultationSetup(app, store);
      setupSlot.replaceWith(setup.element);
    });
  }
  let editorRequested = false;
  /** Loads the synthesis editor the first time the person is one who may write the synthesis. */
  function requestEditor() {
    const mayEdit = app.claims?.role === 'secretariat' || (c()?.rapporteurs || []).includes(app.claims?.sub);
    if (editorRequested || !mayEdit) return;
    editorRequested = true;
    import('./synthesis-editor.js').then((m) => {
      if (!alive) return;
      editor = m.synthesisEditor(app, store, (id) => focusStatement(id));
      editorSlot.replaceWith(editor.element);
      editor.update();
    });
  }
  const element = h('section', { id: 'consultation-panel', class: 'card consultation', 'aria-labelledby': 'consultation-heading' },
    h('h2', { id: 'consultation-heading' }, t('kind.consultation')),
    banner, closing, status, setupSlot, queue, editorSlot, synthesis, inputs, questions);

  const c = () => store.consultation;
  const byId = () => new Map(store.consultationStatements.map((s) => [s.id, s]));
  const send = (command) => act(app, store, command, status);
  const phaseOpen = () => c()?.phase === 'open';

  function authorLine(s) {
    const name = s.joint?.title || store.members.get(s.author)?.profile.name || s.author;
    return [h('bdi', { class: 'who' }, name), s.org ? [h('span', { class: 'org' }, ' · '), h('bdi', { class: 'org' }, s.org)] : null];
  }

  function languageSelect(id) {
    const languages = store.info?.languages || [language()];
    const select = h('select', { id }, languages.map((l) => h('option', { value: l, lang: l }, languageName(l))));
    select.value = languages.includes(language()) ? language() : languages[0];
    return select;
  }

  function submissionForm(question) {
    let form = forms.get(question.id);
    if (form) return form;
    const textId = `submit-text-${question.id}`;
    const langId = `submit-lang-${question.id}`;
    const text = h('textarea', { id: textId, rows: 4, maxlength: 10000 });
    const lang = languageSelect(langId);
    form = h('form', { class: 'submit-form', dataset: { question: String(question.id) } },
      h('label', { for: textId }, t('cons.yourSubmission')), text,
      h('p', { class: 'row' }, h('label', { for: langId }, t('compose.language')), ' ', lang,
        h('button', { type: 'submit', class: 'primary' }, t('cons.submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) {
        status.textContent = t('compose.empty');
        text.focus();
        return;
      }
      status.textContent = t('compose.sending');
      const ack = await send({ type: 'post_statement', text: value, lang: lang.value, question: question.id });
      if (ack) {
        text.value = '';
        const note = heldNote();
        status.textContent = note || t('compose.posted', { id: ack.seq });
        announce(status.textContent);
      }
    });
    forms.set(question.id, form);
    return form;
  }

  function heldNote() {
    return c()?.moderation === 'pre' && !app.moderating ? t('cons.heldNote') : '';
  }

  function openForm(statement, kind) {
    const id = `form-${kind}-${statement.id}`;
    const node = kind === 'reply' ? replyForm(statement, id) : reasonForm(statement, kind, id);
    open = { statement: statement.id, kind, node };
    render();
    node.querySelector('textarea, input[type="text"]')?.focus();
  }

  function closeForm() {
    const id = open?.statement;
    open = null;
    render();
    element.querySelector(`[data-focus="reply-${id}"], [data-focus="report-${id}"]`)?.focus();
  }

  function replyForm(parent, id) {
    const text = h('textarea', { id: `${id}-text`, rows: 3, maxlength: 10000 });
    const lang = languageSelect(`${id}-lang`);
    const radios = [['', t('cons.align.none')], ...ALIGNMENTS.map((a) => [a, t(`cons.align.${a}`)])].map(([value, label], i) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: `${id}-alignment`, value, checked: i === 0 }), ' ', label));
    const form = h('form', { class: 'reply-form', id },
      h('label', { for: `${id}-text` }, t('cons.yourReply', { id: parent.id })), text,
      h('fieldset', { class: 'alignment' }, h('legend', {}, t('cons.alignment')), radios),
      h('p', { class: 'row' }, h('label', { for: `${id}-lang` }, t('compose.language')), ' ', lang,
        h('button', { type: 'submit', class: 'primary' }, t('cons.sendReply')),
        h('button', { type: 'button', onclick: closeForm }, t('common.cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) {
        status.textContent = t('compose.empty');
        text.focus();
        return;
      }
      const command = { type: 'post_statement', text: value, lang: lang.value, parent: parent.id };
      const alignment = form.querySelector('input[type="radio"]:checked')?.value;
      if (alignment) command.alignment = alignment;
      const ack = await send(command);
      if (ack) {
        status.textContent = heldNote() || t('compose.posted', { id: ack.seq });
        announce(status.textContent);
        closeForm();
      }
    });
    return form;
  }

  function reasonForm(statement, kind, id) {
    const input = h('input', { id: `${id}-reason`, type: 'text', maxlength: 500, autocomplete: 'off' });
    const form = h('form', { class: 'reason-form', id },
      h('label', { for: `${id}-reason` }, t(`cons.reason.${kind}`)), input,
      h('p', { class: 'actions' },
        h('button', { type: 'submit', class: kind === 'report' ? 'small' : 'small danger' }, t(`cons.confirm.${kind}`)),
        h('button', { type: 'button', class: 'small', onclick: closeForm }, t('common.cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const reason = input.value.trim();
      if (!reason) {
        status.textContent = t('statement.reasonRequired');
        input.focus();
        return;
      }
      const type = { report: 'report_statement', hide: 'hide_statement', reject: 'reject_statement' }[kind];
      if (await send({ type, statement: statement.id, reason })) {
        announce(t(`cons.done.${kind}`, { id: statement.id }));
        closeForm();
      }
    });
    return form;
  }

  function statementItem(s, replies) {
    const visible = !s.hidden && !s.held && !s.rejected && !s.redaction;
    const marks = [];
    if (s.alignment) marks.push(h('span', { class: `badge align-${s.alignment}` }, t(`cons.align.${s.alignment}`)));
    if (s.held) marks.push(h('span', { class: 'badge held' }, t('cons.held')));
    if (s.by_mail) marks.push(h('span', { class: 'badge by-mail' }, t('cons.byMail')));
    if (s.edited_at) marks.push(h('span', { class: 'help' }, t('cons.edited', { time: formatTime(s.edited_at) })));
    if (s.reports) marks.push(h('span', { class: 'badge reported' }, t('cons.reports', { count: s.reports })));
    const actions = h('p', { class: 'actions' });
    if (visible && phaseOpen() && canPost && !noOrganisationNote(app, store)) actions.append(h('button', { type: 'button', class: 'small', dataset: { focus: `reply-${s.id}` }, onclick: () => openForm(s, 'reply') }, t('statement.reply')));
    if (visible && s.author !== me && c()?.phase !== 'draft') actions.append(h('button', { type: 'button', class: 'small', dataset: { focus: `report-${s.id}` }, 'aria-label': t('cons.reportNamed', { id: s.id }), onclick: () => openForm(s, 'report') }, t('cons.report')));
    // A redacted statement has no text left to reply to, report, hide or approve.
    if (app.moderating && !s.redaction) actions.append(...moderationButtons(s));
    if (app.claims?.role === 'secretariat' && !s.redaction) actions.append(redactButton(app, store.id, s));
    return h('li', { id: `statement-${s.id}`, tabindex: '-1', dataset: { statement: String(s.id) } },
      h('article', { class: s.hidden || s.rejected ? 'statement is-hidden' : 'statement', 'aria-label': t('statement.label', { id: s.id, name: store.nameOf(s.author) }) },
        h('p', { class: 'meta' }, authorLine(s), ' ',
          h('span', { class: 'badge lang' }, languageName(s.lang)), ' ',
          h('time', { datetime: new Date(s.posted_at).toISOString() }, formatTime(s.posted_at)), ' ',
          h('span', { class: 'id' }, `#${s.id}`), marks.map((mark) => [' ', mark])),
        s.joint ? jointMark(s) : null,
        s.hidden ? h('p', { class: 'hidden-note', dir: 'auto' }, t('statement.hiddenReason', { reason: s.hidden.reason })) : null,
        s.rejected ? h('p', { class: 'hidden-note', dir: 'auto' }, t('cons.rejectedReason', { reason: s.rejected.reason })) : null,
        s.redaction ? h('p', { class: 'hidden-note', dir: 'auto' }, t('statement.redactedReason', { reason: s.redaction.reason }))
          : s.redacted ? null : h('p', { class: 'text', lang: s.lang, dir: 'auto' }, s.text),
        actions,
        open?.statement === s.id ? open.node : null),
      replies.length ? h('ol', { class: 'replies' }, replies) : null);
  }

  function moderationButtons(s) {
    const buttons = [];
    if (s.held) {
      buttons.push(h('button', { type: 'button', class: 'small primary', dataset: { focus: `approve-${s.id}` }, 'aria-label': t('cons.approveNamed', { id: s.id }), onclick: () => send({ type: 'approve_statement', statement: s.id }) }, t('cons.approve')));
      buttons.push(h('button', { type: 'button', class: 'small danger', dataset: { focus: `reject-${s.id}` }, 'aria-label': t('cons.rejectNamed', { id: s.id }), onclick: () => openForm(s, 'reject') }, t('cons.reject')));
    } else if (s.hidden) {
      buttons.push(h('button', { type: 'button', class: 'small', dataset: { focus: `restore-${s.id}` }, 'aria-label': t('cons.restoreNamed', { id: s.id }), onclick: () => send({ type: 'restore_statement', statement: s.id }) }, t('cons.restore')));
    } else if (!s.rejected) {
      buttons.push(h('button', { type: 'button', class: 'small danger', dataset: { focus: `hide-${s.id}` }, 'aria-label': t('statement.hideNamed', { id: s.id }), onclick: () => openForm(s, 'hide') }, t('statement.hide')));
    }
    return buttons;
  }

  function dismissButton(report) {
    return h('button', {
      type: 'button', class: 'small', dataset: { focus: `q-dismiss-${report.statement}-${report.by}` },
      'aria-label': t('ws.queue.dismissNamed', { id: report.statement, name: store.nameOf(report.by) }),
      onclick: async () => {
        if (await send({ type: 'dismiss_report', statement: report.statement, reporter: report.by })) announce(t('ws.queue.dismissed', { id: report.statement }));
      },
    }, t('ws.queue.dismiss'));
  }

  function renderQueue(statements) {
    const q = c()?.queue;
    if (!app.moderating || !q) {
      replaceChildren(queue);
      return;
    }
    const items = [
      ...q.held.map((id) => ({ id, what: t('cons.held') })),
      ...q.reported.map((r) => ({ id: r.statement, report: r, what: phrase('cons.reportedBy', { name: store.nameOf(r.by), reason: r.reason }, 'reason') })),
    ];
    replaceChildren(queue, h('section', { id: 'moderation-queue', class: 'queue', 'aria-labelledby': 'queue-heading' },
      h('h3', { id: 'queue-heading' }, t('cons.queue', { count: items.length })),
      items.length ? h('ul', { class: 'people' }, items.map(({ id, what, report }) => {
        const s = statements.get(id);
        return h('li', { dataset: { queued: String(id) } },
          h('a', { href: `#statement-${id}`, onclick: (e) => { e.preventDefault(); focusStatement(id); } }, `#${id}`), ' · ',
          s ? [authorLine(s), ' · '] : null, h('span', {}, what),
          s && !s.redacted ? h('span', { class: 'excerpt', lang: s.lang, dir: 'auto' }, ` “${s.text.slice(0, 120)}”`) : null,
          s ? h('span', { class: 'actions' }, moderationButtons(s).map((b) => { b.dataset.focus = `q-${b.dataset.focus}`; return b; }),
            report ? dismissButton(report) : null) : null);
      })) : h('p', { class: 'help' }, t('cons.queueEmpty'))));
  }

  function render() {
    const cons = c();
    if (!cons) return;
    const active = document.activeElement;
    const focusKey = active && element.contains(active) ? active.getAttribute('data-focus') : null;
    banner.dataset.phase = cons.phase;
    replaceChildren(banner, h('strong', {}, t(`cons.phase.${cons.phase}`)), ' ', t(`cons.phaseHelp.${cons.phase}`),
      cons.moderation === 'pre' ? ` ${t('cons.preModerated')}` : '');
    if (cons.deadline && !closingModule) {
      closingModule = import('./deadline.js').then(async (m) => { await m.ready(); return m; });
      closingModule.then(() => render(), () => {});
    }
    closingModule?.then((m) => m.showNote(closing, c()), () => {});
    const statements = byId();
    renderQueue(statements);
    replaceChildren(synthesis, synthesisSection(cons, statements, store, focusStatement));
    replaceChildren(inputs, inputsSection(cons));
    const childrenOf = new Map();
    for (const s of store.consultationStatements) {
      const key = s.parent !== undefined && statements.has(s.parent) ? s.parent : null;
      if (key !== null) {
        if (!childrenOf.has(key)) childrenOf.set(key, []);
        childrenOf.get(key).push(s);
      }
    }
    const tree = (s) => statementItem(s, (childrenOf.get(s.id) || []).map(tree));
    replaceChildren(questions, cons.questions.map((question) => {
      const roots = store.consultationStatements.filter((s) => s.question === question.id && (s.parent === undefined || !statements.has(s.parent)));
      const figures = cons.figures?.by_question?.[String(question.id)] || { submissions: 0, organisations: 0 };
      return h('section', { class: 'question', dataset: { question: String(question.id) }, 'aria-labelledby': `question-${question.id}` },
        h('h3', { id: `question-${question.id}`, dir: 'auto' }, question.text),
        h('p', { class: 'help' }, t('cons.figures', {
          statements: t('cons.figures.statements', { count: figures.submissions }),
          organisations: t('cons.figures.organisations', { count: figures.organisations }),
        })),
        roots.length ? h('ol', { class: 'thread' }, roots.map(tree)) : h('p', { class: 'help' }, t('cons.noSubmissions')),
        phaseOpen() && canPost ? (noOrganisationNote(app, store, question.id) || submissionForm(question)) : null);
    }));
    if (!cons.questions.length) questions.append(h('p', { class: 'help' }, t('cons.noQuestions')));
    requestEditor();
    editor?.update();
    if (active && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
    else if (focusKey && document.activeElement !== active) element.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  }

  function focusStatement(id) {
    const target = element.querySelector(`#statement-${id}`);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      target.focus({ preventScroll: true });
    }
  }

  const onChange = () => render();
  store.addEventListener('change', onChange);
  render();
  return {
    element,
    replacesStatements: true,
    destroy() {
      alive = false;
      store.removeEventListener('change', onChange);
      setup?.destroy();
      editor?.destroy();
    },
  };
}
