/**
 * Minutes with approval in the web client: a participant speaks in a roundtable; the
 * secretariat starts the minutes from the record, saves and circulates them with a deadline;
 * the participant proposes a correction of their own line; the secretariat accepts it with a
 * reason and approves; the approved minutes show read-only with their hash, and a later edit
 * is no longer offered. Screenshot: tests/screenshots/minutes-approved.png.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, env, launch, screenshot } from './support.js';

const BASE = env('BARAZA_URL');
const PARTICIPANT = env('BARAZA_TOKEN_PARTICIPANT');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const ROOM = 'minutes-ui';

describe('minutes with approval', { concurrency: false }, () => {
  let browser;
  before(async () => {
    browser = await launch();
    const response = await fetch(`${BASE}/api/rooms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRETARIAT}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: ROOM, kind: 'roundtable', title: 'Levies roundtable', languages: ['en'], scope: { level: 'global' } }),
    });
    assert.equal(response.status, 201, await response.text());
  });
  after(async () => {
    await browser?.close();
  });

  async function as(token) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    await page.goto(`${BASE}/#token=${token}`);
    await page.goto(`${BASE}/#/rooms/${ROOM}`);
    await page.locator('#minutes-heading').waitFor();
    return { context, page };
  }

  test('drafted from the record, corrected by the speaker, approved and sealed', async () => {
    const speaker = await as(PARTICIPANT);
    await speaker.page.getByLabel('Your statement').fill('We support a levy on all financial transactions.');
    await speaker.page.getByRole('button', { name: 'Post' }).click();
    await speaker.page.locator('.thread', { hasText: 'We support a levy' }).waitFor();

    const sec = await as(SECRETARIAT);
    const card = sec.page.locator('#minutes');
    await card.getByRole('button', { name: 'Start from the record' }).click();
    await sec.page.locator('#minutes-status', { hasText: 'drawn from the record' }).waitFor();
    const skeleton = await sec.page.locator('#minutes-text').inputValue();
    assert.match(skeleton, /Minutes — Levies roundtable/);
    assert.match(skeleton, /\[#\d+\]: We support a levy on all financial transactions\./);
    await card.getByRole('button', { name: 'Save this version' }).click();
    await sec.page.locator('#minutes-state[data-status="draft"]').waitFor();
    await sec.page.locator('#minutes-deadline').fill('2099-12-31T12:00');
    await card.getByRole('button', { name: 'Circulate to the speakers quoted' }).click();
    await sec.page.locator('#minutes-state[data-status="circulated"]').waitFor();

    await speaker.page.reload();
    const form = speaker.page.locator('form.minutes-correction');
    await form.waitFor();
    assert.equal(await speaker.page.locator('#correction-passage').inputValue(), 'We support a levy on all financial transactions.');
    await speaker.page.locator('#correction-replacement').fill('We support a levy on financial transactions.');
    await assertAccessible(speaker.page, 'minutes correction form');
    await form.getByRole('button', { name: 'Propose the correction' }).click();
    await speaker.page.locator('#minutes-corrections li[data-status="pending"]').waitFor();

    const pending = sec.page.locator('#minutes-corrections li[data-status="pending"]');
    await pending.waitFor();
    await pending.getByLabel('Reason (recorded)').fill('Matches the statement as delivered.');
    await pending.getByRole('button', { name: 'Accept' }).click();
    await sec.page.locator('#minutes-corrections li[data-status="accepted"]').waitFor();
    await card.getByRole('button', { name: 'Approve and seal the minutes' }).click();
    const approved = sec.page.locator('#minutes-approved');
    await approved.waitFor();
    assert.match(await approved.textContent(), /We support a levy on financial transactions\./);
    assert.doesNotMatch(await approved.textContent(), /on all financial/);
    assert.match(await sec.page.locator('#minutes-hash').textContent(), /^[0-9a-f]{64}$/);
    assert.equal(await sec.page.locator('#minutes-text').count(), 0, 'sealed minutes offer no editor');
    await assertAccessible(sec.page, 'approved minutes');
    await screenshot(sec.page, 'minutes-approved');
    await speaker.context.close();
    await sec.context.close();
  });
});
