/**
 * The node's HTTP API (`/api/*`), called with `Authorization: Bearer`.
 */

/** An HTTP refusal with the protocol's error code. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * GETs a JSON document.
 * @param {string} token bearer token
 * @param {string} path e.g. `/api/rooms`
 * @returns {Promise<any>}
 */
export async function getJson(token, path) {
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', String(error.message || error));
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code || 'internal', body?.error?.message || response.statusText);
  }
  return body;
}

/**
 * Every room's summary.
 * @param {string} token
 * @returns {Promise<Array<object>>}
 */
export function listRooms(token) {
  return getJson(token, '/api/rooms');
}

/**
 * A room's state as the caller may see it: `{seq, state}`.
 * @param {string} token
 * @param {string} room
 * @returns {Promise<{seq: number, state: object}>}
 */
export function roomView(token, room) {
  return getJson(token, `/api/rooms/${encodeURIComponent(room)}`);
}

/**
 * One page of a room's record.
 * @param {string} token
 * @param {string} room
 * @param {number} after the last seq already read
 * @param {number} [limit]
 * @returns {Promise<{room: string, head: number, events: Array<object>}>}
 */
export function recordPage(token, room, after, limit = 500) {
  return getJson(token, `/api/rooms/${encodeURIComponent(room)}/events?after=${after}&limit=${limit}`);
}

/**
 * GETs a file (an export, a bundle) with the bearer token, which is not a cookie, so a plain
 * link cannot fetch it.
 * @param {string} token
 * @param {string} path
 * @returns {Promise<{blob: Blob, filename: string}>}
 */
export async function getFile(token, path) {
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', String(error.message || error));
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.error?.code || 'internal', body?.error?.message || response.statusText);
  }
  const disposition = response.headers.get('Content-Disposition') || '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] || path.split('/').pop();
  return { blob: await response.blob(), filename };
}

/**
 * Offers a blob as a file download.
 * @param {Blob} blob
 * @param {string} filename
 */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
