/**
 * The signed-in token: taken from the URL fragment (`#token=…`, which browsers never send to
 * the server) or pasted, kept for this tab in sessionStorage, and read for display only
 * (the server verifies it).
 */

const KEY = 'baraza.token';

/**
 * Takes a token from the address bar's fragment, if there is one, and removes it from the
 * address bar and the history entry.
 * @returns {string|null}
 */
export function tokenFromFragment() {
  const fragment = window.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(fragment);
  const token = params.get('token');
  if (!token) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search + '#/rooms');
  return token.trim();
}

/**
 * Takes the code of a personal sign-in link (`#invite=…`, as the registry mails it) from the
 * address bar, removing it from the address bar and the history entry.
 * @returns {string|null}
 */
export function inviteFromFragment() {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const code = params.get('invite');
  if (!code) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search + '#/');
  return code.trim();
}

/**
 * Whether a session is a person of the registry (a focal point or representative), whose
 * identity the registry gives (`sub` `registry:N`).
 * @param {object} claims
 * @returns {boolean}
 */
export function isRegistryPerson(claims) {
  return typeof claims?.sub === 'string' && claims.sub.startsWith('registry:');
}

/** @returns {string|null} the token of this tab */
export function savedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/**
 * Keeps (or with null, forgets) the token for this tab.
 * @param {string|null} token
 */
export function saveToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Private modes may refuse storage; the session then lasts as long as the page.
  }
}

/**
 * Reads a JWT's claims without verifying them (display only).
 * @param {string} token
 * @returns {object|null} the claims, or null if it does not look like a JWT
 */
export function claimsOf(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/**
 * Whether a role moderates (hides statements, reads the record).
 * @param {string} role
 * @returns {boolean}
 */
export function moderates(role) {
  return role === 'moderator' || role === 'secretariat';
}
