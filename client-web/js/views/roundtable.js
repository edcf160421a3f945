/**
 * The roundtable panel everyone sees: the agenda with the open item, who holds the floor with a
 * clock counting down to the server's deadline, the speaking list in the server's suggested
 * order with the reason of each place, the participant's own requests (speak, reply, point of
 * order; withdraw; yield), the turns of the item and the speaking statistics. Floor changes
 * and warnings are announced through the live regions. Moderators also get the console
 * (console.js), loaded with `import()` so that nobody else downloads it.
 */

import { announce } from '../announce.js';
import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { act, isEnabled, setEnabled } from './act.js';
import { formatDuration, remainingMs } from './clock.js';
import { phrase } from './labels.js';
import { constituencyName, statsTables } from './stats.js';

const KINDS = ['speak', 'reply', 'point_of_order'];

/**
 * Builds the roundtable panel of a room and keeps it current.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function roundtablePanel(app, store) {
  const me = app.claims?.sub;
  const canRequest = app.claims?.role === 'participant';
  const status = h('p', { class: 'status', role: 'status' });
  const holder = h('p', { id: 'floor-holder', class: 'floor-holder' });
  const clock = h('p', { id: 'floor-clock', class: 'floor-clock', role: 'timer', 'aria-live': 'off' });
  const yieldButton = h('button', { type: 'button', id: 'yield-floor', class: 'primary', hidden: true, onclick: () => act(app, store, { type: 'yield_floor' }, status) }, t('rt.yield'));
  const agendaList = h('ol', { id: 'agenda', class: 'agenda', 'aria-labelledby': 'agenda-heading' });
  const listHeading = h('h3', { id: 'speakers-heading' }, t('rt.speakers'));
  const listNote = h('p', { class: 'help', id: 'speakers-note' });
  const speakers = h('ol', { id: 'speaking-list', class: 'speakers', 'aria-labelledby': 'speakers-heading' });
  const turns = h('ol', { id: 'turns', class: 'turns', 'aria-labelledby': 'turns-heading' });
  const itemStats = h('div', { id: 'stats-item' });
  const sessionStats = h('div', { id: 'stats-session' });
  /** @type {Set<string>} request kinds sent and not yet acknowledged */
  const pending = new Set();
  const requestButtons = {};
  const withdrawButtons = {};
  const requestRow = h('div', { class: 'actions request-actions', role: 'group', 'aria-labelledby': 'requests-heading' });
  for (const kind of KINDS) {
    requestButtons[kind] = h('button', { type: 'button', dataset: { request: kind }, onclick: (e) => requestFloor(kind, e.currentTarget) }, t(`rt.request.${kind}`));
    withdrawButtons[kind] = h('button', { type: 'button', class: 'danger', hidden: true, dataset: { withdraw: kind }, onclick: () => withdraw(kind) }, t(`rt.withdraw.${kind}`));
    requestRow.append(requestButtons[kind], withdrawButtons[kind]);
  }
  const removals = h('ul', { id: 'removals', class: 'removals', 'aria-labelledby': 'removals-heading' });
  const removalsBox = h('div', { hidden: true }, h('h4', { id: 'removals-heading' }, t('ws.rt.removedHeading')), removals);
  const budgetsNote = h('p', { class: 'help', id: 'budgets-note' });
  /** @type {ReturnType<typeof import('./console.js').moderatorConsole>|null} */
  let consoleView = null;
  const consoleSlot = h('div', { id: 'console-slot' });
  let destroyed = false;
  if (app.moderating) {
    import('./console.js').then((m) => {
      if (destroyed) return;
      consoleView = m.moderatorConsole(app, store, () => update());
      consoleSlot.replaceWith(consoleView.element);
      update();
    });
  }

  const element = h('section', { id: 'roundtable-panel', class: 'card roundtable', 'aria-labelledby': 'roundtable-heading' },
    h('h2', { id: 'roundtable-heading' }, t('panel.roundtable.title')),
    status,
    h('div', { class: 'rt-grid' },
      h('section', { class: 'floor', 'aria-labelledby': 'floor-heading' },
        h('h3', { id: 'floor-heading' }, t('rt.floor')), holder, clock, yieldButton,
        canRequest ? [h('h3', { id: 'requests-heading' }, t('rt.requests')), requestRow] : null),
      h('section', { 'aria-labelledby': 'agenda-heading' },
        h('h3', { id: 'agenda-heading' }, t('rt.agenda')), agendaList)),
    consoleSlot,
    h('section', { 'aria-labelledby': 'speakers-heading' }, listHeading, listNote, budgetsNote, speakers, removalsBox),
    h('section', { 'aria-labelledby': 'turns-heading' }, h('h3', { id: 'turns-heading' }, t('rt.turns')), turns),
    h('section', { class: 'rt-stats', 'aria-labelledby': 'stats-heading' },
      h('h3', { id: 'stats-heading' }, t('rt.stats.title')),
      h('h4', {}, t('rt.stats.item')), itemStats,
      h('h4', {}, t('rt.stats.session')), sessionStats));

  let lastTurn;
  /** @type {number|null|undefined} the last removal seen (undefined before the first render) */
  let lastRemoval;
  let warnedTurn = null;
  let timeUpTurn = null;

  function rt() {
    return store.roundtable;
  }
  function openItem() {
    const r = rt();
    return r?.agenda.find((i) => i.id === r.open_item) || null;
  }
  function myRequest(kind) {
    return openItem()?.speakers.find((s) => s.user === me && s.kind === kind) || null;
  }
  function nameOf(user) {
    const r = rt();
    if (r?.speakerProfile?.user === user) return r.speakerProfile.name;
    return store.nameOf(user);
  }

  async function requestFloor(kind, button) {
    if (!isEnabled(button) || pending.has(kind)) return;
    pending.add(kind);
    update();
    status.textContent = app.conn?.state === 'online' ? '' : t('rt.request.queued');
    const ack = await act(app, store, { type: 'request_floor', kind }, status);
    pending.delete(kind);
    if (ack) announce(t('rt.request.sent'));
    update();
  }

  async function withdraw(kind) {
    const request = myRequest(kind);
    if (request) await act(app, store, { type: 'withdraw_request', request: request.request }, status);
  }

  function announceFloor(r) {
    const floor = r?.floor || null;
    const turn = floor ? floor.turn : null;
    if (lastTurn !== undefined && turn !== lastTurn) {
      if (!floor) announce(t('rt.floorFree'));
      else if (floor.user === me) announce(t('rt.youHaveFloor'), 'assertive');
      else announce(t('rt.hasFloor', { name: nameOf(floor.user) }));
    }
    lastTurn = turn;
    if (floor?.warned && warnedTurn !== turn) {
      warnedTurn = turn;
      const left = Math.max(0, Math.round(remainingMs(floor, store.serverNow()) / 1000));
      announce(t('rt.secondsLeft', { count: left || Math.round((r.settings.warning_ms || 0) / 1000) }), floor.user === me ? 'assertive' : 'polite');
    }
    if (floor?.time_up && timeUpTurn !== turn) {
      timeUpTurn = turn;
      announce(t('rt.timeUp'), floor.user === me || app.moderating ? 'assertive' : 'polite');
    }
  }

  function tick() {
    const floor = rt()?.floor;
    if (!floor) {
      clock.textContent = '';
      clock.hidden = true;
      delete clock.dataset.state;
      return;
    }
    clock.hidden = false;
    const left = remainingMs(floor, store.serverNow());
    const warning = rt().settings.warning_ms || 0;
    let state = 'running';
    if (floor.paused) state = 'paused';
    else if (floor.time_up || left <= 0) state = 'over';
    else if (left <= warning) state = 'warning';
    clock.dataset.state = state;
    if (state === 'paused') clock.textContent = t('rt.clock.paused', { time: formatDuration(left) });
    else if (state === 'over') clock.textContent = t('rt.clock.over', { time: formatDuration(-left) });
    else clock.textContent = t('rt.clock.left', { time: formatDuration(left) });
  }

  function renderAgenda(r) {
    replaceChildren(agendaList, r.agenda.length ? r.agenda.map((item) => h('li', {
      dataset: { item: String(item.id), state: item.state }, 'aria-current': item.id === r.open_item ? 'true' : null,
    }, h('bdi', { class: 'title' }, item.title), ' ', h('span', { class: `badge item-${item.state}` }, t(`rt.item.${item.state}`))))
      : h('li', { class: 'help' }, t('rt.agendaEmpty')));
  }

  function renderFloor(r) {
    const floor = r.floor;
    if (!floor) {
      holder.textContent = t('rt.floorFreeNow');
      holder.dataset.user = '';
    } else {
      const turn = r.turns.find((x) => x.id === floor.turn);
      holder.dataset.user = floor.user;
      replaceChildren(holder,
        floor.user === me ? h('strong', {}, t('rt.youHaveFloor')) : phrase('rt.hasFloor', { name: nameOf(floor.user) }, 'name'),
        turn ? [' · ', h('span', { class: 'badge' }, t(`rt.kind.${turn.kind}`))] : null,
        turn?.out_of_order ? h('span', { class: 'help out-of-order' }, ' · ', phrase('rt.outOfOrder', { reason: turn.out_of_order }, 'reason')) : null);
    }
    yieldButton.hidden = !floor || floor.user !== me;
    tick();
  }

  function renderRequests(r) {
    if (!canRequest) return;
    const item = openItem();
    const muted = (r.muted || []).some((m) => m.user === me);
    for (const kind of KINDS) {
      const mine = myRequest(kind);
      let possible = !!item && !muted && !mine && !pending.has(kind);
      if (kind !== 'point_of_order' && item?.list_closed) possible = false;
      if (kind === 'reply' && (!r.floor || r.floor.user === me)) possible = false;
      setEnabled(requestButtons[kind], possible);
      requestButtons[kind].hidden = !!mine;
      withdrawButtons[kind].hidden = !mine;
    }
  }

  function renderSpeakers(r) {
    const item = openItem();
    listHeading.textContent = item ? t('rt.speakersOn', { title: item.title }) : t('rt.speakers');
    const notes = [];
    if (!item) notes.push(t('rt.noOpenItem'));
    else {
      notes.push(t('rt.policyIs', { policy: t(`rt.policy.${item.policy}`) + (item.policy === 'balance_time' ? ` (${t(`rt.balance.${item.balance_by}`)})` : '') }));
      if (item.list_closed) notes.push(t('rt.listClosed'));
    }
    listNote.textContent = notes.join(' ');
    const entries = item?.speakers || [];
    // The country is the member's, as the server resolved it (from the registry for its people).
    const countryOf = (user) => store.members.get(user)?.profile.country;
    const countryName = (code) => {
      try {
        return new Intl.DisplayNames([document.documentElement.lang], { type: 'region' }).of(code) || code;
      } catch {
        return code;
      }
    };
    const firstEligible = entries.find((s) => s.eligible);
    replaceChildren(speakers, entries.length ? entries.map((s) => h('li', {
      dataset: { request: String(s.request), user: s.user, kind: s.kind }, class: s.eligible ? 'speaker' : 'speaker ineligible',
    },
    h('span', { class: 'pos' }, `${s.position}.`), ' ',
    h('bdi', { class: 'who' }, s.name),
    s.org ? [h('span', { class: 'org' }, ' · '), h('bdi', { class: 'org' }, s.org)] : null,
    s.constituency ? [' ', h('span', { class: 'badge constituency' }, constituencyName(s.constituency))] : null,
    countryOf(s.user) ? [' ', h('span', { class: 'country' }, countryName(countryOf(s.user)))] : null,
    ' ', h('span', { class: `badge kind-${s.kind}` }, t(`rt.kind.${s.kind}`)),
    s.user === me ? [' ', h('span', { class: 'badge mine' }, t('rt.you'))] : null,
    s.added_by ? [' ', h('span', { class: 'badge added' }, t('ws.rt.addedByChair'))] : null,
    h('span', { class: 'reason', lang: 'en', dir: 'ltr' }, s.reason),
    s.eligible ? null : h('span', { class: 'help' }, ` ${t('rt.skipped')}`),
    consoleView ? consoleView.grantButton(s, s === firstEligible) : null,
    consoleView ? consoleView.removeButton(s) : null))
      : h('li', { class: 'help' }, t('rt.nobodyWaiting')));
    const budgets = item?.budgets || [];
    budgetsNote.hidden = budgets.length === 0;
    replaceChildren(budgetsNote, budgets.length ? [t('ws.rt.budgets'), ' ', budgets.map((b, i) => [i ? ' · ' : '',
      h('bdi', {}, constituencyName(b.constituency)), ' ',
      t('ws.rt.budgetUse', { used: formatDuration(b.used_ms), budget: formatDuration(b.budget_ms) })])] : []);
    const shown = store.removals.filter((x) => entriesOf(r).every((s) => s.request !== x.request));
    removalsBox.hidden = shown.length === 0;
    replaceChildren(removals, shown.slice().reverse().map((x) => h('li', { dataset: { request: String(x.request), user: x.user } },
      h('bdi', { class: 'who' }, x.name), ' · ', h('span', { class: 'badge' }, t(`rt.kind.${x.kind}`)), ' · ',
      phrase('ws.rt.removedBecause', { reason: x.reason }, 'reason'))));
    const latest = store.removals[store.removals.length - 1];
    if (latest && latest.request !== lastRemoval) {
      if (lastRemoval !== undefined) announce(latest.user === me ? t('ws.rt.yourRequestRemoved', { reason: latest.reason }) : t('ws.rt.removedNotice', { name: latest.name }));
      lastRemoval = latest.request;
    } else if (!latest) lastRemoval = null;
  }

  function renderTurns(r) {
    const item = openItem() || r.agenda.find((i) => i.id === r.turns[r.turns.length - 1]?.item);
    const list = item ? r.turns.filter((x) => x.item === item.id).slice(-8).reverse() : [];
    replaceChildren(turns, list.length ? list.map((turn) => h('li', { dataset: { turn: String(turn.id), user: turn.user } },
      h('bdi', { class: 'who' }, nameOf(turn.user)), ' ',
      h('span', { class: 'badge' }, t(`rt.kind.${turn.kind}`)), ' ',
      turn.end_reason
        ? t('rt.turnEnded', { time: formatDuration(turn.spoken_ms || 0), reason: t(`rt.end.${turn.end_reason}`) })
        : t('rt.turnNow'),
      turn.statements?.length ? ` · ${t('rt.turnStatements', { list: turn.statements.map((id) => `#${id}`).join(', ') })}` : '',
      turn.out_of_order ? h('span', { class: 'help' }, ' · ', phrase('rt.outOfOrder', { reason: turn.out_of_order }, 'reason')) : null))
      : h('li', { class: 'help' }, t('rt.noTurns')));
  }

  function renderStats(r) {
    const item = openItem() || r.agenda.find((i) => i.id === r.turns[r.turns.length - 1]?.item);
    replaceChildren(itemStats, item ? [h('p', { class: 'help' }, h('bdi', {}, item.title)), statsTables(item.stats, 'item', nameOf)] : h('p', { class: 'help' }, t('rt.stats.none')));
    replaceChildren(sessionStats, statsTables(r.session_stats, 'session', nameOf));
  }

  function update() {
    const r = rt();
    if (!r) return;
    renderAgenda(r);
    renderFloor(r);
    renderRequests(r);
    keepFocus(speakers, () => renderSpeakers(r));
    renderTurns(r);
    renderStats(r);
    consoleView?.update();
    announceFloor(r);
  }

  const onChange = () => update();
  store.addEventListener('change', onChange);
  const timer = setInterval(tick, 250);
  update();
  return {
    element,
    destroy() {
      clearInterval(timer);
      store.removeEventListener('change', onChange);
      destroyed = true;
      consoleView?.destroy();
    },
  };
}

/**
 * Every entry of every item's speaking list.
 * @param {object} r `state.roundtable`
 * @returns {Array<object>}
 */
function entriesOf(r) {
  return r.agenda.flatMap((i) => i.speakers);
}

/**
 * Re-renders a list and puts focus back on the control with the same `data-focus` key.
 * @param {HTMLElement} container
 * @param {() => void} render
 */
function keepFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-focus') : null;
  render();
  if (key) container.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}
