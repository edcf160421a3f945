/**
 * The browser's chain check (js/chain.js) against the server's own hashes: the same module the
 * record view runs, here in Node over the real record of the test room.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, chainHash, commit, verifyChain } from '../js/chain.js';
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
  // The server's exact bytes are what is hashed, never a re-encoding.
  assert.ok(events.every((e) => typeof e.canonical === 'string' && canonicalJson(e) === e.canonical));
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
  const statement = events.find((e) => e.body.type === 'statement_posted');
  assert.ok(statement, 'the test room has a statement');
  // A statement's text is committed to, not hashed in: the shown text must open the commitment.
  assert.match(statement.canonical, /"text_commitment":"[0-9a-f]{64}"/);
  assert.ok(!statement.canonical.includes('"text":'));
  assert.equal(await commit(statement.text_salt, statement.body.text), statement.body.text_commitment);
  const retexted = events.map((e) => (e.seq === statement.seq ? { ...e, body: { ...e.body, text: `${e.body.text}!` } } : e));
  const edited = await verifyChain(retexted);
  assert.deepEqual([edited.intact, edited.brokenAt, edited.problem], [false, statement.seq, 'text']);

  const rehashed = events.map((e) => (e.seq === statement.seq ? { ...e, canonical: e.canonical.replace('"lang":"', '"lang":"x') } : e));
  const broken = await verifyChain(rehashed);
  assert.deepEqual([broken.intact, broken.brokenAt, broken.problem], [false, statement.seq, 'hash']);

  // The bytes hash right but say something else than the entry shows.
  const shown = events.map((e) => (e.seq === statement.seq ? { ...e, ts: e.ts + 1 } : e));
  const lying = await verifyChain(shown);
  assert.deepEqual([lying.intact, lying.brokenAt, lying.problem], [false, statement.seq, 'content']);

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
    assert.equal(await commit(entry.text_salt, entry.body.text), entry.body.text_commitment, `text of seq ${entry.seq}`);
  }
});
