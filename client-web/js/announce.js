/**
 * Announcements for screen readers through two ARIA live regions in index.html:
 * `#live-polite` (new statements, connection changes) and `#live-assertive` (urgent notices).
 */

/** @type {Record<string, number>} */
const timers = {};

/**
 * Announces a message.
 * @param {string} text what to say
 * @param {'polite'|'assertive'} [urgency]
 */
export function announce(text, urgency = 'polite') {
  const region = document.getElementById(urgency === 'assertive' ? 'live-assertive' : 'live-polite');
  if (!region) return;
  // Clearing first makes a repeated identical message be read again.
  region.textContent = '';
  clearTimeout(timers[region.id]);
  timers[region.id] = setTimeout(() => { region.textContent = text; }, 50);
}
