/**
 * The chair's control of the list, part of the moderator console and loaded with it only when a
 * moderator opens a roundtable: take someone's request off the list with a recorded reason
 * (behind a confirmation), put a participant on the list on their behalf, reorder the agenda
 * (move up and down buttons, or drag), set and remove time budgets per constituency on the open
 * item, and open the projector view in a new window in one of the room's languages. The rules
 * are the server's; these are only the controls.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, language, languageName, loadStrings, t } from '../i18n.js';
import { act, isEnabled, setEnabled } from './act.js';
import { formatDuration } from './clock.js';
import { byName } from './geo-names.js';
import { constituencyName } from './stats.js';
import { useStyles } from './styles.js';

/** Constituencies as the server names them. */
const CONSTITUENCIES = [
  'women', 'children_youth', 'indigenous_peoples', 'ngos', 'local_authorities',
  'workers_trade_unions', 'business_industry', 'scientific_technological', 'farmers',
  'member_states', 'parliamentarians', 'un_system', 'media', 'other',
];
const KINDS = ['speak', 'reply', 'point_of_order'];

/**
 * Builds the chair's controls once their strings are loaded.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @param {(command: object) => Promise<object|null>} send sends a command, reports refusals
 * @param {HTMLElement} status the console's status line
 * @returns {Promise<{projector: HTMLElement, removeForm: HTMLElement, agendaOrder: HTMLElement,
 *   list: HTMLElement, budgets: HTMLElement, update: () => void,
 *   removeButton: (entry: object) => HTMLElement}>}
 */
export async function chairControls(app, store, send, status) {
  await Promise.all([loadStrings('chair'), useStyles('chair')]);
  const rt = () => store.roundtable;
  const openItem = () => rt()?.agenda.find((i) => i.id === rt().open_item) || null;
  const kindName = (kind) => t(`rt.kind.${kind}`);

  // ---- the projector ----
  const screenLang = h('select', { id: 'projector-lang' });
  const projector = h('div', { class: 'inline-form projector-open' },
    h('div', { class: 'field' }, h('label', { for: 'projector-lang' }, t('chair.projectorLang')), screenLang),
    h('button', { type: 'button', id: 'open-projector', onclick: openProjector }, t('chair.openProjector')));
  function openProjector() {
    const lang = screenLang.value || language();
    const url = `${window.location.pathname}#/rooms/${encodeURIComponent(store.id)}/projector?lang=${encodeURIComponent(lang)}`;
    // Not `noopener`: the new tab gets a copy of this tab's session (its sign-in), nothing more.
    const opened = window.open(url, `baraza-projector-${store.id}`);
    status.textContent = opened ? t('chair.projectorOpened') : t('chair.projectorBlocked');
  }

  // ---- taking requests off the list ----
  /** @type {Array<object>|null} the entries the confirmation is about */
  let removing = null;
  /** @type {string|null} the control to give the focus back to on cancel */
  let cameFrom = null;
  const removeText = h('p', { id: 'remove-question' });
  const removeReason = h('input', { id: 'remove-reason', type: 'text', maxlength: 500, autocomplete: 'off', 'aria-required': 'true', 'aria-describedby': 'remove-question' });
  const removeError = h('p', { class: 'error', role: 'alert' });
  const removeForm = h('form', { id: 'remove-form', class: 'confirm', hidden: true, novalidate: true, 'aria-labelledby': 'remove-question' },
    removeText,
    h('div', { class: 'field grow' }, h('label', { for: 'remove-reason' }, t('chair.removeReason')), removeReason),
    removeError,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'danger', id: 'remove-confirm' }, t('chair.removeConfirm')),
      h('button', { type: 'button', onclick: () => closeRemove(true) }, t('common.cancel'))));
  removeReason.addEventListener('input', () => { removeError.textContent = ''; });
  removeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = removeReason.value.trim();
    if (!reason) {
      removeError.textContent = t('mod.reasonRequired');
      removeReason.focus();
      return;
    }
    const entries = removing;
    if (!entries?.length) return;
    // One recorded removal per request, each with the reason given.
    let done = 0;
    for (const entry of entries) {
      if (await send({ type: 'remove_request', request: entry.request, reason })) done += 1;
    }
    if (done) {
      announce(entries.length === 1 ? t('chair.removed', { name: entries[0].name }) : t('chair.cleared', { count: done }));
      closeRemove(false);
    }
  });
  function askRemove(entries, question, from) {
    removing = entries;
    cameFrom = from;
    replaceChildren(removeText, question);
    removeError.textContent = '';
    removeForm.hidden = false;
    removeReason.focus();
  }
  function closeRemove(refocus) {
    removing = null;
    removeForm.hidden = true;
    removeReason.value = '';
    removeError.textContent = '';
    if (refocus && cameFrom) document.querySelector(`[data-focus="${CSS.escape(cameFrom)}"]`)?.focus();
    cameFrom = null;
  }
  function removeButton(entry) {
    return h('button', {
      type: 'button', class: 'small danger', dataset: { focus: `remove-${entry.request}` },
      'aria-label': t('chair.removeNamed', { name: entry.name, kind: kindName(entry.kind) }),
      onclick: () => askRemove([entry], t('chair.removeQuestion', { name: entry.name, kind: kindName(entry.kind) }), `remove-${entry.request}`),
    }, t('chair.remove'));
  }
  /** Entries of the open item whose person is not in the room now. */
  const leftEntries = () => (openItem()?.speakers || []).filter((s) => !store.members.get(s.user)?.present);
  const clearButton = h('button', {
    type: 'button', class: 'danger', id: 'clear-left', dataset: { focus: 'clear-left' },
    onclick: (e) => {
      const entries = leftEntries();
      if (!isEnabled(e.currentTarget) || !entries.length) return;
      const question = entries.length === 1
        ? t('chair.removeQuestion', { name: entries[0].name, kind: kindName(entries[0].kind) })
        : t('chair.clearQuestion', { count: entries.length, names: formatList(entries.map((x) => x.name)) });
      askRemove(entries, question, 'clear-left');
    },
  });

  // ---- a request on someone's behalf ----
  const behalfUser = h('select', { id: 'behalf-user' });
  const behalfKind = h('select', { id: 'behalf-kind' }, KINDS.map((k) => h('option', { value: k }, kindName(k))));
  const behalfButton = h('button', { type: 'submit', id: 'behalf-add' }, t('chair.behalfAdd'));
  const behalfStatus = h('p', { class: 'status', role: 'status', id: 'behalf-status' });
  const behalfForm = h('form', { id: 'behalf-form', class: 'inline-form' },
    h('div', { class: 'field' }, h('label', { for: 'behalf-user' }, t('chair.behalfWho')), behalfUser),
    h('div', { class: 'field' }, h('label', { for: 'behalf-kind' }, t('chair.behalfKind')), behalfKind),
    behalfButton);
  behalfForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!isEnabled(behalfButton)) return;
    const user = behalfUser.value;
    if (!user) {
      behalfStatus.textContent = t('chair.behalfNobody');
      return;
    }
    const item = openItem();
    if (!item) {
      behalfStatus.textContent = t('rt.noOpenItem');
      return;
    }
    if (item.speakers.some((s) => s.user === user && s.kind === behalfKind.value)) {
      behalfStatus.textContent = t('chair.behalfAlready', { name: store.nameOf(user), kind: kindName(behalfKind.value) });
      return;
    }
    const ack = await act(app, store, { type: 'request_floor', kind: behalfKind.value, on_behalf_of: user }, behalfStatus);
    if (ack) {
      const text = t('chair.behalfDone', { name: store.nameOf(user) });
      behalfStatus.textContent = text;
      announce(text);
    }
  });
  const list = h('details', { class: 'console-more', id: 'chair-list' },
    h('summary', {}, t('chair.listGroup')),
    h('p', { class: 'help' }, t('chair.behalfHelp')),
    behalfForm, behalfStatus,
    h('p', { class: 'help' }, t('chair.clearHelp')),
    clearButton);

  // ---- the agenda's order ----
  const orderList = h('ol', { id: 'agenda-order', class: 'agenda-order', 'aria-labelledby': 'agenda-order-heading' });
  const agendaOrder = h('div', { class: 'agenda-order-wrap' },
    h('h4', { id: 'agenda-order-heading' }, t('chair.orderHeading')),
    h('p', { class: 'help' }, t('chair.orderHelp')),
    orderList);
  let dragged = null;
  /** Moves item `id` to place `to` (0-based) of the agenda as it is now. */
  function move(id, to) {
    const ids = rt().agenda.map((i) => i.id);
    const from = ids.indexOf(id);
    if (from < 0 || to < 0 || to >= ids.length || to === from) return;
    ids.splice(from, 1);
    ids.splice(to, 0, id);
    const title = rt().agenda[from].title;
    send({ type: 'reorder_agenda', items: ids }).then((ack) => {
      if (ack) announce(t('chair.moved', { title, place: to + 1, count: ids.length }));
    });
  }
  const place = (id) => rt().agenda.findIndex((i) => i.id === id);
  function renderOrder(r) {
    const focused = document.activeElement && orderList.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    const last = r.agenda.length - 1;
    replaceChildren(orderList, r.agenda.map((item, i) => {
      const up = h('button', {
        type: 'button', class: 'small', dataset: { focus: `up-${item.id}` },
        'aria-label': t('chair.moveUpNamed', { title: item.title }),
        onclick: (e) => { if (isEnabled(e.currentTarget)) move(item.id, place(item.id) - 1); },
      }, h('span', { 'aria-hidden': 'true' }, '▲ '), t('chair.moveUp'));
      const down = h('button', {
        type: 'button', class: 'small', dataset: { focus: `down-${item.id}` },
        'aria-label': t('chair.moveDownNamed', { title: item.title }),
        onclick: (e) => { if (isEnabled(e.currentTarget)) move(item.id, place(item.id) + 1); },
      }, h('span', { 'aria-hidden': 'true' }, '▼ '), t('chair.moveDown'));
      setEnabled(up, i > 0);
      setEnabled(down, i < last);
      const li = h('li', { dataset: { item: String(item.id) }, draggable: 'true' },
        h('span', { class: 'grip', 'aria-hidden': 'true' }, '⠿'), ' ',
        h('bdi', { class: 'title' }, item.title), ' ',
        h('span', { class: `badge item-${item.state}` }, t(`rt.item.${item.state}`)), ' ',
        h('span', { class: 'moves' }, up, down));
      li.addEventListener('dragstart', (e) => {
        dragged = item.id;
        e.dataTransfer?.setData('text/plain', String(item.id));
      });
      li.addEventListener('dragover', (e) => e.preventDefault());
      li.addEventListener('drop', (e) => {
        e.preventDefault();
        if (dragged !== null && dragged !== item.id) move(dragged, place(item.id));
        dragged = null;
      });
      return li;
    }));
    if (focused) orderList.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
  }

  // ---- time budgets ----
  const budgetWho = h('select', { id: 'budget-constituency' });
  const budgetMinutes = h('input', { id: 'budget-minutes', type: 'number', min: 0.5, max: 60, step: 0.5, inputmode: 'decimal', 'aria-describedby': 'budget-help' });
  const budgetRows = h('tbody');
  const budgetTable = h('table', { id: 'budget-table', class: 'stats' },
    h('caption', {}, t('chair.budgetTable')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('chair.budgetWho')),
      h('th', { scope: 'col' }, t('chair.budgetTotal')),
      h('th', { scope: 'col' }, t('chair.budgetUsed')),
      h('th', { scope: 'col' }, t('chair.budgetLeft')),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('chair.budgetActions'))))),
    budgetRows);
  const budgetNone = h('p', { class: 'help', id: 'budget-none' }, t('chair.budgetNone'));
  const budgetStatus = h('p', { class: 'status', role: 'status', id: 'budget-status' });
  const budgetForm = h('form', { id: 'budget-form', class: 'inline-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'budget-constituency' }, t('chair.budgetWho')), budgetWho),
    h('div', { class: 'field' }, h('label', { for: 'budget-minutes' }, t('chair.budgetMinutes')), budgetMinutes),
    h('button', { type: 'submit', id: 'budget-set' }, t('chair.budgetSet')));
  budgetForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const item = openItem();
    if (!item) {
      budgetStatus.textContent = t('rt.noOpenItem');
      return;
    }
    const minutes = Number(budgetMinutes.value);
    if (!budgetMinutes.value || !Number.isFinite(minutes) || minutes < 1 / 60 || minutes > 60) {
      budgetStatus.textContent = t('chair.budgetRange');
      budgetMinutes.focus();
      return;
    }
    const ms = Math.round(minutes * 60000);
    const name = constituencyName(budgetWho.value);
    if (await act(app, store, { type: 'set_time_budget', item: item.id, constituency: budgetWho.value, budget_ms: ms }, budgetStatus)) {
      const text = t('chair.budgetDone', { name, time: formatDuration(ms) });
      budgetStatus.textContent = text;
      announce(text);
      budgetMinutes.value = '';
    }
  });
  const budgets = h('details', { class: 'console-more', id: 'chair-budgets' },
    h('summary', {}, t('chair.budgetGroup')),
    h('p', { class: 'help', id: 'budget-help' }, t('chair.budgetHelp')),
    budgetForm, budgetStatus, budgetNone, budgetTable);
  function renderBudgets() {
    const item = openItem();
    const rows = item?.budgets || [];
    budgetNone.hidden = rows.length > 0;
    budgetTable.hidden = rows.length === 0;
    replaceChildren(budgetRows, rows.map((b) => {
      const name = constituencyName(b.constituency);
      return h('tr', { dataset: { constituency: b.constituency } },
        h('th', { scope: 'row' }, h('bdi', {}, name)),
        h('td', {}, formatDuration(b.budget_ms)),
        h('td', {}, formatDuration(b.used_ms)),
        h('td', {}, formatDuration(Math.max(0, b.budget_ms - b.used_ms))),
        h('td', {}, h('button', {
          type: 'button', class: 'small', dataset: { focus: `budget-${b.constituency}` },
          'aria-label': t('chair.budgetRemoveNamed', { name }),
          onclick: async () => {
            if (await send({ type: 'set_time_budget', item: item.id, constituency: b.constituency })) {
              announce(t('chair.budgetRemoved', { name }));
              budgetWho.focus();
            }
          },
        }, t('chair.budgetRemove'))));
    }));
  }

  function fillSelects() {
    const names = byName(CONSTITUENCIES, constituencyName);
    if (budgetWho.options.length !== names.length) {
      replaceChildren(budgetWho, names.map((c) => h('option', { value: c }, constituencyName(c))));
    }
    const languages = store.info?.languages || [language()];
    const langKey = languages.join(',');
    if (screenLang.dataset.key !== langKey) {
      screenLang.dataset.key = langKey;
      replaceChildren(screenLang, languages.map((code) => h('option', { value: code, lang: code }, languageName(code))));
      screenLang.value = languages.includes(language()) ? language() : languages[0];
    }
    const r = rt();
    const people = byName([...store.members.values()].filter((m) => m.profile.role === 'participant'
      && !(r.expelled || []).some((x) => x.user === m.profile.user)
      && !(r.muted || []).some((x) => x.user === m.profile.user)), (m) => m.profile.name);
    const peopleKey = people.map((m) => `${m.profile.user}:${m.present}`).join('\n');
    if (behalfUser.dataset.key !== peopleKey) {
      behalfUser.dataset.key = peopleKey;
      const chosen = behalfUser.value;
      replaceChildren(behalfUser, people.map((m) => {
        const label = m.profile.org ? `${m.profile.name} (${m.profile.org})` : m.profile.name;
        return h('option', { value: m.profile.user }, m.present ? label : t('chair.notConnected', { name: label }));
      }));
      if (people.some((m) => m.profile.user === chosen)) behalfUser.value = chosen;
    }
    setEnabled(behalfButton, people.length > 0 && !!openItem());
  }

  let agendaKey = '';
  function update() {
    const r = rt();
    if (!r) return;
    fillSelects();
    const key = JSON.stringify(r.agenda.map((i) => [i.id, i.title, i.state]));
    if (key !== agendaKey) {
      agendaKey = key;
      renderOrder(r);
    }
    renderBudgets();
    const left = leftEntries().length;
    clearButton.textContent = t('chair.clearLeft', { count: left });
    setEnabled(clearButton, left > 0);
    if (removing && !removing.some((x) => openItem()?.speakers.some((s) => s.request === x.request))) closeRemove(false);
  }

  return { projector, removeForm, agendaOrder, list, budgets, update, removeButton };
}
