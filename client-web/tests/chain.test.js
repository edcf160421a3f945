/**
 * The browser's chain check (js/chain.js) against the server's own hashes: the same module the
 * record view runs, here in Node over the real record of the test room.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, chainHash, verifyChain } from '../js/chain.js';
import { env } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_ROOM');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');

async function record() {
  const response = await fetch(`${BASE}/api/rooms/${ROOM}/events?after=0&limit=1000`, {
    headers: { Authorization: `Bearer ${SECRETARIAT}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).events;
}

test('canonical JSON and hashes computed in JavaScript equal the server\'s', async () => {
  const events = await record();
  assert.ok(events.length >= 1);
  assert.match(canonicalJson(events[0]), /^\{"room":"[^"]+","seq":1,"ts":\d+,"actor":"sec-1","body":\{"type":"room_created",/);
  let previous = '0'.repeat(64);
  for (const entry of events) {
    assert.equal(entry.prev_hash, previous, `prev_hash of ${entry.seq}`);
    assert.equal(await chainHash(previous, canonicalJson(entry)), entry.hash, `hash of seq ${entry.seq}`);
    previous = entry.hash;
  }
  assert.deepEqual(await verifyChain(events), { intact: true, checked: events.length });
});

test('a changed, removed or reordered event is reported with the first broken seq', async () => {
  const events = await record();
  const statement = events.find((e) => e.body.type === 'statement_posted') ?? events[events.length - 1];
  const tampered = events.map((e) => (e.seq === statement.seq ? { ...e, body: { ...e.body, text: `${e.body.text}!` } } : e));
  const edited = await verifyChain(tampered);
  assert.equal(edited.intact, false);
  assert.equal(edited.brokenAt, statement.seq);
  assert.equal(edited.problem, 'hash');

  if (events.length >= 3) {
    const gap = await verifyChain(events.filter((e) => e.seq !== 2));
    assert.deepEqual([gap.intact, gap.brokenAt, gap.problem], [false, 3, 'gap']);
  }
});

test('non-ASCII text (Arabic, Chinese, quotes, newlines) hashes the same on both sides', async () => {
  const events = await record();
  const special = events.filter((e) => e.body.type === 'statement_posted' && /[^\x20-\x7e]/.test(e.body.text));
  for (const entry of special) {
    assert.equal(await chainHash(entry.prev_hash, canonicalJson(entry)), entry.hash, `seq ${entry.seq}`);
  }
});
