/**
 * The projector view (`#/rooms/ID/projector?lang=xx`): a read-only full-screen page for the
 * hall's screen or a stream, in the language the chair chose for it. It shows who has the floor
 * (name, organisation, constituency and country by name), the speaking clock counting down to
 * the server's deadline, the next speakers in the server's order and the item under discussion,
 * in large type and high contrast. It follows the room over the same WebSocket as every other
 * view (join, events, resume), and announces a new speaker through a polite live region.
 * Loaded with `import()` only when opened, so it adds nothing to the first load.
 */

import { h, replaceChildren } from '../dom.js';
import { loadStrings, t } from '../i18n.js';
import { formatDuration, remainingMs } from './clock.js';
import { countryName } from './geo-names.js';
import { constituencyName } from './stats.js';
import { useStyles } from './styles.js';

/** How many of the next speakers the screen shows. */
const NEXT = 5;

/**
 * Renders the projector view of a room and keeps it live.
 * @param {import('../main.js').App} app
 * @param {HTMLElement} main
 * @param {string} roomId
 * @returns {Promise<(stay?: boolean) => void>} cleanup
 */
export async function renderProjector(app, main, roomId) {
  await Promise.all([loadStrings('chair'), useStyles('chair')]);
  document.body.classList.add('projector-mode');
  const store = app.enterRoom(roomId);
  const title = h('h1', { id: 'projector-room', class: 'pj-room' }, h('bdi', {}, roomId));
  const item = h('p', { id: 'projector-item', class: 'pj-item' });
  const conn = h('p', { id: 'projector-conn', class: 'pj-conn', role: 'status' });
  const fullscreen = h('button', {
    type: 'button', id: 'projector-fullscreen', class: 'pj-button',
    onclick: () => document.documentElement.requestFullscreen?.().catch(() => {}),
  }, t('pj.fullscreen'));
  const speaker = h('div', { id: 'projector-speaker', class: 'pj-speaker', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const clock = h('p', { id: 'projector-clock', class: 'pj-clock', role: 'timer', 'aria-live': 'off', 'aria-labelledby': 'projector-clock-label' });
  const clockLabel = h('p', { id: 'projector-clock-label', class: 'pj-clock-label' });
  const next = h('ol', { id: 'projector-next', class: 'pj-next-list', 'aria-labelledby': 'projector-next-heading' });
  replaceChildren(main,
    h('section', { id: 'projector', class: 'projector', 'aria-labelledby': 'projector-room' },
      h('header', { class: 'pj-top' }, h('div', {}, title, item), h('div', { class: 'pj-tools' }, conn, fullscreen)),
      h('div', { class: 'pj-main' },
        h('section', { class: 'pj-floor', 'aria-labelledby': 'projector-floor-heading' },
          h('h2', { id: 'projector-floor-heading', class: 'pj-label' }, t('pj.floor')),
          speaker, clock, clockLabel),
        h('section', { class: 'pj-next', 'aria-labelledby': 'projector-next-heading' },
          h('h2', { id: 'projector-next-heading', class: 'pj-label' }, t('pj.next')),
          next))));
  app.setTitle(t('pj.title', { title: roomId }));

  const rt = () => store.roundtable;
  const openItem = () => rt()?.agenda.find((i) => i.id === rt().open_item) || null;
  const profileOf = (user) => store.members.get(user)?.profile
    || (rt()?.speakerProfile?.user === user ? rt().speakerProfile : null);

  /** Organisation, constituency and country of a person, by name in the screen's language. */
  function facts(profile) {
    return [
      profile?.constituency ? constituencyName(profile.constituency) : null,
      profile?.country ? countryName(profile.country) : null,
    ].filter(Boolean);
  }

  let speakerKey = null;
  function renderSpeaker(r) {
    const floor = r.floor;
    const turn = floor ? r.turns.find((x) => x.id === floor.turn) : null;
    const key = floor ? `${floor.turn}` : 'free';
    if (key === speakerKey) return;
    speakerKey = key;
    if (!floor) {
      speaker.dataset.user = '';
      replaceChildren(speaker, h('p', { class: 'pj-free' }, t('rt.floorFreeNow')));
      return;
    }
    const profile = profileOf(floor.user);
    speaker.dataset.user = floor.user;
    replaceChildren(speaker,
      h('p', { class: 'pj-name' }, h('bdi', {}, profile?.name || floor.user)),
      profile?.org ? h('p', { class: 'pj-org' }, h('bdi', {}, profile.org)) : null,
      h('p', { class: 'pj-facts' }, facts(profile).map((f, i) => [i ? ' · ' : '', h('bdi', {}, f)])),
      turn && turn.kind !== 'speak' ? h('p', { class: `pj-kind kind-${turn.kind}` }, t(`rt.kind.${turn.kind}`)) : null);
  }

  function tick() {
    const floor = rt()?.floor;
    clock.hidden = !floor;
    clockLabel.hidden = !floor;
    if (!floor) return;
    const left = remainingMs(floor, store.serverNow());
    const warning = rt().settings.warning_ms || 0;
    let state = 'running';
    if (floor.paused) state = 'paused';
    else if (floor.time_up || left <= 0) state = 'over';
    else if (left <= warning) state = 'warning';
    clock.dataset.state = state;
    const shown = state === 'over' ? `+${formatDuration(Math.max(0, -left))}` : formatDuration(Math.max(0, left));
    replaceChildren(clock, h('bdi', { dir: 'ltr' }, shown));
    clockLabel.textContent = t(`pj.clock.${state}`);
  }

  function renderNext() {
    const entries = (openItem()?.speakers || []).filter((s) => s.eligible).slice(0, NEXT);
    replaceChildren(next, entries.length ? entries.map((s, i) => {
      const profile = profileOf(s.user);
      return h('li', { dataset: { request: String(s.request), user: s.user } },
        h('span', { class: 'pj-pos', 'aria-hidden': 'true' }, String(i + 1)),
        h('span', { class: 'pj-who' },
          h('bdi', { class: 'pj-next-name' }, s.name),
          s.kind !== 'speak' ? [' ', h('span', { class: `pj-kind kind-${s.kind}` }, t(`rt.kind.${s.kind}`))] : null,
          s.org ? h('span', { class: 'pj-next-facts' }, h('bdi', {}, s.org)) : null,
          h('span', { class: 'pj-next-facts' }, facts(profile || { constituency: s.constituency })
            .map((f, j) => [j ? ' · ' : '', h('bdi', {}, f)]))));
    }) : h('li', { class: 'pj-none' }, t('rt.nobodyWaiting')));
  }

  function renderConn() {
    const state = app.conn?.state || 'closed';
    conn.dataset.state = state;
    conn.textContent = state === 'online' ? '' : t(`conn.${state}`);
  }

  function update() {
    const r = rt();
    if (store.info) {
      title.firstChild.textContent = store.info.title;
      app.setTitle(t('pj.title', { title: store.info.title }));
    }
    if (!r) {
      replaceChildren(speaker, h('p', { class: 'pj-free' }, store.info ? t('pj.notRoundtable') : t('common.loading')));
      return;
    }
    const open = openItem();
    replaceChildren(item, open ? [t('pj.item'), ' ', h('bdi', {}, open.title)] : t('rt.noOpenItem'));
    renderSpeaker(r);
    renderNext();
    tick();
  }

  // Until a live event tells the server's time, take it from the HTTP Date header (to the
  // second; the middle of that second is the best guess), so the clock does not depend on
  // this screen's own clock being right.
  if (store.clockOffset === null) {
    fetch('/healthz', { cache: 'no-store' }).then((response) => {
      const date = Date.parse(response.headers.get('date') || '');
      if (Number.isFinite(date) && store.clockOffset === null) store.observeServerTime(date + 500);
    }).catch(() => {});
  }

  const onChange = () => update();
  const onFullscreen = () => { fullscreen.hidden = !!document.fullscreenElement; };
  store.addEventListener('change', onChange);
  app.conn?.addEventListener('state', renderConn);
  document.addEventListener('fullscreenchange', onFullscreen);
  const timer = setInterval(tick, 250);
  renderConn();
  update();
  return (stay) => {
    clearInterval(timer);
    store.removeEventListener('change', onChange);
    app.conn?.removeEventListener('state', renderConn);
    document.removeEventListener('fullscreenchange', onFullscreen);
    document.body.classList.remove('projector-mode');
    if (!stay) app.leaveRoom(roomId);
  };
}
