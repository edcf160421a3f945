/**
 * Checking a room's hash chain in the browser, the way `baraza verify` does on the server:
 * each event's hash is SHA-256 over the previous event's 32-byte hash followed by the event's
 * canonical JSON (the event without `prev_hash` and `hash`, fields in the order room, seq, ts,
 * actor, key, body; no whitespace). The first event's previous hash is 32 zero bytes.
 */

const ZERO = '0'.repeat(64);

/**
 * The canonical JSON text of a record entry.
 * `body` keeps the field order in which the server sent it (JSON.parse preserves it).
 * @param {object} entry an entry of `GET /api/rooms/{id}/events`
 * @returns {string}
 */
export function canonicalJson(entry) {
  const event = { room: entry.room, seq: entry.seq, ts: entry.ts };
  if (entry.actor !== undefined && entry.actor !== null) event.actor = entry.actor;
  if (entry.key !== undefined && entry.key !== null) event.key = entry.key;
  event.body = entry.body;
  return JSON.stringify(event);
}

/**
 * Verifies a room's record from its first event.
 * @param {Array<object>} entries every entry, in order, starting at seq 1
 * @returns {Promise<{intact: boolean, checked: number, brokenAt?: number, problem?: string}>}
 */
export async function verifyChain(entries) {
  let previous = ZERO;
  let expected = 1;
  for (const entry of entries) {
    const fail = (problem) => ({ intact: false, checked: expected - 1, brokenAt: entry.seq, problem });
    if (entry.seq !== expected) return fail('gap');
    if (entry.prev_hash !== previous) return fail('prev_hash');
    const computed = await chainHash(previous, canonicalJson(entry));
    if (computed !== entry.hash) return fail('hash');
    previous = entry.hash;
    expected += 1;
  }
  return { intact: true, checked: entries.length };
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
  data.set(fromHex(prevHex), 0);
  data.set(text, 32);
  const digest = await crypto.subtle.digest('SHA-256', data);
  return toHex(new Uint8Array(digest));
}

function fromHex(hex) {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16) || 0;
  return bytes;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
