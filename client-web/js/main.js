/**
 * The web client's entry point: language, sign-in, the connection, the header and the routes
 * (`#/rooms`, `#/rooms/ID`, `#/rooms/ID/record`, `#/rooms/ID/projector?lang=xx`, `#/rooms/new`,
 * `#/search?q=…`; the registry's `#/registry`;
 * without a token `#/accredited` and `#/apply`; a sign-in link `#invite=CODE`). An address it
 * does not know shows "page not found". Every view but the room list, a room and its record is
 * loaded when first opened (`import()`), so the first load stays small.
 */

import { announce } from './announce.js';
import { Connection } from './connection.js';
import { h, replaceChildren } from './dom.js';
import { LANGUAGES, initialLanguage, language, loadStrings, onLanguageChange, setLanguage, t } from './i18n.js';
import { roomView } from './api.js';
import { RoomStore } from './store.js';
import { needsRefresh, viewRefresher } from './view-sync.js';
import { claimsOf, inviteFromFragment, isRegistryPerson, moderates, saveToken, savedToken, tokenFromFragment } from './session.js';
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
/** The address of the view shown (null before the first). */
let shown = null;

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
  });
  conn.addEventListener('view', (e) => {
    const store = app.stores.get(e.detail.room);
    if (!store || store.seq === null) return;
    store.applyView(e.detail);
    if (needsRefresh(store, e.detail)) refreshView(store);
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
    const text = e.detail.code === 'access_ended'
      ? t('signin.accessEnded', { reason: e.detail.message || '' })
      : t('signin.refused', { code: e.detail.code });
    announce(text, 'assertive');
    app.signOut(text);
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
  renderNav();
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

/** The site's links: the registry for the secretariat and an organisation's people, the public list for all. */
function renderNav() {
  const nav = document.getElementById('site-nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const link = (href, key, id) => h('li', {}, h('a', { href, id }, t(key)));
  const links = [];
  if (app.token) links.push(link('#/rooms', 'rooms.title', 'nav-rooms'));
  if (app.token) links.push(link('#/search', 'header.search', 'nav-search'));
  if (app.claims?.role === 'secretariat') links.push(link('#/registry', 'nav.registry', 'nav-registry'));
  if (app.claims?.role === 'secretariat') links.push(link('#/mail', 'nav.mailDesk', 'nav-mail-desk'));
  else if (app.claims && isRegistryPerson(app.claims)) links.push(link('#/registry', 'nav.myOrganisation', 'nav-registry'));
  if (app.claims && isRegistryPerson(app.claims)) links.push(link('#/mail-settings', 'mail.title', 'nav-mail'));
  links.push(link('#/accredited', 'nav.accredited', 'nav-accredited'));
  if (!app.token) links.push(link('#/apply', 'nav.apply', 'nav-apply'));
  replaceChildren(nav, h('ul', {}, links));
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
  if (window.location.hash === '#main' && shown !== null) {
    // The skip link followed natively (before its handler was attached, on a slow link): an
    // anchor in the page, not an address. The view stays; the address goes back to naming it.
    window.history.replaceState(null, '', shown);
    main.focus();
    return;
  }
  shown = window.location.hash || '#/rooms';
  cleanup(sameView === true);
  cleanup = () => {};
  const path = window.location.hash.replace(/^#/, '') || '/rooms';
  const show = (render) => {
    cleanup = render() || (() => {});
    if (!sameView) focusHeading();
  };
  // Open to everyone, with or without a token.
  if (path === '/accredited') return lazy(() => registryPage(import('./views/accredited.js')), (m) => m.renderAccredited(app, main), sameView);
  if (path === '/apply') return lazy(() => registryPage(import('./views/apply.js')), (m) => m.renderApply(app, main), sameView);
  const record = path.match(/^\/rooms\/([^/]+)\/record$/);
  const room = path.match(/^\/rooms\/([^/]+)$/);
  const projector = path.match(/^\/rooms\/([^/?]+)\/projector(?:\?lang=([a-z]{2,3}))?$/);
  const search = path.match(/^\/search(?:\?(.*))?$/);
  const known = path === '/' || path === '/rooms' || path === '/signin' || path === '/registry' || path === '/mail-settings' || path === '/mail' || record || room || projector || search;
  if (!known) return lazy(() => registryPage(import('./views/not-found.js')), (m) => m.renderNotFound(app, main, path), sameView);
  if (!app.token) return show(() => renderSignin(app, main));
  if (path === '/rooms/new') {
    // The secretariat's form is loaded when first opened, not on every first load.
    return lazy(() => import('./views/room-form.js'), (m) => m.renderNewRoom(app, main), sameView);
  }
  if (path === '/registry') {
    if (app.claims?.role === 'secretariat') {
      return lazy(() => registryPage(import('./views/registry-secretariat.js')), (m) => m.renderSecretariatRegistry(app, main), sameView);
    }
    return lazy(() => registryPage(import('./views/registry-focal.js')), (m) => m.renderFocalRegistry(app, main), sameView);
  }
  if (search) {
    // The search page and its strings are loaded when first opened.
    const load = () => Promise.all([import('./views/search.js'), loadStrings('search')]).then(([m]) => m);
    return lazy(load, (m) => m.renderSearch(app, main, new URLSearchParams(search[1] || '')), sameView);
  }
  if (projector) {
    // The screen shows the language the chair chose for it, in this tab only; the change of
    // language routes here again.
    const lang = projector[2];
    if (lang && lang !== language() && LANGUAGES.some((l) => l.code === lang)) {
      setLanguage(lang, { remember: false });
      return;
    }
    // The hall's screen is loaded when opened, not on every first load.
    let alive = true;
    let stayed = false;
    let done = null;
    cleanup = (stay) => { alive = false; stayed = stay === true; done?.(stayed); };
    import('./views/projector.js')
      .then((m) => m.renderProjector(app, main, decodeURIComponent(projector[1])))
      .then((end) => {
        if (alive) done = end;
        else end(stayed);
      });
    return;
  }
  if (path === '/mail') {
    const load = () => Promise.all([import('./views/mail-desk.js'), loadStrings('desk')]).then(([m]) => m);
    return lazy(load, (m) => m.renderMailDesk(app, main), sameView);
  }
  if (path === '/mail-settings') return lazy(() => import('./views/mail-settings.js'), (m) => m.renderMailSettings(app, main), sameView);
  if (record) return show(() => renderRecord(app, main, decodeURIComponent(record[1])));
  if (room) return show(() => renderRoom(app, main, decodeURIComponent(room[1])));
  return show(() => renderRooms(app, main));
}

/**
 * Shows a view whose module is loaded on first use; a route change meanwhile wins.
 * @param {() => Promise<any>} load
 * @param {(module: any) => (() => void)|void} render
 * @param {boolean} sameView
 */
function lazy(load, render, sameView) {
  let alive = true;
  let inner = () => {};
  cleanup = (stay) => {
    alive = false;
    inner(stay);
  };
  load().then((m) => {
    if (!alive) return;
    inner = render(m) || (() => {});
    if (!sameView) focusHeading();
  }).catch((error) => {
    if (alive) replaceChildren(main, h('p', { class: 'error', role: 'alert' }, t('common.failed', { message: error.message })));
  });
}

/**
 * A registry page's module, once its strings are loaded too (and its stylesheet asked for).
 * @param {Promise<any>} module
 * @returns {Promise<any>}
 */
function registryPage(module) {
  if (!document.getElementById('registry-css')) {
    // Next to this module's own address, so it comes from the same versioned prefix.
    document.head.appendChild(h('link', { rel: 'stylesheet', href: new URL('../registry.css', import.meta.url).href, id: 'registry-css' }));
  }
  return Promise.all([module, loadStrings('reg')]).then(([m]) => m);
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

async function start() {
  // First, before anything is awaited: the skip link moves focus without changing the address
  // (which names the view).
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  // Take the token out of the address bar at once, before anything else can change the address.
  const invite = inviteFromFragment();
  const token = invite ? null : tokenFromFragment() || savedToken();
  await setLanguage(initialLanguage());
  document.getElementById('lang-picker').addEventListener('change', (e) => {
    setLanguage(/** @type {HTMLSelectElement} */ (e.target).value);
  });
  onLanguageChange(() => {
    renderHeader();
    route(true);
  });
  window.addEventListener('hashchange', () => route());
  const path = window.location.hash.startsWith('#/') && window.location.hash !== '#/signin' ? window.location.hash : '#/rooms';
  if (invite) {
    renderHeader();
    const { renderInvite } = await registryPage(import('./views/invite.js'));
    renderInvite(app, main, invite);
  } else if (token) app.signIn(token, path);
  else {
    renderHeader();
    route();
  }
}

start();
