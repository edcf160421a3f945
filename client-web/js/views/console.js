/**
 * The moderator console (moderators and the secretariat): the floor (next speaker, a named
 * request with a reason when out of order, take back, more time, pause and resume), the speaking
 * list (close, reopen, policy), the agenda (add, open, close), the floor settings, and order in
 * the room (mute, expel, with a reason; lift them). The chair's control of the list (remove a
 * request, add one on someone's behalf, reorder the agenda, budgets, the projector view) is
 * chair.js, loaded when the console first shows. Everything is a real button or form control;
 * single-key shortcuts (g, r, p, e) work unless the focus is in a text field.
 */

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { act, isEnabled, setEnabled } from './act.js';
import { phrase } from './labels.js';

/** Shortcut key → the floor button it presses. */
const SHORTCUTS = { g: 'grant', r: 'revoke', p: 'pause', e: 'extend60' };

/**
 * Builds the console.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @param {() => void} refresh re-renders the panel (once the chair's controls are loaded)
 * @returns {{element: HTMLElement, update: () => void, grantButton: (entry: object, suggested: boolean) => HTMLElement,
 *   removeButton: (entry: object) => HTMLElement|null, destroy: () => void}}
 */
export function moderatorConsole(app, store, refresh) {
  const status = h('p', { class: 'status', role: 'status', id: 'console-status' });
  const send = (command) => act(app, store, command, status);
  const rt = () => store.roundtable;
  const openItem = () => rt()?.agenda.find((i) => i.id === rt().open_item) || null;

  // ---- the floor ----
  const floorButtons = {
    grant: button('grant', t('mod.grantNext'), 'g', () => send({ type: 'grant_floor' }), 'primary'),
    revoke: button('revoke', t('mod.revoke'), 'r', () => send({ type: 'revoke_floor' }), 'danger'),
    pause: button('pause', t('mod.pause'), 'p', () => send({ type: rt()?.floor?.paused ? 'resume_floor' : 'pause_floor' })),
    extend60: button('extend60', t('mod.extend60'), 'e', () => send({ type: 'extend_floor', by_ms: 60000 })),
    extend30: button('extend30', t('mod.extend30'), null, () => send({ type: 'extend_floor', by_ms: 30000 })),
    list: button('list', t('mod.closeList'), null, () => send({ type: openItem()?.list_closed ? 'reopen_speaking_list' : 'close_speaking_list' })),
  };

  // ---- out of order ----
  let outOfOrder = null;
  const oooReason = h('input', { id: 'ooo-reason', type: 'text', maxlength: 500, autocomplete: 'off', required: true });
  const oooLabel = h('label', { for: 'ooo-reason' });
  const oooError = h('p', { class: 'error', role: 'alert' });
  const oooForm = h('form', { id: 'out-of-order', class: 'inline-form', hidden: true },
    oooLabel, oooReason, oooError,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('mod.grantThis')),
      h('button', { type: 'button', onclick: () => closeOutOfOrder() }, t('common.cancel'))));
  oooForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = oooReason.value.trim();
    if (!reason) {
      oooError.textContent = t('mod.reasonRequired');
      oooReason.focus();
      return;
    }
    const entry = outOfOrder;
    if (entry && await send({ type: 'grant_floor', request: entry.request, reason })) closeOutOfOrder();
  });
  function closeOutOfOrder() {
    outOfOrder = null;
    oooForm.hidden = true;
    oooReason.value = '';
    oooError.textContent = '';
    floorButtons.grant.focus();
  }

  // ---- agenda ----
  const itemTitle = h('input', { id: 'item-title', type: 'text', maxlength: 300, autocomplete: 'off' });
  const itemTime = h('input', { id: 'item-time', type: 'number', min: 1, max: 3600, step: 1, inputmode: 'numeric' });
  const addForm = h('form', { id: 'add-item', class: 'inline-form' },
    h('div', { class: 'field' }, h('label', { for: 'item-title' }, t('mod.itemTitle')), itemTitle),
    h('div', { class: 'field' }, h('label', { for: 'item-time' }, t('mod.itemTime')), itemTime),
    h('button', { type: 'submit' }, t('mod.addItem')));
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const title = itemTitle.value.trim();
    if (!title) {
      status.textContent = t('mod.titleRequired');
      itemTitle.focus();
      return;
    }
    const command = { type: 'add_agenda_item', title };
    if (itemTime.value) command.speaking_time_ms = Math.round(Number(itemTime.value) * 1000);
    if (await send(command)) {
      itemTitle.value = '';
      itemTime.value = '';
    }
  });
  const itemPick = h('select', { id: 'item-pick' });
  const openButton = h('button', { type: 'button', id: 'open-item', onclick: () => {
    if (itemPick.value) send({ type: 'open_agenda_item', item: Number(itemPick.value) });
  } }, t('mod.openItem'));
  const closeButton = h('button', { type: 'button', id: 'close-item', class: 'danger', onclick: () => {
    const item = openItem();
    if (item) send({ type: 'close_agenda_item', item: item.id });
  } }, t('mod.closeItem'));

  // ---- policy ----
  const policy = h('select', { id: 'policy' }, ['fifo', 'first_time_first', 'rotate_constituency', 'balance_time'].map((p) => h('option', { value: p }, t(`rt.policy.${p}`))));
  const balance = h('select', { id: 'balance-by' }, ['constituency', 'region'].map((b) => h('option', { value: b }, t(`rt.balance.${b}`))));
  const policyForm = h('form', { id: 'policy-form', class: 'inline-form' },
    h('div', { class: 'field' }, h('label', { for: 'policy' }, t('mod.policy')), policy),
    h('div', { class: 'field' }, h('label', { for: 'balance-by' }, t('mod.balanceBy')), balance),
    h('button', { type: 'submit' }, t('mod.applyPolicy')));
  policyForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const item = openItem();
    if (!item) {
      status.textContent = t('rt.noOpenItem');
      return;
    }
    send({ type: 'set_speaking_policy', item: item.id, policy: policy.value, balance_by: balance.value });
  });

  // ---- settings ----
  const seconds = (id) => h('input', { id, type: 'number', min: 0, max: 3600, step: 1, inputmode: 'numeric' });
  const fields = {
    speaking_time_ms: seconds('set-speak'),
    reply_time_ms: seconds('set-reply'),
    point_of_order_time_ms: seconds('set-poo'),
    warning_ms: seconds('set-warning'),
  };
  const onExpiry = h('select', { id: 'set-expiry' },
    h('option', { value: 'end_floor' }, t('mod.expiry.end_floor')),
    h('option', { value: 'ask_moderator' }, t('mod.expiry.ask_moderator')));
  const settingsForm = h('form', { id: 'settings-form', class: 'inline-form' },
    Object.entries(fields).map(([name, input]) => h('div', { class: 'field' }, h('label', { for: input.id }, t(`mod.set.${name}`)), input)),
    h('div', { class: 'field' }, h('label', { for: 'set-expiry' }, t('mod.set.on_expiry')), onExpiry),
    h('button', { type: 'submit' }, t('mod.saveSettings')));
  let settingsShown = false;
  function fillSettings() {
    const s = rt()?.settings;
    if (!s) return;
    for (const [name, input] of Object.entries(fields)) input.value = String(Math.round(s[name] / 1000));
    onExpiry.value = s.on_expiry;
    settingsShown = true;
  }
  settingsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const settings = { on_expiry: onExpiry.value };
    for (const [name, input] of Object.entries(fields)) settings[name] = Math.round(Number(input.value || 0) * 1000);
    if (await send({ type: 'configure_roundtable', settings })) status.textContent = t('mod.settingsSaved');
  });

  // ---- order in the room ----
  const person = h('select', { id: 'sanction-user' });
  const sanctionReason = h('input', { id: 'sanction-reason', type: 'text', maxlength: 500, autocomplete: 'off' });
  const sanctions = h('ul', { class: 'people', id: 'sanctions' });
  const sanction = (type) => async () => {
    const reason = sanctionReason.value.trim();
    if (!person.value) return;
    if (!reason) {
      status.textContent = t('mod.reasonRequired');
      sanctionReason.focus();
      return;
    }
    if (await send({ type, user: person.value, reason })) sanctionReason.value = '';
  };

  const keys = h('p', { class: 'help', id: 'console-keys' }, t('mod.shortcuts'));
  // Places of the chair's controls, filled when chair.js has loaded.
  const slots = { projector: h('div'), removeForm: h('div'), agendaOrder: h('div'), list: h('div'), budgets: h('div') };
  /** @type {Awaited<ReturnType<typeof import('./chair.js').chairControls>>|null} */
  let chair = null;
  let alive = true;
  import('./chair.js').then((m) => m.chairControls(app, store, send, status)).then((controls) => {
    if (!alive) return;
    chair = controls;
    for (const [name, slot] of Object.entries(slots)) slot.replaceWith(controls[name]);
    refresh();
  });
  const element = h('section', { id: 'moderator-console', class: 'console', 'aria-labelledby': 'console-heading' },
    h('h3', { id: 'console-heading' }, t('mod.title')),
    keys,
    status,
    slots.projector,
    h('div', { class: 'actions', role: 'group', 'aria-label': t('mod.floorGroup') }, Object.values(floorButtons)),
    oooForm,
    slots.removeForm,
    h('details', { class: 'console-more' },
      h('summary', {}, t('mod.agendaGroup')),
      addForm,
      h('div', { class: 'inline-form' },
        h('div', { class: 'field' }, h('label', { for: 'item-pick' }, t('mod.pickItem')), itemPick), openButton, closeButton),
      policyForm,
      slots.agendaOrder),
    slots.list,
    slots.budgets,
    h('details', { class: 'console-more' },
      h('summary', {}, t('mod.settingsGroup')),
      settingsForm),
    h('details', { class: 'console-more' },
      h('summary', {}, t('mod.orderGroup')),
      h('div', { class: 'inline-form' },
        h('div', { class: 'field' }, h('label', { for: 'sanction-user' }, t('mod.participant')), person),
        h('div', { class: 'field grow' }, h('label', { for: 'sanction-reason' }, t('mod.sanctionReason')), sanctionReason),
        h('button', { type: 'button', id: 'mute', onclick: sanction('mute_participant') }, t('mod.mute')),
        h('button', { type: 'button', id: 'expel', class: 'danger', onclick: sanction('expel_participant') }, t('mod.expel'))),
      sanctions));

  function button(name, label, key, onPress, cls) {
    const b = h('button', {
      type: 'button', class: cls || null, dataset: { console: name }, 'aria-keyshortcuts': key || null,
      onclick: (e) => { if (isEnabled(e.currentTarget)) onPress(); },
    }, label, key ? h('kbd', { 'aria-hidden': 'true' }, key) : null);
    return b;
  }

  function onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = /** @type {HTMLElement} */ (e.target);
    if (target.closest?.('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return;
    const name = SHORTCUTS[e.key];
    if (!name || !element.isConnected) return;
    e.preventDefault();
    floorButtons[name].click();
  }
  document.addEventListener('keydown', onKey);

  function update() {
    const r = rt();
    if (!r) return;
    if (!settingsShown) fillSettings();
    const floor = r.floor;
    const item = openItem();
    setEnabled(floorButtons.grant, !floor && !!item && item.speakers.some((s) => s.eligible));
    for (const name of ['revoke', 'pause', 'extend60', 'extend30']) setEnabled(floorButtons[name], !!floor);
    floorButtons.pause.firstChild.textContent = floor?.paused ? t('mod.resume') : t('mod.pause');
    setEnabled(floorButtons.list, !!item);
    floorButtons.list.firstChild.textContent = item?.list_closed ? t('mod.reopenList') : t('mod.closeList');
    if (item) {
      policy.value = document.activeElement === policy ? policy.value : item.policy;
      balance.value = document.activeElement === balance ? balance.value : item.balance_by;
    }
    const agendaKey = JSON.stringify(r.agenda.map((i) => [i.id, i.title, i.state]));
    if (itemPick.dataset.key !== agendaKey) {
      // Rebuilt only when the agenda changed, so a keyboard user's choice is not disturbed.
      itemPick.dataset.key = agendaKey;
      const picked = itemPick.value;
      replaceChildren(itemPick, r.agenda.map((i) => h('option', { value: String(i.id) }, `${i.title} (${t(`rt.item.${i.state}`)})`)));
      const firstPending = r.agenda.find((i) => i.state === 'pending');
      const keep = picked && r.agenda.some((i) => String(i.id) === picked && i.state !== 'open');
      itemPick.value = keep ? picked : String(firstPending?.id ?? r.agenda[0]?.id ?? '');
    }
    setEnabled(openButton, r.agenda.length > 0 && !item);
    setEnabled(closeButton, !!item);
    const people = store.present().filter((m) => m.profile.role === 'participant' || m.profile.role === 'observer');
    const peopleKey = people.map((m) => m.profile.user).join('\n');
    if (person.dataset.key !== peopleKey) {
      person.dataset.key = peopleKey;
      const chosen = person.value;
      replaceChildren(person, people.map((m) => h('option', { value: m.profile.user }, m.profile.org ? `${m.profile.name} (${m.profile.org})` : m.profile.name)));
      if (people.some((m) => m.profile.user === chosen)) person.value = chosen;
    }
    replaceChildren(sanctions,
      (r.muted || []).map((m) => h('li', { dataset: { muted: m.user } }, h('bdi', { class: 'who' }, store.nameOf(m.user)), ' · ', phrase('mod.mutedBecause', { reason: m.reason }, 'reason'), ' ',
        h('button', { type: 'button', class: 'small', onclick: () => send({ type: 'unmute_participant', user: m.user }) }, t('mod.unmute')))),
      (r.expelled || []).map((m) => h('li', { dataset: { expelled: m.user } }, h('bdi', { class: 'who' }, store.nameOf(m.user)), ' · ', phrase('mod.expelledBecause', { reason: m.reason }, 'reason'), ' ',
        h('button', { type: 'button', class: 'small', onclick: () => send({ type: 'readmit_participant', user: m.user }) }, t('mod.readmit')))));
    if (outOfOrder && !item?.speakers.some((s) => s.request === outOfOrder.request)) closeOutOfOrder();
    chair?.update();
  }

  /**
   * The "give the floor" button of one speaking-list entry.
   * @param {object} entry a speaking-list entry
   * @param {boolean} suggested whether it is the one the order suggests
   * @returns {HTMLElement}
   */
  function grantButton(entry, suggested) {
    const b = h('button', {
      type: 'button', class: 'small', dataset: { focus: `grant-${entry.request}` },
      'aria-label': t('mod.grantTo', { name: entry.name }),
      onclick: () => {
        if (rt()?.floor) {
          status.textContent = t('mod.floorTaken');
          return;
        }
        if (suggested) {
          send({ type: 'grant_floor', request: entry.request });
          return;
        }
        outOfOrder = entry;
        oooLabel.textContent = t('mod.outOfOrderReason', { name: entry.name });
        oooForm.hidden = false;
        oooReason.focus();
      },
    }, t('mod.grant'));
    return b;
  }

  return {
    element,
    update,
    grantButton,
    removeButton: (entry) => chair?.removeButton(entry) ?? null,
    destroy() {
      alive = false;
      document.removeEventListener('keydown', onKey);
    },
  };
}
