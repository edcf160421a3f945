/**
 * The web client's entry point: language, sign-in, the connection, the header and the routes
 * (`#/rooms`, `#/rooms/ID`, `#/rooms/ID/record`).
 */

import { announce } from './announce.js';
import { Connection } from './connection.js';
import { h, replaceChildren } from './dom.js';
import { LANGUAGES, initialLanguage, language, onLanguageChange, setLanguage, t } from './i18n.js';
import { roomView } from './api.js';
import { RoomStore } from './store.js';
import { needsRefresh, viewRefresher } from './view-sync.js';
import { claimsOf, moderates, saveToken, savedToken, tokenFromFragment } from './session.js';
import { renderSignin } from './views/signin.js';
import { renderRooms } from './views/rooms.js';
import { renderRoom } from './views/room.js';
import { renderRecord } from './views/record.js';

/**
 * Everything the views share.
 * @typedef {object} App
 * @property {string|null} token
 * @property {object|null} claims the token's claims (display only)
 * @property {boolean} moderating
 * @property {Connection|null} conn
 * @property {Map<string, RoomStore>} stores joined rooms
 * @property {Record<string, string>} drafts unsent text per room
 * @property {(token: string, path?: string) => void} signIn
 * @property {(reason?: string) => void} signOut
 * @property {string|null} signinNotice why the last session ended
 * @property {(path: string) => void} go
 * @property {(room: string) => RoomStore} enterRoom
 * @property {(room: string) => void} leaveRoom
 * @property {(text: string) => void} setTitle
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const refreshView = viewRefresher(() => app.token);
let cleanup = () => {};

/** @type {App} */
const app = {
  token: null,
  claims: null,
  moderating: false,
  conn: null,
  stores: new Map(),
  drafts: {},
  signIn(token, path = '#/rooms') {
    app.token = token;
    app.claims = claimsOf(token) || {};
    app.moderating = moderates(app.claims.role);
    saveToken(token);
    startConnection();
    renderHeader();
    app.go(path);
  },
  signOut(reason) {
    app.conn?.stop();
    app.conn = null;
    app.token = null;
    app.claims = null;
    app.stores.clear();
    saveToken(null);
    renderHeader();
    app.signinNotice = reason || null;
    app.go('#/signin');
  },
  go(path) {
    if (window.location.hash === path) route();
    else window.location.hash = path;
  },
  enterRoom(room) {
    let store = app.stores.get(room);
    if (!store) {
      store = new RoomStore(room, app.moderating);
      app.stores.set(room, store);
    }
    app.conn?.join(room);
    return store;
  },
  leaveRoom(room) {
    app.conn?.leave(room);
    app.stores.delete(room);
  },
  setTitle(text) {
    document.title = `${text} · Baraza`;
  },
  signinNotice: null,
};

function startConnection() {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const conn = new Connection({
    url: `${scheme}//${window.location.host}/ws`,
    token: app.token,
    lastSeq: (room) => app.stores.get(room)?.seq ?? null,
  });
  app.conn = conn;
  conn.addEventListener('state', (e) => {
    renderConnectionState();
    const state = e.detail.state;
    if (state !== 'connecting') announce(t(`conn.${state}`));
  });
  conn.addEventListener('outbox', renderConnectionState);
  conn.addEventListener('snapshot', (e) => {
    app.stores.get(e.detail.room)?.applySnapshot(e.detail.seq, e.detail.state);
  });
  conn.addEventListener('event', (e) => {
    const store = app.stores.get(e.detail.room);
    if (!store) return;
    store.observeServerTime(e.detail.ts);
    const result = store.applyEvent(e.detail);
    if (result === 'gap') resync(store);
    else if (result === 'applied') {
      if (needsRefresh(store, e.detail)) refreshView(store);
    }
  });
  conn.addEventListener('join-error', (e) => {
    const store = app.stores.get(e.detail.room);
    if (store && e.detail.code === 'invalid_message' && store.seq !== null) {
      // Our seq is beyond the node's record (a reset node): start over from a snapshot.
      store.seq = null;
      conn.sendJoin(e.detail.room);
      return;
    }
    store?.dispatchEvent(new CustomEvent('error', { detail: e.detail }));
  });
  conn.addEventListener('fatal', (e) => {
    announce(t('signin.refused', { code: e.detail.code }), 'assertive');
    app.signOut(t('signin.refused', { code: e.detail.code }));
  });
  conn.start();
}

async function resync(store) {
  try {
    const view = await roomView(app.token, store.id);
    store.applySnapshot(view.seq, view.state);
  } catch {
    // The next reconnect resumes anyway.
  }
}

function renderHeader() {
  const picker = document.getElementById('lang-picker');
  replaceChildren(picker, ...LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === language() }, l.name)));
  document.getElementById('lang-label').textContent = t('header.language');
  document.getElementById('skip-link').textContent = t('header.skip');
  const user = document.getElementById('user');
  if (app.claims) {
    replaceChildren(user,
      h('bdi', { class: 'who' }, app.claims.name || app.claims.sub || ''),
      ' ',
      h('span', { class: 'badge' }, t(`role.${app.claims.role}`)),
      ' ',
      h('button', { type: 'button', class: 'link', onclick: () => app.signOut() }, t('header.signOut')));
  } else {
    replaceChildren(user);
  }
  renderConnectionState();
}

function renderConnectionState() {
  const el = document.getElementById('conn');
  const state = app.conn ? app.conn.state : 'closed';
  el.dataset.state = state;
  el.hidden = !app.conn;
  const queued = app.conn ? app.conn.queued() : 0;
  replaceChildren(el,
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    t(`conn.${state}`),
    queued ? h('span', { class: 'queued' }, ` · ${t('conn.queued', { count: queued })}`) : null);
}

/**
 * Shows the view of the current address.
 * @param {boolean} [sameView] true when only the language changed: rooms stay joined
 */
function route(sameView = false) {
  cleanup(sameView === true);
  cleanup = () => {};
  const path = window.location.hash.replace(/^#/, '') || '/rooms';
  if (!app.token) {
    cleanup = renderSignin(app, main) || (() => {});
    if (!sameView) focusHeading();
    return;
  }
  const record = path.match(/^\/rooms\/([^/]+)\/record$/);
  const room = path.match(/^\/rooms\/([^/]+)$/);
  if (path === '/rooms/new') {
    // The secretariat's form is loaded when first opened, not on every first load.
    let alive = true;
    cleanup = () => { alive = false; };
    import('./views/room-form.js').then((m) => {
      if (!alive) return;
      m.renderNewRoom(app, main);
      if (!sameView) focusHeading();
    });
    return;
  }
  if (path === '/mail-settings') {
    let alive = true;
    cleanup = () => { alive = false; };
    import('./views/mail-settings.js').then((m) => {
      if (!alive) return;
      cleanup = m.renderMailSettings(app, main);
      if (!sameView) focusHeading();
    });
    return;
  }
  else if (record) cleanup = renderRecord(app, main, decodeURIComponent(record[1])) || (() => {});
  else if (room) cleanup = renderRoom(app, main, decodeURIComponent(room[1])) || (() => {});
  else cleanup = renderRooms(app, main) || (() => {});
  if (!sameView) focusHeading();
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

async function start() {
  // Take the token out of the address bar at once, before anything else can change the address.
  const token = tokenFromFragment() || savedToken();
  await setLanguage(initialLanguage());
  document.getElementById('lang-picker').addEventListener('change', (e) => {
    setLanguage(/** @type {HTMLSelectElement} */ (e.target).value);
  });
  onLanguageChange(() => {
    renderHeader();
    route(true);
  });
  window.addEventListener('hashchange', () => route());
  const path = window.location.hash.startsWith('#/rooms') || window.location.hash === '#/mail-settings' ? window.location.hash : '#/rooms';
  if (token) app.signIn(token, path);
  else {
    renderHeader();
    route();
  }
}

start();
