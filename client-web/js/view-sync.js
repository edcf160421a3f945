/**
 * Keeps the server-computed parts of a room view current: a roundtable's `state.roundtable`
 * (suggested order, reasons, statistics) and a consultation's `state.consultation` with its
 * statements as the reader's role may see them (held, rejected, alignment, queue, figures).
 * The server sends them in a `view` message right after each event that changed them, encoded
 * once per kind of reader (store.applyView), so an event costs no HTTP request. The one
 * refetch left (`GET /api/rooms/{id}`): after a resume in a consultation, whose closing `view`
 * message does not list the statements changed while away.
 */

import { roomView } from './api.js';

/**
 * Whether a message calls for a refetch of the view: only the `view` message that ends a
 * resume, in a consultation. Events never do.
 * @param {import('./store.js').RoomStore} store
 * @param {{type: string, resume?: boolean}} message an `event` or `view` message
 * @returns {boolean}
 */
export function needsRefresh(store, message) {
  return message.type === 'view' && message.resume === true && store.consultation !== null;
}

/**
 * Makes a refresher: `refresh(store)` fetches the room view now, or once more after the fetch in
 * flight if one is running.
 * @param {() => string|null} token the current token
 * @returns {(store: import('./store.js').RoomStore) => void}
 */
export function viewRefresher(token) {
  /** @type {Map<string, {running: boolean, again: boolean}>} */
  const rooms = new Map();
  async function run(store, entry) {
    entry.running = true;
    do {
      entry.again = false;
      try {
        const view = await roomView(token(), store.id);
        if (view.state?.roundtable) store.applyRoundtable(view.seq, view.state.roundtable);
        if (view.state?.consultation) store.applyConsultation(view.seq, view.state);
      } catch {
        // The next event or reconnect brings a fresh state anyway.
      }
    } while (entry.again);
    entry.running = false;
  }
  return (store) => {
    let entry = rooms.get(store.id);
    if (!entry) {
      entry = { running: false, again: false };
      rooms.set(store.id, entry);
    }
    if (entry.running) entry.again = true;
    else run(store, entry);
  };
}
