/**
 * Sending a roundtable command through the connection's outbox (kept and re-sent after a
 * reconnect, with an idempotency key) and reporting a refusal in words.
 */

import { announce } from '../announce.js';
import { language, t, tOr } from '../i18n.js';

/**
 * Sends a command to the room; on refusal writes the reason into `status` and announces it.
 * @param {import('../main.js').App} app
 * @param {import('../store.js').RoomStore} store
 * @param {object} command e.g. `{type: 'grant_floor'}`
 * @param {HTMLElement} [status] where to say what went wrong
 * @returns {Promise<object|null>} the ack, or null when refused
 */
export async function act(app, store, command, status) {
  if (!app.conn) return null;
  try {
    const ack = await app.conn.command(store.id, command);
    if (status) status.textContent = '';
    return ack;
  } catch (error) {
    const text = refusalText(error);
    if (status) status.textContent = text;
    announce(text, 'assertive');
    return null;
  }
}

/**
 * A refusal in words. The server explains a refused command in English (which candidates, which
 * limit): an English reader gets that explanation; other readers get the translated sentence
 * for its code, so no English reaches their interface.
 * @param {{code: string, message?: string}} error
 * @returns {string}
 */
export function refusalText(error) {
  const specific = error.code === 'invalid_command' || error.code === 'forbidden';
  if (specific && error.message && language() === 'en') return error.message;
  return tOr(`error.${error.code}`, t('common.failed', { message: error.message }));
}

/**
 * Marks a button as unavailable without taking it out of the tab order, so keyboard focus
 * never falls to the page when the state changes under it.
 * @param {HTMLElement} button
 * @param {boolean} enabled
 */
export function setEnabled(button, enabled) {
  if (enabled) button.removeAttribute('aria-disabled');
  else button.setAttribute('aria-disabled', 'true');
}

/**
 * Whether a button is marked unavailable.
 * @param {HTMLElement} button
 * @returns {boolean}
 */
export function isEnabled(button) {
  return button.getAttribute('aria-disabled') !== 'true';
}
