/**
 * The consultation view in real Chromium against the real server: a pre-moderated regional
 * consultation (a submission held, approved by the moderator from the queue; a reply that
 * opposes; a report, hide and restore; a rejection), the inputs it received from a national
 * consultation with their chain of origin, and the national consultation's published synthesis
 * whose citation leads back to the submission. axe-core checks the participant's and the
 * moderator's views.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, env, launch, screenshot, waitForConnection } from './support.js';

const BASE = env('BARAZA_URL');
const REGIONAL = env('BARAZA_CONSULTATION');
const NATIONAL = env('BARAZA_CHILD_CONSULTATION');
const MODERATOR = env('BARAZA_TOKEN_MODERATOR');
const AMINA = env('BARAZA_TOKEN_PARTICIPANT');
const BRUNO = env('BARAZA_TOKEN_PARTICIPANT2');

describe('a consultation', { concurrency: false }, () => {
  let browser;
  let ana; let amina; let bruno;
  before(async () => {
    browser = await launch();
    ana = await enter(MODERATOR, REGIONAL);
    amina = await enter(AMINA, REGIONAL);
    bruno = await enter(BRUNO, REGIONAL);
  });
  after(async () => {
    await browser?.close();
  });

  async function enter(token, room) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    // Every GET of the room's view (issue 14: events carry what the view needs).
    const viewGets = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === `/api/rooms/${room}`) viewGets.push(request.url());
    });
    await page.goto(`${BASE}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.goto(`${BASE}/#/rooms/${room}`);
    await page.locator('#consultation-panel #phase-banner').waitFor();
    await waitForConnection(page, 'online');
    return { context, page, viewGets, loaded: viewGets.length };
  }
  /** A statement's own article (without its replies) in the consultation panel. */
  const statement = (page, text) => page.locator('#consultation-panel li[data-statement] > article', { hasText: text });

  test('the open regional consultation shows its phase, question and the national input with its chain', async () => {
    const { page } = amina;
    await page.locator('#phase-banner[data-phase="open"]', { hasText: 'Open.' }).waitFor();
    assert.match(await page.locator('#phase-banner').textContent(), /appear once a moderator approves/);
    await page.getByRole('heading', { level: 3, name: 'What must change first in how food is produced?' }).waitFor();
    const input = page.locator(`#inputs article[data-from="${NATIONAL}"]`);
    await input.waitFor();
    const text = await input.textContent();
    assert.match(text, /Kenya national consultation on food systems/);
    assert.match(text, /Kenyan organisations put secure, collective land tenure first/);
    assert.match(text, /Kenya Land Alliance/);
    assert.match(text, new RegExp(`first submitted in ${NATIONAL} as #\\d+ · carried by ${NATIONAL}`));
    assert.equal(await page.locator('#moderation-queue').count(), 0, 'participants have no queue');
    assert.equal(await page.locator('#roundtable-panel').count(), 0);
  });

  test('a held submission waits in the queue until the moderator approves it', async () => {
    await amina.page.getByLabel('Your statement on this question').fill('Regional seed banks should be run by farmer organisations.');
    await amina.page.getByRole('button', { name: 'Submit' }).click();
    await amina.page.locator('#consultation-status', { hasText: 'once a moderator approves it' }).waitFor();
    const queued = ana.page.locator('#moderation-queue li', { hasText: 'Regional seed banks' });
    await queued.waitFor();
    assert.match(await queued.textContent(), /awaiting approval/);
    assert.equal(await statement(bruno.page, 'Regional seed banks').count(), 0, 'others do not see it yet');
    await assertAccessible(ana.page, 'consultation (moderator, queue)');
    await queued.getByRole('button', { name: /^Approve statement/ }).click();
    await statement(bruno.page, 'Regional seed banks').waitFor();
    await ana.page.locator('#moderation-queue', { hasText: 'Nothing is waiting.' }).waitFor();
  });

  test('a reply says it opposes; everyone sees it threaded under its parent once approved', async () => {
    await statement(bruno.page, 'Regional seed banks').getByRole('button', { name: 'Reply' }).click();
    await bruno.page.getByLabel(/Your reply to #/).fill('Seed banks need public funding, not only farmer organisations.');
    await bruno.page.getByRole('radio', { name: 'opposes' }).check();
    await bruno.page.getByRole('button', { name: 'Send the reply' }).click();
    await ana.page.locator('#moderation-queue li', { hasText: 'Seed banks need public funding' }).getByRole('button', { name: /^Approve/ }).click();
    const reply = amina.page.locator('#consultation-panel ol.replies > li[data-statement] > article', { hasText: 'Seed banks need public funding' });
    await reply.waitFor();
    assert.match(await reply.locator('.badge.align-opposes').textContent(), /opposes/);
    await assertAccessible(amina.page, 'consultation (participant)');
    await screenshot(amina.page, 'consultation-participant');
  });

  test('a report reaches the queue; the moderator hides, then restores; a spam submission is rejected', async () => {
    await statement(amina.page, 'Seed banks need public funding').getByRole('button', { name: /^Report statement/ }).click();
    await amina.page.getByLabel('What is wrong with it (seen by moderators)').fill('Off topic');
    await amina.page.getByRole('button', { name: 'Send the report' }).click();
    const reported = ana.page.locator('#moderation-queue li', { hasText: 'reported by AMINA: Off topic' });
    await reported.waitFor();
    await reported.getByRole('button', { name: /^Hide statement/ }).click();
    await ana.page.getByLabel('Reason for hiding (shown to everyone)').fill('Under review by the secretariat.');
    await ana.page.getByRole('button', { name: 'Hide statement', exact: true }).click();
    await amina.page.locator('#consultation-panel .hidden-note', { hasText: 'Under review by the secretariat.' }).waitFor();
    assert.equal(await statement(amina.page, 'Seed banks need public funding').count(), 0, 'the text is gone for participants');
    await ana.page.getByRole('button', { name: /^Restore statement/ }).first().click();
    await statement(amina.page, 'Seed banks need public funding').waitFor();

    await bruno.page.getByLabel('Your statement on this question').fill('Buy cheap fertiliser at example.com');
    await bruno.page.getByRole('button', { name: 'Submit' }).click();
    const spam = ana.page.locator('#moderation-queue li', { hasText: 'cheap fertiliser' });
    await spam.getByRole('button', { name: /^Reject statement/ }).click();
    await ana.page.getByLabel('Reason for rejecting (kept in the record)').fill('Advertising');
    await ana.page.getByRole('button', { name: 'Reject statement', exact: true }).click();
    await ana.page.locator('#consultation-panel .hidden-note', { hasText: 'Rejected by a moderator: Advertising' }).waitFor();
    await spam.waitFor({ state: 'detached' });
    assert.equal(await statement(amina.page, 'cheap fertiliser').count(), 0);
    await screenshot(ana.page, 'consultation-moderator');
  });

  test('no page fetched the room view again while submissions, replies and moderation arrived', async () => {
    for (const { viewGets, loaded } of [ana, amina, bruno]) {
      assert.equal(viewGets.length, loaded, `GET /api/rooms/${REGIONAL} after the first load: ${viewGets.slice(loaded)}`);
    }
  });

  test('the published national synthesis cites the submission and leads back to it', async () => {
    const { page } = amina;
    await page.goto(`${BASE}/#/rooms/${NATIONAL}`);
    await page.locator('#phase-banner[data-phase="published"]').waitFor();
    assert.equal(await page.locator('form.submit-form').count(), 0, 'no submission form once published');
    await page.locator('#synthesis', { hasText: 'Kenyan organisations put secure, collective land tenure first.' }).waitFor();
    const citation = page.locator('#synthesis .citations li').first();
    assert.match(await citation.textContent(), /Statement #\d+ · Kenya Land Alliance\s*“?collective land tenure/);
    await citation.getByRole('link').click();
    const target = await citation.getAttribute('data-cites');
    await page.waitForFunction((id) => document.activeElement?.id === `statement-${id}`, target);
    assert.match(await page.locator(`#statement-${target}`).textContent(), /Secure, collective land tenure for smallholder farmers/);
    await assertAccessible(page, 'consultation (published, synthesis)');
    await screenshot(page, 'consultation-synthesis');
  });
});
