/**
 * The synthesis editor of the secretariat and the consultation's rapporteurs (synthesis phase):
 * one part per question, citations picked from the submissions themselves (select words in a
 * statement, press "Cite the selection": the statement's id and the exact excerpt are filled
 * in), a preview as readers will see it, and saving a version (`draft_synthesis`), which is
 * what the secretariat then publishes.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { act } from './act.js';
import { synthesisSection } from './synthesis.js';

/** Most characters of a citation's excerpt (`MAX_EXCERPT_CHARS`). */
const MAX_EXCERPT = 500;

/**
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @param {(id: number) => void} focusStatement
 * @returns {{element: HTMLElement, update: () => void, destroy: () => void}}
 */
export function synthesisEditor(app, store, focusStatement) {
  const me = app.claims?.sub;
  const status = h('p', { class: 'status', role: 'status', id: 'editor-status' });
  const parts = h('div', { class: 'editor-parts' });
  const citationList = h('ol', { class: 'citations editable', 'aria-labelledby': 'editor-citations-heading' });
  const selected = h('p', { class: 'help', id: 'selection-note', 'aria-live': 'polite' });
  const preview = h('div', { class: 'preview', id: 'synthesis-preview', hidden: true });
  const citeButton = h('button', { type: 'button', id: 'cite-selection', 'aria-describedby': 'cite-help selection-note' }, t('ws.synthesis.cite'));
  const previewButton = h('button', { type: 'button', id: 'preview-synthesis', 'aria-expanded': 'false', 'aria-controls': 'synthesis-preview' }, t('ws.synthesis.preview'));
  const saveButton = h('button', { type: 'submit', class: 'primary', id: 'save-synthesis' });
  const form = h('form', { class: 'synthesis-editor', 'aria-labelledby': 'editor-heading' },
    h('h3', { id: 'editor-heading' }, t('ws.synthesis.title')),
    h('p', { class: 'help' }, t('ws.synthesis.help')),
    parts,
    h('h4', { id: 'editor-citations-heading' }, t('cons.citations')),
    citationList,
    h('p', { class: 'help', id: 'cite-help' }, t('ws.synthesis.citeHelp')),
    selected,
    h('p', { class: 'actions' }, citeButton, previewButton, saveButton),
    status, preview);
  const element = h('section', { id: 'synthesis-editor', class: 'editor', hidden: true }, form);
  /** @type {Map<number, HTMLTextAreaElement>} */
  const areas = new Map();
  /** @type {Array<{statement: number, excerpt: string}>} */
  let citations = [];
  /** @type {{statement: number, excerpt: string}|null} */
  let selection = null;
  let loadedVersion = null;

  const c = () => store.consultation;
  const allowed = () => {
    const cons = c();
    return !!cons && cons.phase === 'synthesis' && (app.claims?.role === 'secretariat' || (cons.rapporteurs || []).includes(me));
  };

  function statementText(id) {
    return store.consultationStatements.find((s) => s.id === id);
  }

  function onSelection() {
    if (element.hidden) return;
    const sel = document.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    const textOf = (node) => (node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement)?.closest('#consultation-panel li[data-statement] > article > .text');
    const start = textOf(sel.anchorNode);
    if (!start || start !== textOf(sel.focusNode)) return;
    const excerpt = sel.toString().trim().slice(0, MAX_EXCERPT);
    if (!excerpt) return;
    selection = { statement: Number(start.closest('li[data-statement]').dataset.statement), excerpt };
    replaceChildren(selected, t('ws.synthesis.selected', { id: selection.statement }), ' ', h('q', { dir: 'auto' }, excerpt));
  }
  document.addEventListener('selectionchange', onSelection);

  citeButton.addEventListener('click', () => {
    if (!selection) {
      status.textContent = t('ws.synthesis.selectFirst');
      return;
    }
    if (!citations.some((x) => x.statement === selection.statement && x.excerpt === selection.excerpt)) citations.push(selection);
    announce(t('ws.synthesis.cited', { id: selection.statement }));
    selection = null;
    replaceChildren(selected);
    status.textContent = '';
    renderCitations();
  });

  previewButton.addEventListener('click', () => {
    preview.hidden = !preview.hidden;
    previewButton.setAttribute('aria-expanded', String(!preview.hidden));
    renderPreview();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = composed();
    if (!text) {
      status.textContent = t('ws.synthesis.empty');
      areas.values().next().value?.focus();
      return;
    }
    status.textContent = t('compose.sending');
    const ack = await act(app, store, { type: 'draft_synthesis', text, citations }, status);
    if (ack) {
      status.textContent = t('ws.synthesis.saved');
      announce(status.textContent);
    }
  });

  function composed() {
    const questions = c()?.questions || [];
    const texts = questions.map((q) => [q, (areas.get(q.id)?.value || '').trim()]).filter(([, text]) => text);
    if (questions.length <= 1) return texts.map(([, text]) => text).join('\n\n');
    return texts.map(([q, text]) => `${q.text}\n${text}`).join('\n\n');
  }

  /** Puts a saved version back into the parts (each part begins with its question). */
  function load(syn, questions) {
    if (questions.length <= 1) {
      if (questions[0]) area(questions[0]).value = syn.text;
      return;
    }
    let rest = syn.text;
    const found = questions.map((q) => [q, rest.indexOf(`${q.text}\n`)]).filter(([, at]) => at >= 0).sort((a, b) => a[1] - b[1]);
    if (!found.length) {
      area(questions[0]).value = syn.text;
      return;
    }
    found.forEach(([q, at], i) => {
      const end = i + 1 < found.length ? found[i + 1][1] : rest.length;
      area(q).value = rest.slice(at + q.text.length + 1, end).trim();
    });
  }

  function area(q) {
    let el = areas.get(q.id);
    if (!el) {
      el = h('textarea', { id: `synthesis-part-${q.id}`, rows: 5, maxlength: 20000 });
      el.addEventListener('input', () => { if (!preview.hidden) renderPreview(); });
      areas.set(q.id, el);
    }
    return el;
  }

  function renderCitations() {
    replaceChildren(citationList, citations.map((citation, i) => {
      const s = statementText(citation.statement);
      return h('li', { dataset: { cites: String(citation.statement) } },
        h('a', { href: `#statement-${citation.statement}`, onclick: (e) => { e.preventDefault(); focusStatement(citation.statement); } }, t('cons.citesStatement', { id: citation.statement })),
        s ? [' · ', h('bdi', {}, s.org || store.nameOf(s.author))] : null, ' ',
        h('q', { dir: 'auto', lang: s?.lang }, citation.excerpt), ' ',
        h('button', { type: 'button', class: 'small', 'aria-label': t('ws.synthesis.removeNamed', { id: citation.statement }), onclick: () => {
          citations.splice(i, 1);
          renderCitations();
          citeButton.focus();
        } }, t('ws.synthesis.remove')));
    }));
    if (!citations.length) citationList.append(h('li', { class: 'help' }, t('ws.synthesis.noCitations')));
    if (!preview.hidden) renderPreview();
  }

  function renderPreview() {
    if (preview.hidden) return;
    const cons = c();
    const draft = { text: composed() || '…', citations, version: (cons.synthesis?.version || 0) + 1, by: me, at: Date.now() };
    const statements = new Map(store.consultationStatements.map((s) => [s.id, s]));
    const section = synthesisSection({ ...cons, phase: 'published', synthesis: draft }, statements, store, focusStatement);
    // The preview's ids must not repeat the page's.
    for (const el of section.querySelectorAll('[id]')) el.id = `preview-${el.id}`;
    for (const el of section.querySelectorAll('[aria-labelledby]')) el.setAttribute('aria-labelledby', `preview-${el.getAttribute('aria-labelledby')}`);
    section.id = 'preview-synthesis-section';
    section.setAttribute('aria-labelledby', 'preview-synthesis-heading');
    section.querySelector('h3').id = 'preview-synthesis-heading';
    replaceChildren(preview, h('p', { class: 'help' }, t('ws.synthesis.previewNote')), section);
  }

  function update() {
    const show = allowed();
    element.hidden = !show;
    if (!show) return;
    const cons = c();
    const questions = cons.questions;
    const key = questions.map((q) => q.id).join(',');
    if (parts.dataset.questions !== key) {
      parts.dataset.questions = key;
      replaceChildren(parts, questions.map((q) => h('p', { class: 'field' },
        h('label', { for: `synthesis-part-${q.id}` }, questions.length > 1 ? t('ws.synthesis.part', { question: q.text }) : t('ws.synthesis.text')),
        area(q))));
    }
    if (cons.synthesis && loadedVersion === null) {
      load(cons.synthesis, questions);
      citations = cons.synthesis.citations.filter((x) => x.statement !== undefined && x.statement !== null).map((x) => ({ statement: x.statement, excerpt: x.excerpt || '' }));
    }
    loadedVersion = cons.synthesis?.version ?? 0;
    saveButton.textContent = app.claims?.role === 'secretariat' ? t('ws.synthesis.save') : t('ws.synthesis.submit');
    renderCitations();
  }

  return {
    element,
    update,
    destroy: () => document.removeEventListener('selectionchange', onSelection),
  };
}
