/**
 * The floor's clock: remaining time computed from the server's deadline (the server owns the
 * clock; the browser only counts down to it) and written as minutes and seconds.
 */

/**
 * Milliseconds as `m:ss` (negative values as `-m:ss`, for overtime).
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  const sign = ms < 0 ? '-' : '';
  const total = Math.ceil(Math.abs(ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${sign}${minutes}:${String(seconds).padStart(2, '0')}`;
}

/**
 * The floor's remaining time now.
 * @param {{deadline?: number|null, paused: boolean, remaining_ms?: number|null}} floor
 * @param {number} serverNow the server's clock now
 * @returns {number} ms left (negative after the deadline)
 */
export function remainingMs(floor, serverNow) {
  if (floor.paused) return floor.remaining_ms ?? 0;
  if (floor.deadline === null || floor.deadline === undefined) return 0;
  return floor.deadline - serverNow;
}
