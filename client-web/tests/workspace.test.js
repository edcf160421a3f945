/**
 * The secretariat's workspace, end to end in real Chromium against a node that starts empty
 * (`BARAZA_EMPTY_URL`): the secretariat creates a regional and a national consultation in the
 * web client, sets the questions (one edited, one withdrawn), pre-moderation, a rapporteur and
 * the parent, and opens them; schedules the national consultation's close (shown back in local
 * time, seen by participants, cancelled and scheduled again); a participant who came too early is told the consultation is
 * still being prepared, one without an organisation is told why they cannot submit; two
 * participants submit and reply; the moderator approves held statements and dismisses a
 * report; the rapporteur writes the synthesis with a citation picked by selecting text; the
 * secretariat publishes it and the roll-up appears in the regional consultation. Every step is
 * done through the page (tokens are handed to it in the address, as the other tests do);
 * screenshots of each step go to docs/screenshots/workspace-*.png.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, env, launch, waitForConnection } from './support.js';

const BASE = env('BARAZA_EMPTY_URL');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const MODERATOR = env('BARAZA_TOKEN_MODERATOR');
const AMINA = env('BARAZA_TOKEN_PARTICIPANT');
const BRUNO = env('BARAZA_TOKEN_PARTICIPANT2');
const RITA = env('BARAZA_TOKEN_RAPPORTEUR');
const NADIA = env('BARAZA_TOKEN_NO_ORG');
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

const REGIONAL = 'africa-food-2027';
const NATIONAL = 'ke-food-2027';
const QUESTION = 'What must change first in how food is produced?';

describe('the secretariat sets up and runs consultations in the web client', { concurrency: false }, () => {
  let browser;
  let sec; let ana; let amina; let bruno; let rita; let nadia;
  /** Every request the pages make, to check that all of them go to the node. */
  const requests = [];
  before(async () => {
    browser = await launch();
    sec = await signIn(SECRETARIAT);
    ana = await signIn(MODERATOR);
    amina = await signIn(AMINA);
    bruno = await signIn(BRUNO);
    rita = await signIn(RITA);
    nadia = await signIn(NADIA);
  });
  after(async () => {
    await browser?.close();
  });

  async function signIn(token) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${BASE}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await waitForConnection(page, 'online');
    return { context, page };
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(SHOTS, `workspace-${name}.png`), fullPage: true });
  }

  async function open(who, room) {
    // Through the room list, so that a page already at this address enters the room afresh.
    await who.page.goto(`${BASE}/#/`);
    await who.page.goto(`${BASE}/#/rooms/${room}`);
    await who.page.locator('#consultation-panel #phase-banner, #room-refusal').first().waitFor();
  }

  const panel = (who) => who.page.locator('#consultation-panel');
  const setup = () => sec.page.locator('#consultation-setup');
  const statement = (who, text) => panel(who).locator('li[data-statement] > article', { hasText: text });

  /** Changes the phase through the confirmation, checking that it says what the change does. */
  async function changePhase(button, says, shotName) {
    await setup().getByRole('button', { name: button }).click();
    const confirm = setup().locator('#phase-confirm');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), says);
    if (shotName) await shot(sec.page, shotName);
    await confirm.getByRole('button', { name: 'Yes, change the phase' }).click();
    await confirm.waitFor({ state: 'detached' });
  }

  test('an empty node: the secretariat creates the regional consultation by name of its region', async () => {
    const { page } = sec;
    await page.locator('#main .status', { hasText: 'No rooms yet.' }).waitFor();
    await shot(page, '01-empty-node');
    await page.getByRole('link', { name: 'New room' }).click();
    await page.getByRole('heading', { level: 1, name: 'New room' }).waitFor();
    await page.getByLabel('Kind').selectOption('consultation');
    await page.getByLabel('Title', { exact: true }).fill('African regional consultation on food systems');
    await page.getByLabel('Address (optional)').fill(REGIONAL);
    await page.getByLabel('Description or background paper').fill('Background paper: the African Union’s food systems agenda.\n\nNational consultations roll up into this one.');
    await page.getByLabel('Scope').selectOption('region');
    await page.getByLabel('Region', { exact: true }).selectOption({ label: 'African States' });
    await assertAccessible(page, 'new room');
    await shot(page, '02-new-regional');
    await page.getByRole('button', { name: 'Create the room' }).click();
    await page.getByRole('heading', { level: 1, name: 'African regional consultation on food systems' }).waitFor();
    await page.locator('#room-description', { hasText: 'African Union’s food systems agenda' }).waitFor();
    // One question, then open it.
    await setup().getByLabel('New question').fill(QUESTION);
    await setup().getByRole('button', { name: 'Add the question' }).click();
    await setup().locator('li[data-setup-question]', { hasText: QUESTION }).waitFor();
    await changePhase('Open the consultation', /can no longer be edited or withdrawn/);
    await panel(sec).locator('#phase-banner[data-phase="open"]').waitFor();
  });

  test('the national consultation names its country and its parent; questions are edited and withdrawn in draft', async () => {
    const { page } = sec;
    await page.goto(`${BASE}/#/rooms/new`);
    await page.getByRole('heading', { level: 1, name: 'New room' }).waitFor();
    await page.getByLabel('Kind').selectOption('consultation');
    await page.getByLabel('Title', { exact: true }).fill('Kenya national consultation on food systems');
    await page.getByLabel('Address (optional)').fill(NATIONAL);
    await page.getByLabel('Scope').selectOption('country');
    await page.getByLabel('Country', { exact: true }).selectOption({ label: 'Kenya' });
    const parent = page.getByLabel('Rolls up into');
    await parent.locator('option', { hasText: 'African regional consultation' }).waitFor({ state: 'attached' });
    await parent.selectOption(REGIONAL);
    await shot(page, '03-new-national');
    await page.getByRole('button', { name: 'Create the room' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kenya national consultation on food systems' }).waitFor();
    await setup().locator('#parent-current', { hasText: 'African regional consultation on food systems' }).waitFor();

    for (const q of ['What shuold change first in how food is produced?', 'Who should pay for it?']) {
      await setup().getByLabel('New question').fill(q);
      await setup().getByRole('button', { name: 'Add the question' }).click();
      await setup().locator('li[data-setup-question]', { hasText: q }).waitFor();
    }
    await setup().getByRole('button', { name: /^Edit the question “What shuold/ }).click();
    await setup().getByLabel('The question', { exact: true }).fill(QUESTION);
    await setup().getByRole('button', { name: 'Save the question' }).click();
    await setup().locator('li[data-setup-question]', { hasText: QUESTION }).waitFor();
    await setup().getByRole('button', { name: 'Withdraw the question “Who should pay for it?”' }).click();
    await setup().locator('li[data-setup-question]', { hasText: 'Who should pay' }).waitFor({ state: 'detached' });
    assert.equal(await setup().locator('li[data-setup-question]').count(), 1);
    await panel(sec).getByRole('heading', { level: 3, name: QUESTION }).waitFor();

    await setup().getByRole('radio', { name: /Pre-moderation/ }).check();
    await panel(sec).locator('#phase-banner', { hasText: 'appear once a moderator approves' }).waitFor();
    await setup().getByLabel('User id').fill('rita');
    await setup().getByRole('button', { name: 'Name rapporteur' }).click();
    await setup().locator('li[data-rapporteur="rita"]').waitFor();
    // The background paper is added afterwards, in place.
    await page.getByRole('button', { name: 'Edit room' }).click();
    await page.getByLabel('Description or background paper').fill('Background paper: Kenya’s food systems pathway.');
    await page.getByRole('button', { name: 'Save the room' }).click();
    await page.locator('#room-description', { hasText: 'Kenya’s food systems pathway' }).waitFor();
    await assertAccessible(page, 'consultation set-up (draft)');
    await shot(page, '04-national-set-up');
  });

  test('a participant who comes too early is told the consultation is still being prepared', async () => {
    const { page } = amina;
    await open(amina, NATIONAL);
    const notice = page.locator('#room-refusal');
    await notice.waitFor();
    assert.equal(await notice.getByRole('heading', { level: 2 }).textContent(), 'This consultation is still being prepared.');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Kenya national consultation on food systems');
    assert.equal(await page.locator('form, #present-heading').count(), 0, 'no form, no empty room');
    assert.doesNotMatch(await page.locator('#main').textContent(), /Your role does not allow this/);
    await assertAccessible(page, 'consultation being prepared');
    await shot(page, '05-participant-too-early');
  });

  test('the rooms list filters by kind, scope and phase and searches titles', async () => {
    const { page } = sec;
    await page.goto(`${BASE}/#/rooms`);
    await page.locator('li.room').nth(1).waitFor();
    await page.getByLabel('Phase').selectOption('draft');
    await page.locator('#main .status', { hasText: '1 of 2 rooms' }).waitFor();
    assert.deepEqual(await page.$$eval('li.room', (els) => els.map((e) => e.dataset.room)), [NATIONAL]);
    await page.getByLabel('Phase').selectOption('');
    await page.getByLabel('Scope').selectOption('region');
    assert.deepEqual(await page.$$eval('li.room', (els) => els.map((e) => e.dataset.room)), [REGIONAL]);
    await page.getByLabel('Scope').selectOption('');
    await page.getByLabel('Title contains').fill('kenya food');
    await page.locator('#main .status', { hasText: '1 of 2 rooms' }).waitFor();
    assert.deepEqual(await page.$$eval('li.room', (els) => els.map((e) => e.dataset.room)), [NATIONAL]);
    await page.getByLabel('Kind').selectOption('roundtable');
    await page.locator('#main .status', { hasText: '0 of 2 rooms' }).waitFor();
    await page.getByLabel('Kind').selectOption('consultation');
    await assertAccessible(page, 'rooms, filtered');
    await shot(page, '06-rooms-filtered');
  });

  test('the secretariat opens the national consultation after a confirmation that says what it does', async () => {
    await open(sec, NATIONAL);
    await changePhase('Open the consultation', /Participants can enter, submit and reply/, '07-confirm-open');
    await panel(sec).locator('#phase-banner[data-phase="open"]').waitFor();
    assert.equal(await setup().getByRole('button', { name: /^Edit the question/ }).count(), 0, 'questions are fixed once open');
    await setup().locator('.help', { hasText: 'questions stay as they were asked' }).waitFor();
  });

  test('the secretariat schedules the close in local time; participants see when submissions close', async () => {
    await open(sec, NATIONAL);
    const closing = setup().locator('#deadline-setup');
    await closing.waitFor();
    const at = new Date(Date.now() + 3 * 86_400_000 + 3_600_000);
    at.setSeconds(0, 0);
    // The page's local time (the input is `datetime-local`), as the browser reckons it.
    const local = await sec.page.evaluate((ms) => {
      const d = new Date(ms);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, at.getTime());
    // A time in the past is refused in words before anything is sent.
    await closing.getByLabel('Close submissions on').fill('2020-01-01T10:00');
    await closing.getByRole('button', { name: 'Schedule the close' }).click();
    await setup().locator('#setup-status', { hasText: 'Choose a time in the future.' }).waitFor();
    await closing.getByLabel('Close submissions on').fill(local);
    await closing.getByRole('button', { name: 'Schedule the close' }).click();
    const confirm = setup().locator('#deadline-confirm');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /the server closes submissions by itself: no new submissions or replies after that/);
    await shot(sec.page, '07a-closing-date-confirm');
    await confirm.getByRole('button', { name: 'Yes, schedule it' }).click();
    await confirm.waitFor({ state: 'detached' });
    const year = String(at.getUTCFullYear());
    const current = setup().locator('#deadline-current', { hasText: 'in 3 days' });
    await current.waitFor();
    assert.match(await current.textContent(), new RegExp(`Submissions close by themselves on .*${year}.*\\(in 3 days\\)`));
    await assertAccessible(sec.page, 'consultation set-up (closing date)');
    await shot(sec.page, '07b-closing-date');

    await open(amina, NATIONAL);
    const note = amina.page.locator('#deadline-note');
    await note.waitFor();
    assert.equal(await note.getAttribute('data-at'), String(at.getTime()), 'the view carries the time the secretariat chose');
    assert.match(await note.textContent(), new RegExp(`^Submissions close on .*${year}.* \\(in 3 days\\)\\.$`));

    // Cancelled, it is gone for everyone; scheduled again, it is back.
    await setup().getByRole('button', { name: 'Cancel the closing date' }).click();
    await setup().locator('#deadline-current', { hasText: 'No closing date is scheduled' }).waitFor();
    await note.waitFor({ state: 'detached' });
    await setup().getByRole('button', { name: 'Schedule the close' }).click();
    await setup().getByRole('button', { name: 'Yes, schedule it' }).click();
    await amina.page.locator('#deadline-note', { hasText: 'in 3 days' }).waitFor();
  });

  test('a participant without an organisation is told why they cannot submit', async () => {
    const { page } = nadia;
    await open(nadia, NATIONAL);
    await page.getByRole('heading', { level: 3, name: QUESTION }).waitFor();
    await page.locator('.no-org', { hasText: 'Submissions are made on behalf of an organisation.' }).waitFor();
    assert.equal(await page.locator('form.submit-form').count(), 0);
    await shot(page, '08-no-organisation');
  });

  test('two participants submit and reply; the moderator approves the held statements and dismisses a report', async () => {
    await open(amina, NATIONAL);
    await open(bruno, NATIONAL);
    await open(ana, NATIONAL);
    await amina.page.getByLabel('Your statement on this question').fill('Secure, collective land tenure for smallholder farmers must come first.');
    await amina.page.getByRole('button', { name: 'Submit' }).click();
    await amina.page.locator('#consultation-status', { hasText: 'once a moderator approves it' }).waitFor();
    const held = ana.page.locator('#moderation-queue li', { hasText: 'collective land tenure' });
    await held.waitFor();
    await shot(ana.page, '09-moderator-held');
    await held.getByRole('button', { name: /^Approve statement/ }).click();
    await statement(bruno, 'collective land tenure').waitFor();

    await statement(bruno, 'collective land tenure').getByRole('button', { name: 'Reply' }).click();
    await bruno.page.getByLabel(/Your reply to #/).fill('Tenure alone is not enough without extension services.');
    await bruno.page.getByRole('radio', { name: 'opposes' }).check();
    await bruno.page.getByRole('button', { name: 'Send the reply' }).click();
    await ana.page.locator('#moderation-queue li', { hasText: 'extension services' }).getByRole('button', { name: /^Approve/ }).click();
    await amina.page.locator('#consultation-panel ol.replies article', { hasText: 'extension services' }).waitFor();

    await statement(bruno, 'collective land tenure').getByRole('button', { name: /^Report statement/ }).click();
    await bruno.page.getByLabel('What is wrong with it (seen by moderators)').fill('Is this on topic?');
    await bruno.page.getByRole('button', { name: 'Send the report' }).click();
    const report = ana.page.locator('#moderation-queue li', { hasText: 'Is this on topic?' });
    await report.waitFor();
    await assertAccessible(ana.page, 'moderation queue with a report');
    await shot(ana.page, '10-moderator-report');
    await report.getByRole('button', { name: /^Dismiss the report of statement #\d+ by BRUNO/ }).click();
    await ana.page.locator('#moderation-queue', { hasText: 'Nothing is waiting.' }).waitFor();
    await statement(amina, 'collective land tenure').waitFor();
  });

  test('the rapporteur writes the synthesis with a citation picked by selecting text', async () => {
    await open(sec, NATIONAL);
    await changePhase('Close submissions', /No new submissions or replies/);
    await changePhase('Start the synthesis', /write the synthesis/);
    await open(rita, NATIONAL);
    const { page } = rita;
    const editor = page.locator('#synthesis-editor');
    await editor.waitFor();
    await editor.getByRole('textbox', { name: 'The synthesis' }).fill('Kenyan organisations put secure, collective land tenure first; some ask for extension services too.');
    // Select words in the submission, as a reader's mouse would, then cite them.
    await page.evaluate((needle) => {
      const text = [...document.querySelectorAll('#consultation-panel li[data-statement] > article > .text')].find((el) => el.textContent.includes(needle));
      const node = text.firstChild;
      const at = node.textContent.indexOf(needle);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
    }, 'collective land tenure');
    await editor.locator('#selection-note', { hasText: 'collective land tenure' }).waitFor();
    await editor.getByRole('button', { name: 'Cite the selection' }).click();
    const cited = editor.locator('.citations.editable li[data-cites]');
    await cited.waitFor();
    assert.match(await cited.textContent(), /Statement #\d+ · Kenya Land Alliance\s*“?collective land tenure/);
    await editor.getByRole('button', { name: 'Preview' }).click();
    await editor.locator('#synthesis-preview', { hasText: 'Kenyan organisations put secure' }).waitFor();
    await assertAccessible(page, 'synthesis editor');
    await shot(page, '11-rapporteur-synthesis');
    await editor.getByRole('button', { name: 'Submit for publication' }).click();
    await editor.locator('#editor-status', { hasText: 'Saved.' }).waitFor();
  });

  test('the secretariat publishes it and the roll-up appears in the regional consultation', async () => {
    await panel(sec).locator('#synthesis', { hasText: 'Kenyan organisations put secure' }).waitFor();
    await changePhase('Publish the synthesis', /sent to the parent consultation/, '12-confirm-publish');
    await panel(sec).locator('#phase-banner[data-phase="published"]').waitFor();
    await open(amina, REGIONAL);
    const input = amina.page.locator(`#inputs article[data-from="${NATIONAL}"]`);
    await input.waitFor();
    const text = await input.textContent();
    assert.match(text, /Kenyan organisations put secure, collective land tenure first/);
    assert.match(text, /Kenya Land Alliance/);
    assert.match(text, new RegExp(`first submitted in ${NATIONAL} as #\\d+ · carried by ${NATIONAL}`));
    await shot(amina.page, '13-regional-roll-up');
    const origin = new URL(BASE).origin;
    assert.deepEqual(requests.filter((url) => !url.startsWith(origin)), [], 'every call went to the node, from the pages');
  });

  test('the workspace in Arabic and Chinese shows no untranslated string', async () => {
    const { page } = sec;
    const english = /\b(New room|Create the room|Set-up|Rolls up into|Working languages|Kind|Scope|Phase|Dismiss|Rapporteurs|Questions)\b|\b(ws|m49|cons|room|rooms|scope|kind)\.[a-z]/;
    for (const [lang, name] of [['ar', 'rtl'], ['zh', 'ltr']]) {
      await page.goto(`${BASE}/#/`);
      await page.locator('#lang-picker').selectOption(lang);
      await page.waitForFunction(([l, d]) => document.documentElement.lang === l && document.documentElement.dir === d, [lang, name]);
      await page.locator('li.room').nth(1).waitFor();
      assert.doesNotMatch(await page.locator('#main').innerText(), english, `${lang} room list`);
      await page.goto(`${BASE}/#/rooms/new`);
      await page.locator('#new-room-form select#new-room-region option').nth(5).waitFor({ state: 'attached' });
      await page.locator('#new-room-level').selectOption('region');
      assert.doesNotMatch(await page.locator('#main').innerText(), english, `${lang} new room form`);
      if (lang === 'ar') {
        await assertAccessible(page, 'new room (Arabic)');
        await shot(page, '14-new-room-arabic');
      }
      await open(sec, NATIONAL);
      await panel(sec).locator('#consultation-setup').waitFor();
      assert.doesNotMatch(await page.locator('#main').innerText(), english, `${lang} consultation with its set-up`);
      if (lang === 'ar') {
        await assertAccessible(page, 'consultation set-up (Arabic)');
        await shot(page, '15-published-arabic');
      }
    }
    await page.locator('#lang-picker').selectOption('en');
  });
});
