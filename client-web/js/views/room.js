/**
 * A room: who is present, the statements as threads with replies (each showing its language),
 * writing a statement or a reply, and hiding a statement with a reason for moderators.
 * Statements are rendered incrementally (one element per statement, kept by id) so that focus
 * and a half-written reply survive new events.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, formatTime, language, languageName, loadStrings, t, tOr } from '../i18n.js';
import { kindPanel } from './panels.js';
import { jointMark, scopeText } from './labels.js';
import { showRefusal } from './room-refusal.js';
import { roomHeader } from './room-header.js';
import { exportControl } from './export-control.js';
import { redactButton } from './redact-button.js';

/**
 * Renders a room and keeps it live.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} roomId
 * @returns {(stay?: boolean) => void} cleanup; `stay` keeps the room joined (a language change)
 */
export function renderRoom(app, main, roomId) {
  const store = app.enterRoom(roomId);
  const role = app.claims?.role;
  const canPost = role !== 'observer';
  const heading = h('h1', { id: 'room-heading' }, roomId);
  const facts = h('p', { class: 'facts-line' });
  const status = h('p', { class: 'status', role: 'status' }, t('common.loading'));
  const panelSlot = h('div');
  const header = roomHeader(app, store);
  const exports = exportControl(app, roomId);
  // The minutes card and its strings load on demand (views/minutes.js).
  const minutesSlot = h('div');
  let minutes = null;
  let alive = true;
  Promise.all([import('./minutes.js'), loadStrings('minutes')]).then(([m]) => {
    if (!alive) return;
    minutes = m.minutesCard(app, store);
    replaceChildren(minutesSlot, minutes.element);
  }).catch(() => {});
  const presentHeading = h('h2', { id: 'present-heading' }, t('room.presentNow', { count: 0 }));
  const presentList = h('ul', { class: 'people', 'aria-labelledby': 'present-heading' });
  // The audience (observers, and in large rooms those without a part in the debate) is counted.
  const audienceLine = h('p', { class: 'audience help', id: 'audience-count' });
  audienceLine.hidden = true;
  const thread = h('ol', { class: 'thread', 'aria-labelledby': 'statements-heading' });
  const empty = h('p', { class: 'help' }, t('room.noStatements'));
  const compose = canPost ? composeForm(app, store) : h('p', { class: 'help' }, t('room.observerNote'));
  /** @type {Map<number, HTMLElement>} */
  const rendered = new Map();
  const statementsSection = h('section', { class: 'card statements', 'aria-labelledby': 'statements-heading' },
    h('h2', { id: 'statements-heading' }, t('room.statements')), empty, thread, compose.element || compose);
  const layout = h('div', { class: 'room-layout' }, statementsSection,
    h('aside', { class: 'card present', 'aria-labelledby': 'present-heading' }, presentHeading, presentList, audienceLine));

  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': t('room.crumbs') },
      h('a', { href: '#/rooms' }, t('rooms.title')),
      app.moderating ? [' · ', h('a', { href: `#/rooms/${encodeURIComponent(roomId)}/record` }, t('rooms.record'))] : null),
    heading, facts, status, header.element, panelSlot,
    layout, exports.element, minutesSlot);

  let infoShown = false;
  /** @type {{element: HTMLElement, destroy?: () => void}|null} */
  let panel = null;
  function renderAll(detail) {
    if (!store.info) return;
    if (!infoShown) {
      infoShown = true;
      heading.textContent = store.info.title;
      app.setTitle(store.info.title);
      replaceChildren(facts,
        h('span', { class: `badge kind-${store.info.kind}` }, t(`kind.${store.info.kind}`)), ' ',
        store.info.constituency ? [tOr(`constituency.${store.info.constituency}`, store.info.constituency), ' · '] : null,
        scopeText(store.info.scope), ' · ',
        t('room.languagesList', { list: formatList(store.info.languages.map(languageName)) }));
      panel = kindPanel(app, store);
      replaceChildren(panelSlot, panel?.element);
      // A consultation shows its statements threaded under its questions instead.
      statementsSection.hidden = !!panel?.replacesStatements;
      layout.classList.toggle('single', !!panel?.replacesStatements);
      compose.setLanguages?.(store.info.languages);
    }
    header.update();
    exports.update(store.info);
    if (heading.textContent !== store.info.title) {
      heading.textContent = store.info.title;
      app.setTitle(store.info.title);
    }
    status.textContent = '';
    const present = store.present();
    presentHeading.textContent = t('room.presentNow', { count: present.length });
    audienceLine.hidden = store.audience === 0;
    audienceLine.textContent = t('room.audience', { count: store.audience });
    replaceChildren(presentList, ...present.map((m) => h('li', { dataset: { user: m.profile.user } },
      h('bdi', { class: 'who' }, m.profile.name), ' ',
      h('span', { class: 'badge' }, t(`role.${m.profile.role}`)),
      m.profile.org ? [h('span', { class: 'org' }, ' · '), h('bdi', { class: 'org' }, m.profile.org)] : null)));
    for (const statement of store.statements.values()) renderStatement(statement);
    empty.hidden = store.statements.size > 0;
    // A held statement (pre-moderation) is not announced: most readers cannot see it yet.
    const fromOthers = (detail?.posted || []).filter((s) => s.author !== app.claims?.sub && !s.held);
    if (fromOthers.length) {
      announce(fromOthers.length === 1
        ? t('room.newStatement', { name: store.nameOf(fromOthers[0].author) })
        : t('room.newStatements', { count: fromOthers.length }));
    }
  }

  function renderStatement(statement) {
    let item = rendered.get(statement.id);
    // A redaction replaces the text for everyone, hidden or not.
    const stateKey = statement.redaction ? 'x' : statement.hidden ? `h${statement.redacted ? 'r' : ''}` : 'v';
    if (item && item.dataset.state === stateKey) return;
    const fresh = statementItem(app, store, statement, compose);
    fresh.dataset.state = stateKey;
    if (item) {
      // Keep the replies list (it holds the replies' own elements).
      const replies = item.querySelector(':scope > ol.replies');
      fresh.querySelector(':scope > ol.replies').replaceWith(replies);
      item.replaceWith(fresh);
    } else {
      const parentItem = statement.parent !== undefined ? rendered.get(statement.parent) : null;
      (parentItem ? parentItem.querySelector(':scope > ol.replies') : thread).appendChild(fresh);
    }
    rendered.set(statement.id, fresh);
  }

  const onChange = (e) => renderAll(e.detail);
  const onError = (e) => {
    if (!store.info && ['forbidden', 'room_not_found'].includes(e.detail.code)) {
      showRefusal(app, main, roomId, e.detail);
      return;
    }
    status.textContent = tOr(`error.${e.detail.code}`, e.detail.message);
  };
  store.addEventListener('change', onChange);
  store.addEventListener('error', onError);
  if (store.info) renderAll(null);
  return (stay) => {
    alive = false;
    minutes?.destroy();
    panel?.destroy?.();
    store.removeEventListener('change', onChange);
    store.removeEventListener('error', onError);
    if (!stay) app.leaveRoom(roomId);
  };
}

function statementItem(app, store, statement, compose) {
  const author = store.members.get(statement.author)?.profile;
  const langName = languageName(statement.lang);
  const headerParts = [
    // A joint statement speaks for its caucus, not for whoever adopted it.
    h('bdi', { class: 'who' }, statement.joint?.title || author?.name || statement.author),
    statement.org ? [h('span', { class: 'org' }, ' · '), h('bdi', { class: 'org' }, statement.org)] : null,
    ' ',
    h('span', { class: 'badge lang', title: t('statement.language', { name: langName }) },
      h('span', { class: 'visually-hidden' }, `${t('statement.languageLabel')}: `), langName),
    ' ',
    h('time', { dir: 'auto', datetime: new Date(statement.posted_at).toISOString() }, formatTime(statement.posted_at)),
    ' ',
    h('span', { class: 'id' }, `#${statement.id}`),
  ];
  const body = [];
  if (statement.joint) body.push(jointMark(statement));
  if (statement.hidden) {
    body.push(h('p', { class: 'hidden-note', dir: 'auto' }, t('statement.hiddenReason', { reason: statement.hidden.reason })));
  }
  if (statement.redaction) {
    body.push(h('p', { class: 'hidden-note', dir: 'auto' }, t('statement.redactedReason', { reason: statement.redaction.reason })));
  } else if (!statement.redacted) {
    body.push(h('p', { class: statement.hidden ? 'text muted' : 'text', lang: statement.lang, dir: 'auto' }, statement.text));
  }
  const actions = h('p', { class: 'actions' });
  // A redacted statement has no text left to reply to or hide.
  if (compose.replyTo && !statement.hidden && !statement.redaction) {
    actions.appendChild(h('button', {
      type: 'button', class: 'small', 'aria-label': t('statement.replyNamed', { id: statement.id, name: author?.name || statement.author }),
      onclick: () => compose.replyTo(statement, author?.name || statement.author),
    }, t('statement.reply')));
  }
  if (app.claims?.role === 'secretariat' && !statement.redaction) actions.appendChild(redactButton(app, store.id, statement));
  if (app.moderating && !statement.hidden && !statement.redaction) {
    actions.appendChild(h('button', {
      type: 'button', class: 'small danger', 'aria-label': t('statement.hideNamed', { id: statement.id }),
      onclick: (e) => openHideForm(app, store, statement, e.currentTarget.closest('article')),
    }, t('statement.hide')));
  }
  return h('li', { dataset: { statement: String(statement.id) } },
    h('article', { class: statement.hidden ? 'statement is-hidden' : 'statement', 'aria-label': t('statement.label', { id: statement.id, name: author?.name || statement.author }) },
      h('p', { class: 'meta' }, headerParts), body, actions),
    h('ol', { class: 'replies' }));
}

function openHideForm(app, store, statement, article) {
  if (article.querySelector('form.hide')) return;
  const id = `hide-reason-${statement.id}`;
  const reason = h('input', { id, type: 'text', required: true, maxlength: 500, autocomplete: 'off' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'hide' },
    h('label', { for: id }, t('statement.hideReason')), reason, error,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'small danger' }, t('statement.hideConfirm')),
      h('button', { type: 'button', class: 'small', onclick: () => form.remove() }, t('common.cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = reason.value.trim();
    if (!text) {
      error.textContent = t('statement.reasonRequired');
      reason.focus();
      return;
    }
    try {
      await app.conn.command(store.id, { type: 'hide_statement', statement: statement.id, reason: text });
      announce(t('statement.hiddenDone', { id: statement.id }));
    } catch (err) {
      error.textContent = tOr(`error.${err.code}`, err.message);
    }
  });
  article.appendChild(form);
  reason.focus();
}

function composeForm(app, store) {
  const textarea = h('textarea', { id: 'compose-text', rows: 3, required: true, maxlength: 10000 });
  textarea.value = app.drafts[store.id] || '';
  textarea.addEventListener('input', () => { app.drafts[store.id] = textarea.value; });
  const langSelect = h('select', { id: 'compose-lang' });
  const replyNote = h('p', { class: 'reply-note', hidden: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const pending = h('p', { class: 'help pending', role: 'status' });
  let parent = null;
  const form = h('form', { class: 'compose', 'aria-labelledby': 'compose-heading' },
    h('h3', { id: 'compose-heading' }, t('compose.title')),
    replyNote,
    h('label', { for: 'compose-text' }, t('compose.text')),
    textarea,
    h('div', { class: 'row' },
      h('label', { for: 'compose-lang' }, t('compose.language')),
      langSelect,
      h('button', { type: 'submit', class: 'primary' }, t('compose.post'))),
    error, pending);

  function setLanguages(languages) {
    const choices = [...new Set([...languages, 'ar', 'zh', 'en', 'fr', 'ru', 'es'])];
    const preferred = languages.includes(language()) ? language() : languages[0];
    replaceChildren(langSelect, ...choices.map((code) => h('option', { value: code, lang: code, selected: code === preferred }, languageName(code))));
  }
  setLanguages([language()]);

  function clearReply() {
    parent = null;
    replyNote.hidden = true;
    replaceChildren(replyNote);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      error.textContent = t('compose.empty');
      textarea.focus();
      return;
    }
    error.textContent = '';
    const command = { type: 'post_statement', text, lang: langSelect.value };
    if (parent !== null) command.parent = parent;
    textarea.value = '';
    app.drafts[store.id] = '';
    clearReply();
    pending.textContent = t('compose.sending');
    try {
      const ack = await app.conn.command(store.id, command);
      pending.textContent = t('compose.posted', { id: ack.seq });
    } catch (err) {
      pending.textContent = '';
      textarea.value = text;
      error.textContent = tOr(`error.${err.code}`, err.message);
    }
  });

  return {
    element: form,
    setLanguages,
    replyTo(statement, name) {
      parent = statement.id;
      replyNote.hidden = false;
      replaceChildren(replyNote, t('compose.replyingTo', { id: statement.id, name }), ' ',
        h('button', { type: 'button', class: 'small', onclick: () => { clearReply(); textarea.focus(); } }, t('compose.cancelReply')));
      textarea.focus();
    },
  };
}
