/**
 * Redaction in the web client (issue 15): the secretariat redacts a statement with a reason on
 * a lawful request; the secretariat and a participant, live, see "[redacted: reason]" in its
 * place and no longer its text; the record page still verifies the chain in the browser, and the
 * record holds the statement's commitment but neither its text nor its salt.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../js/chain.js';
import { assertAccessible, env, launch, screenshot } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_REDACT_ROOM');
const PARTICIPANT = env('BARAZA_TOKEN_PARTICIPANT');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const PERSONAL = 'My name is Bruno Costa and I live at Rua das Flores 12, Goiânia.';
const KEPT = 'Tax cooperation must include the global South.';
const REASON = 'Data protection request DP-2026-14';

async function record() {
  const response = await fetch(`${BASE}/api/rooms/${ROOM}/events?after=0&limit=1000`, {
    headers: { Authorization: `Bearer ${SECRETARIAT}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).events;
}

describe('redaction in the web client', { concurrency: false }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function newPage(token) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    await page.goto(`${BASE}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.goto(`${BASE}/#/rooms/${ROOM}`);
    return { context, page };
  }

  test('the secretariat redacts a statement with a reason; everyone sees the reason; the record still verifies', async () => {
    const before = await record();
    const posted = before.find((e) => e.body.type === 'statement_posted' && e.body.text === PERSONAL);
    assert.ok(posted, 'the statement to redact is in the record');
    assert.ok(posted.canonical.includes(posted.body.text_commitment) && !posted.canonical.includes('Bruno'));

    const sec = await newPage(SECRETARIAT);
    const reader = await newPage(PARTICIPANT);
    const target = (page) => page.locator(`li[data-statement="${posted.seq}"] > article`);
    await target(reader.page).getByText(PERSONAL).waitFor();
    assert.equal(await reader.page.getByRole('button', { name: /^Redact statement/ }).count(), 0, 'participants have no redact action');

    await target(sec.page).getByRole('button', { name: `Redact statement ${posted.seq}`, exact: true }).click();
    const reason = sec.page.getByLabel('Reason for the redaction (shown to everyone in place of the text)');
    await reason.waitFor();
    assert.match(await target(sec.page).locator('form.redact').textContent(), /removed from this node for good/);
    await assertAccessible(sec.page, 'redaction form');
    // No reason, no redaction: the browser itself holds the empty form back.
    await sec.page.getByRole('button', { name: 'Redact for good' }).click();
    assert.equal(await reason.evaluate((input) => input.validity.valueMissing), true);
    assert.equal(await target(sec.page).locator('form.redact').count(), 1, 'the form stays open');
    await reason.fill(REASON);
    await sec.page.getByRole('button', { name: 'Redact for good' }).click();

    for (const { page } of [sec, reader]) {
      await target(page).getByText(`[redacted: ${REASON}]`).waitFor();
      assert.doesNotMatch(await target(page).textContent(), /Bruno|Rua das Flores/, 'the text is gone from the view');
      await page.locator('li[data-statement] > article', { hasText: KEPT }).waitFor();
    }
    await sec.page.locator('form.redact').waitFor({ state: 'detached' });
    assert.deepEqual(await target(sec.page).getByRole('button').allTextContents(), [], 'nothing is left to redact again, hide or reply to');
    await assertAccessible(reader.page, 'room with a redacted statement');
    await screenshot(sec.page, 'room-redacted');

    // After a reload the view comes from the server: still redacted, for the participant too.
    await reader.page.reload();
    await target(reader.page).getByText(`[redacted: ${REASON}]`).waitFor();
    assert.doesNotMatch(await reader.page.locator('main').textContent(), /Bruno Costa/);

    // The record page checks the chain in the browser: intact, with the redaction recorded.
    await sec.page.goto(`${BASE}/#/rooms/${ROOM}/record`);
    await sec.page.waitForFunction(() => document.getElementById('verdict')?.dataset.result !== 'pending', null, { timeout: 20000 });
    assert.equal(await sec.page.locator('#verdict').getAttribute('data-result'), 'intact', await sec.page.locator('#verdict').textContent());
    const row = sec.page.locator('tr', { has: sec.page.locator('td[data-type="statement_redacted"]') });
    assert.match(await row.textContent(), new RegExp(`Statement redacted.*#${posted.seq}: ${REASON}`));
    assert.match(await row.textContent(), /SEC-1/, 'the secretariat as the actor');
    const statementRow = sec.page.locator(`tr[data-seq="${posted.seq}"]`);
    assert.match(await statementRow.textContent(), /Statement.*\(text withdrawn by a redaction\)/);
    assert.doesNotMatch(await sec.page.locator('main').textContent(), /Bruno Costa/);
    await assertAccessible(sec.page, 'record with a redaction');
    await screenshot(sec.page, 'record-redacted');

    // The record keeps the commitment and every hash; the text and its salt are gone.
    const after = await record();
    const entry = after.find((e) => e.seq === posted.seq);
    assert.equal(entry.body.text, undefined);
    assert.equal(entry.text_salt, undefined);
    assert.equal(entry.body.text_commitment, posted.body.text_commitment);
    assert.deepEqual([entry.canonical, entry.hash], [posted.canonical, posted.hash]);
    assert.ok(after.every((e) => !JSON.stringify(e).includes('Bruno')));
    assert.deepEqual(await verifyChain(after), { intact: true, checked: after.length });
    await sec.context.close();
    await reader.context.close();
  });
});
