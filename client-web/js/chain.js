/**
 * Checking a room's hash chain in the browser, the way `baraza verify` does on the server:
 * each event's hash is SHA-256 over the previous event's 32-byte hash followed by the event's
 * canonical JSON, exactly the text the server hashed, which each record entry carries as
 * `canonical`. The first event's previous hash is 32 zero bytes.
 *
 * The canonical text must then say what the entry shows: parsed, it equals the shown event,
 * except that a statement's text is not in it but committed to (`text_commitment`, SHA-256 of
 * "baraza-text/1\0" ‖ salt ‖ text). Where the text is still stored the entry shows it with its
 * salt (`text_salt`), and the commitment is checked too; a redacted statement shows neither.
 */

const ZERO = '0'.repeat(64);
const DOMAIN = new TextEncoder().encode('baraza-text/1\0');

/**
 * The canonical JSON text of a record entry: the server's (`canonical`), or, for an entry
 * without it, rebuilt in the order room, seq, ts, actor, key, body.
 * @param {object} entry an entry of `GET /api/rooms/{id}/events`
 * @returns {string}
 */
export function canonicalJson(entry) {
  if (typeof entry.canonical === 'string') return entry.canonical;
  return JSON.stringify(shownEvent(entry));
}

/** The event an entry shows, without its place in the chain. */
function shownEvent(entry) {
  const event = { room: entry.room, seq: entry.seq, ts: entry.ts };
  if (entry.actor !== undefined && entry.actor !== null) event.actor = entry.actor;
  if (entry.key !== undefined && entry.key !== null) event.key = entry.key;
  event.body = entry.body;
  return event;
}

/**
 * Verifies a room's record from its first event.
 * @param {Array<object>} entries every entry, in order, starting at seq 1
 * @returns {Promise<{intact: boolean, checked: number, brokenAt?: number, problem?: string}>}
 *   problem: `gap`, `prev_hash`, `hash` (the canonical text does not hash to `hash`),
 *   `content` (it does not say what the entry shows) or `text` (a shown text does not match its
 *   commitment)
 */
export async function verifyChain(entries) {
  let previous = ZERO;
  let expected = 1;
  for (const entry of entries) {
    const fail = (problem) => ({ intact: false, checked: expected - 1, brokenAt: entry.seq, problem });
    if (entry.seq !== expected) return fail('gap');
    if (entry.prev_hash !== previous) return fail('prev_hash');
    const canonical = canonicalJson(entry);
    const computed = await chainHash(previous, canonical);
    if (computed !== entry.hash) return fail('hash');
    const problem = await contentProblem(entry, canonical);
    if (problem) return fail(problem);
    previous = entry.hash;
    expected += 1;
  }
  return { intact: true, checked: entries.length };
}

/** What is wrong between an entry's canonical text and what it shows (null: nothing). */
async function contentProblem(entry, canonical) {
  let hashed;
  try {
    hashed = JSON.parse(canonical);
  } catch {
    return 'content';
  }
  const shown = shownEvent(entry);
  const commitment = shown.body?.text_commitment;
  if (commitment !== undefined) {
    const { text, ...rest } = shown.body;
    shown.body = rest;
    if (text !== undefined && text !== '') {
      if (typeof entry.text_salt !== 'string' || await commit(entry.text_salt, text) !== commitment) return 'text';
    }
  }
  return sameJson(hashed, shown) ? null : 'content';
}

/** Deep equality of two parsed JSON values (object keys in any order). */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a).filter((k) => a[k] !== undefined);
  const other = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
  if (keys.filter((k) => a[k] !== null).length !== other.length) return false;
  return keys.every((k) => (a[k] === null && b[k] == null) || sameJson(a[k], b[k]));
}

/**
 * The commitment of a text: SHA-256("baraza-text/1\0" ‖ salt bytes ‖ UTF-8 text), in hex.
 * @param {string} saltHex
 * @param {string} text
 * @returns {Promise<string>}
 */
export async function commit(saltHex, text) {
  const salt = fromHex(saltHex, saltHex.length / 2);
  const words = new TextEncoder().encode(text);
  const data = new Uint8Array(DOMAIN.length + salt.length + words.length);
  data.set(DOMAIN, 0);
  data.set(salt, DOMAIN.length);
  data.set(words, DOMAIN.length + salt.length);
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

/**
 * SHA-256(prevHash bytes ‖ UTF-8 of canonical), in hex.
 * @param {string} prevHex previous hash, hex
 * @param {string} canonical canonical JSON text
 * @returns {Promise<string>}
 */
export async function chainHash(prevHex, canonical) {
  const text = new TextEncoder().encode(canonical);
  const data = new Uint8Array(32 + text.length);
  data.set(fromHex(prevHex, 32), 0);
  data.set(text, 32);
  const digest = await crypto.subtle.digest('SHA-256', data);
  return toHex(new Uint8Array(digest));
}

function fromHex(hex, length) {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16) || 0;
  return bytes;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
