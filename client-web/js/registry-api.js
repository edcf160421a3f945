/**
 * The HTTP calls of the registry (`/api/registry/*`): the public list, the public application
 * and the sign-in link's exchange need no token; the rest are the secretariat's and the focal
 * points' (docs/registry.md).
 */

import { ApiError } from './api.js';

/**
 * Calls the registry and returns the JSON answer, or throws an ApiError with the status, the
 * protocol's error code and the server's message.
 * @param {string|null} token bearer token, or null for the public endpoints
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<any>}
 */
async function call(token, method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', String(error.message || error));
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, answer?.error?.code || 'internal', answer?.error?.message || response.statusText);
  }
  return answer;
}

/** @returns {Promise<{forums: Array<object>}>} the public list (no token) */
export function publicList() {
  return call(null, 'GET', '/api/registry/public');
}

/**
 * An organisation registers itself and applies to a forum (no token).
 * @param {object} application `PublicApplication`
 * @returns {Promise<{org: number, application: number, mailed: boolean}>}
 */
export function apply(application) {
  return call(null, 'POST', '/api/registry/apply', application);
}

/**
 * Exchanges a sign-in link's code for a session (no token).
 * @param {string} code the part of the link after `#invite=`
 * @returns {Promise<{token: string, profile: object, expires_at: number}>}
 */
export function signInWithCode(code) {
  return call(null, 'POST', '/api/registry/sign-in', { code });
}

/**
 * What the caller may see of the registry.
 * @param {string} token
 * @returns {Promise<object>} `RegistryView`
 */
export function registryView(token) {
  return call(token, 'GET', '/api/registry');
}

/**
 * A write of the registry (`POST /api/registry/…`).
 * @param {string} token
 * @param {string} path after `/api/registry/`
 * @param {object} body
 * @returns {Promise<any>} `{seq}`, or for an invitation `InvitationSent`
 */
export function registryPost(token, path, body) {
  return call(token, 'POST', `/api/registry/${path}`, body);
}

/**
 * The secretariat's list of invitations as a CSV file.
 * @param {string} token
 * @returns {Promise<Blob>}
 */
export async function invitationsCsv(token) {
  let response;
  try {
    response = await fetch('/api/registry/invitations.csv', { headers: { Authorization: `Bearer ${token}`, Accept: 'text/csv' }, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', String(error.message || error));
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => null);
    throw new ApiError(response.status, answer?.error?.code || 'internal', answer?.error?.message || response.statusText);
  }
  return response.blob();
}

/** @type {Promise<object>|null} */
let geoTable = null;

/**
 * The countries a form may offer (no token): `GET /api/geo`, fetched once.
 * @returns {Promise<{countries: Array<{code: string, un_group?: string}>}>}
 */
export function countries() {
  if (!geoTable) {
    geoTable = call(null, 'GET', '/api/geo').catch((error) => {
      geoTable = null;
      throw error;
    });
  }
  return geoTable;
}
