/**
 * Keeps the server-computed parts of a room view current: a roundtable's `state.roundtable`
 * (suggested order, reasons, statistics) and a consultation's `state.consultation` with its
 * statements as the reader's role may see them (held, rejected, alignment, queue, figures).
 * Rather than recomputing them here, the client refetches the room view (`GET /api/rooms/{id}`)
 * after an event that may change them, with at most one fetch in flight per room, and applies a
 * result only if it is not older than what is shown.
 */

import { roomView } from './api.js';

/** Event types after which the roundtable part is refetched. */
const ROUNDTABLE_EVENTS = new Set([
  'roundtable_configured', 'agenda_item_added', 'agenda_item_opened', 'agenda_item_closed',
  'agenda_reordered', 'speaking_policy_set', 'time_budget_set', 'floor_requested',
  'request_withdrawn', 'request_removed', 'speaking_list_closed', 'speaking_list_reopened', 'floor_granted',
  'floor_extended', 'floor_paused', 'floor_resumed', 'floor_warning', 'floor_time_up',
  'floor_ended', 'participant_muted', 'participant_unmuted', 'participant_expelled',
  'participant_readmitted', 'member_joined', 'member_left',
]);

/**
 * Whether an event (already applied to the store) calls for a refetch of the view: any event
 * of a consultation, the roundtable's events in a roundtable.
 * @param {import('./store.js').RoomStore} store
 * @param {{actor?: string, body: {type: string}}} event
 * @returns {boolean}
 */
export function needsRefresh(store, event) {
  if (store.consultation) return true;
  if (!store.roundtable) return false;
  if (ROUNDTABLE_EVENTS.has(event.body.type)) return true;
  // A statement by the speaker is listed in their turn.
  return event.body.type === 'statement_posted' && store.roundtable.floor?.user === event.actor;
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
