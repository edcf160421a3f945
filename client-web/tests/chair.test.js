/**
 * The chair's control of the list and the projector view, in real Chromium against the real
 * server (issue 14, Must show 2): a chair builds the agenda and reorders it with the keyboard,
 * opens an item, takes off the list the stale request of a participant who left (behind a
 * confirmation, with a reason), puts a participant who raised her placard on the list on her
 * behalf, sets a constituency's time budget, gives the floor and opens the projector view in a
 * new window, which follows the floor live (the server's clock, paused and resumed) and turns
 * to Arabic, right to left. Every step goes through the pages; the record page shows what the
 * record holds. Screenshots go to docs/screenshots/chair-*.png and projector-*.png.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, assertContrast, env, launch, waitForConnection } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_CHAIR_ROOM');
const MODERATOR = env('BARAZA_TOKEN_MODERATOR');
const AMINA = env('BARAZA_TOKEN_PARTICIPANT');
const BRUNO = env('BARAZA_TOKEN_PARTICIPANT2');
const WANJIRU = env('BARAZA_TOKEN_PARTICIPANT3');
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

describe('the chair runs the list and opens the projector view', { concurrency: false }, () => {
  let browser;
  let ana; let amina; let bruno; let wanjiru;
  /** The projector window the chair opens. */
  let screen;
  before(async () => {
    browser = await launch();
    ana = await enter(MODERATOR);
    amina = await enter(AMINA);
    bruno = await enter(BRUNO);
    wanjiru = await enter(WANJIRU);
  });
  after(async () => {
    await browser?.close();
  });

  async function enter(token) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    await page.goto(`${BASE}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.goto(`${BASE}/#/rooms/${ROOM}`);
    await page.locator('#roundtable-panel #agenda').waitFor();
    await waitForConnection(page, 'online');
    return { context, page };
  }

  const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  /** Waits until the agenda a page shows is in this order. */
  const agendaIs = (page, order) => page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#agenda li[data-item] .title')].map((e) => e.textContent)) === want, JSON.stringify(order), { timeout: 10000 });
  const entry = (page, user) => page.locator(`#speaking-list li[data-user="${user}"]`);

  test('the chair adds three items and reorders the agenda with the keyboard', async () => {
    const { page } = ana;
    await page.locator('#chair-list').waitFor(); // the chair's controls have loaded
    await page.getByText('Agenda and order of speakers').click();
    for (const title of ['Opening statements', 'Debt and fiscal space', 'Tax cooperation']) {
      await page.getByLabel('New item').fill(title);
      await page.getByRole('button', { name: 'Add the item' }).click();
      await page.locator('#agenda-order li', { hasText: title }).waitFor();
    }
    const up = page.getByRole('button', { name: 'Move “Tax cooperation” up' });
    assert.equal(await page.getByRole('button', { name: 'Move “Opening statements” up' }).getAttribute('aria-disabled'), 'true', 'the first item cannot go up');
    await up.focus();
    await page.keyboard.press('Enter');
    const order = ['Opening statements', 'Tax cooperation', 'Debt and fiscal space'];
    await agendaIs(amina.page, order);
    await agendaIs(ana.page, order);
    await page.waitForFunction(() => document.activeElement?.dataset.focus?.startsWith('up-'));
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move “Tax cooperation” up', 'focus stays on the button pressed');
    // And once more down with the other button: Opening statements goes last.
    await page.getByRole('button', { name: 'Move “Opening statements” down' }).click();
    await page.waitForFunction(() => document.querySelector('#agenda-order li .title')?.textContent === 'Tax cooperation');
    await page.getByRole('button', { name: 'Move “Opening statements” down' }).click();
    const final = ['Tax cooperation', 'Debt and fiscal space', 'Opening statements'];
    await agendaIs(bruno.page, final);
    await agendaIs(ana.page, final);
    await shot(page, 'chair-01-agenda-order');
    await page.getByLabel('Item', { exact: true }).selectOption({ label: 'Debt and fiscal space (not yet opened)' });
    await page.getByRole('button', { name: 'Open the item' }).click();
    await bruno.page.locator('#agenda li[aria-current="true"]', { hasText: 'Debt and fiscal space' }).waitFor();
  });

  test('the chair takes the stale request of someone who left off the list, with a reason', async () => {
    await amina.page.getByRole('button', { name: 'Ask to speak' }).click();
    await bruno.page.getByRole('button', { name: 'Ask to speak' }).click();
    await entry(ana.page, 'bruno').waitFor();
    await entry(ana.page, 'amina').waitFor();
    // Amina leaves the room; her request stays on the list, marked and skipped.
    await amina.page.goto(`${BASE}/#/rooms`);
    await ana.page.locator('#speaking-list li.ineligible[data-user="amina"]').waitFor();
    const stale = entry(ana.page, 'amina');
    assert.match(await stale.textContent(), /skipped/);
    // The dimmed (skipped) entry and its buttons stay readable.
    await assertContrast(ana.page, '#speaking-list', 'speaking list with a skipped entry');
    await shot(ana.page, 'chair-02-stale-request');

    await stale.getByRole('button', { name: 'Remove the request of AMINA (to speak) from the list' }).click();
    const confirm = ana.page.locator('#remove-form');
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /Take the request of AMINA \(to speak\) off the list\? It cannot be undone/);
    assert.equal(await ana.page.evaluate(() => document.activeElement.id), 'remove-reason', 'focus moves to the reason');
    await ana.page.getByRole('button', { name: 'Take it off the list' }).click();
    await confirm.locator('.error', { hasText: 'Give a reason.' }).waitFor();
    assert.equal(await entry(ana.page, 'amina').count(), 1, 'nothing is removed without a reason');
    await ana.page.getByLabel('Why (recorded and shown to all)').fill('Left the meeting before her turn.');
    await shot(ana.page, 'chair-03-remove-confirm');
    await assertAccessible(ana.page, 'chair console with the removal confirmation');
    await ana.page.getByRole('button', { name: 'Take it off the list' }).click();
    for (const { page } of [ana, bruno]) await entry(page, 'amina').waitFor({ state: 'detached' });
    await confirm.waitFor({ state: 'hidden' });
    // Everyone in the room sees who was taken off and why.
    const removed = bruno.page.locator('#removals li[data-user="amina"]');
    await removed.waitFor();
    assert.match(await removed.textContent(), /AMINA.*by the chair: Left the meeting before her turn\./);
  });

  test('the chair puts a participant on the list on her behalf; the request is hers', async () => {
    const { page } = ana;
    await page.getByText('The speaking list', { exact: true }).click();
    await page.getByLabel('Participant', { exact: true }).first().waitFor();
    const who = page.locator('#behalf-user');
    // Amina left: she is offered, marked as not connected.
    assert.match(await who.locator('option[value="amina"]').textContent(), /not connected/);
    await who.selectOption('wanjiru');
    await page.locator('#behalf-kind').selectOption('speak');
    await page.getByRole('button', { name: 'Put on the list' }).click();
    await page.locator('#behalf-status', { hasText: 'WANJIRU is on the list.' }).waitFor();
    const listed = entry(wanjiru.page, 'wanjiru');
    await listed.waitFor();
    assert.match(await listed.textContent(), /put on the list by the chair/);
    assert.match(await listed.textContent(), /you/);
    await wanjiru.page.getByRole('button', { name: 'Withdraw my request to speak' }).waitFor();
    await entry(bruno.page, 'wanjiru').waitFor();
    assert.deepEqual(await page.$$eval('#speaking-list li[data-request]', (els) => els.map((e) => e.dataset.user)), ['bruno', 'wanjiru']);
    // Asking for her again is answered in words, and nothing is added.
    await page.getByRole('button', { name: 'Put on the list' }).click();
    await page.locator('#behalf-status', { hasText: 'WANJIRU is already on the list (to speak).' }).waitFor();
    assert.equal(await entry(page, 'wanjiru').count(), 1);
    await shot(page, 'chair-04-on-behalf');
  });

  test('the chair sets a time budget for a constituency, in minutes', async () => {
    const { page } = ana;
    await page.getByText('Time budgets', { exact: true }).click();
    await page.getByLabel('Constituency', { exact: true }).selectOption({ label: 'Children and youth' });
    await page.getByLabel('Total time on this item (minutes)').fill('0');
    await page.getByRole('button', { name: 'Set the budget' }).click();
    await page.locator('#budget-status', { hasText: 'between 1 second and 60 minutes' }).waitFor();
    await page.getByLabel('Total time on this item (minutes)').fill('2');
    await page.getByRole('button', { name: 'Set the budget' }).click();
    const row = page.locator('#budget-table tr[data-constituency="children_youth"]');
    await row.waitFor();
    assert.match(await row.textContent(), /Children and youth\s*2:00\s*0:00\s*2:00/);
    await page.getByLabel('Constituency', { exact: true }).selectOption({ label: 'NGOs' });
    await page.getByLabel('Total time on this item (minutes)').fill('5');
    await page.getByRole('button', { name: 'Set the budget' }).click();
    await page.locator('#budget-table tr[data-constituency="ngos"]').waitFor();
    // Participants see the budgets of the item under the list.
    await wanjiru.page.locator('#budgets-note', { hasText: 'Children and youth 0:00 of 2:00 used' }).waitFor();
    await wanjiru.page.locator('#budgets-note', { hasText: 'NGOs 0:00 of 5:00 used' }).waitFor();
    // Removing one.
    await page.getByRole('button', { name: 'Remove the budget of NGOs' }).click();
    await page.locator('#budget-table tr[data-constituency="ngos"]').waitFor({ state: 'detached' });
    await assertAccessible(page, 'chair console with budgets');
    await shot(page, 'chair-05-budgets');
  });

  test('the chair opens the projector view; it follows the floor and the server clock', async () => {
    const { page } = ana;
    await page.getByRole('button', { name: 'Next speaker' }).click();
    await bruno.page.locator('#floor-holder', { hasText: 'You have the floor' }).waitFor();
    await page.getByLabel('Language on the screen').selectOption('en');
    const [popup] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Open the projector view' }).click(),
    ]);
    screen = popup;
    screen.on('pageerror', (error) => console.log(`projector error: ${error.message}`));
    await screen.setViewportSize({ width: 1280, height: 720 });
    const speaker = screen.locator('#projector-speaker');
    await speaker.locator('.pj-name', { hasText: 'BRUNO' }).waitFor();
    assert.match(screen.url(), new RegExp(`#/rooms/${ROOM}/projector\\?lang=en$`));
    assert.equal(await speaker.getAttribute('aria-live'), 'polite');
    assert.match(await speaker.textContent(), /Rede Cerrado/);
    assert.match(await speaker.textContent(), /NGOs · Brazil/, 'constituency and country by name');
    assert.match(await screen.locator('#projector-item').textContent(), /Debt and fiscal space/);
    const next = await screen.$$eval('#projector-next li[data-user]', (els) => els.map((e) => e.textContent));
    assert.equal(next.length, 1);
    assert.match(next[0], /WANJIRU.*Kenya Youth Climate Network.*Children and youth · Kenya/);
    assert.equal(await screen.locator('#moderator-console, button[data-console]').count(), 0, 'the screen is read-only');
    // The clock counts down to the server's deadline: 3:00 given, a little less shown.
    const clock = screen.locator('#projector-clock');
    assert.equal(await clock.getAttribute('role'), 'timer');
    await screen.waitForFunction(() => /^[0-2]:[0-5]\d$/.test(document.getElementById('projector-clock').textContent));
    assert.equal(await screen.locator('#projector-clock-label').textContent(), 'left');
    await assertAccessible(screen, 'projector');
    await shot(screen, 'projector-en');

    // The chair pauses the clock: the screen stops with the server.
    await page.getByRole('button', { name: 'Pause the clock' }).click();
    await screen.locator('#projector-clock[data-state="paused"]').waitFor();
    const frozen = await clock.textContent();
    await screen.waitForTimeout(1500);
    assert.equal(await clock.textContent(), frozen, 'a paused clock does not move');
    assert.equal(await screen.locator('#projector-clock-label').textContent(), 'clock paused');
    await page.getByRole('button', { name: 'Resume the clock' }).click();
    await screen.locator('#projector-clock[data-state="running"]').waitFor();

    // The next speaker: the screen follows over its own connection.
    await page.getByRole('button', { name: 'Take the floor back' }).click();
    await speaker.locator('.pj-free').waitFor();
    await page.getByRole('button', { name: 'Next speaker' }).click();
    await speaker.locator('.pj-name', { hasText: 'WANJIRU' }).waitFor();
    assert.match(await speaker.textContent(), /Kenya Youth Climate Network/);
    assert.match(await speaker.textContent(), /Children and youth · Kenya/);
    await screen.locator('#projector-next li.pj-none').waitFor();
  });

  test('the projector view turns to Arabic, right to left, without changing the chair’s language', async () => {
    const { page } = ana;
    await bruno.page.getByRole('button', { name: 'Ask to speak' }).click();
    await screen.locator('#projector-next li[data-user="bruno"]').waitFor();
    await page.getByLabel('Language on the screen').selectOption('ar');
    await page.getByRole('button', { name: 'Open the projector view' }).click();
    await screen.waitForFunction(() => document.documentElement.dir === 'rtl' && document.documentElement.lang === 'ar');
    const speaker = screen.locator('#projector-speaker');
    await screen.locator('#projector-floor-heading', { hasText: 'يتحدث الآن' }).waitFor();
    await speaker.locator('.pj-name', { hasText: 'WANJIRU' }).waitFor();
    assert.match(await speaker.textContent(), /كينيا/, 'the country in Arabic');
    assert.match(await screen.locator('#projector-next li[data-user="bruno"]').textContent(), /البرازيل/);
    assert.match(await screen.locator('#projector-clock-label').textContent(), /متبقية|يوشك/);
    await assertAccessible(screen, 'projector (Arabic)');
    await shot(screen, 'projector-ar');
    // The chair's own page stays in English.
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.evaluate(() => localStorage.getItem('baraza.lang')), 'en');
  });

  test('the chair clears the requests of people who left', async () => {
    const { page } = ana;
    await bruno.page.goto(`${BASE}/#/rooms`);
    const clear = page.locator('#clear-left', { hasText: 'Take off the requests of people who left (1)' });
    await clear.waitFor();
    await clear.click();
    await page.locator('#remove-form', { hasText: 'Take the request of BRUNO (to speak) off the list?' }).waitFor();
    await page.getByLabel('Why (recorded and shown to all)').fill('Left the hearing.');
    await page.getByRole('button', { name: 'Take it off the list' }).click();
    await entry(page, 'bruno').waitFor({ state: 'detached' });
    await page.locator('#clear-left', { hasText: '(0)' }).waitFor();
    assert.equal(await clear.count(), 0);
    assert.equal(await page.locator('#clear-left').getAttribute('aria-disabled'), 'true');
    await screen.locator('#projector-next li.pj-none').waitFor();
    await wanjiru.page.locator('#removals li[data-user="bruno"]', { hasText: 'Left the hearing.' }).waitFor();
  });

  test('the record holds each of the chair’s acts, as the chair’s', async () => {
    const { page } = ana;
    await page.goto(`${BASE}/#/rooms/${ROOM}/record`);
    await page.locator('#verdict[data-result="intact"]').waitFor();
    // seq, time, the actor's user id (the cell shows their name), the event's type (the cell
    // shows its name), the details.
    const rows = await page.$$eval('table.events tbody tr', (trs) => trs.map((tr) => {
      const [seq, time, actor, type, details] = [...tr.cells];
      return [seq.textContent, time.textContent, actor.querySelector('bdi')?.title ?? '', type.dataset.type, details.textContent];
    }));
    const of = (type) => rows.filter((r) => r[3] === type);
    assert.equal(of('agenda_reordered').length, 3);
    assert.ok(of('agenda_reordered').every((r) => r[2] === 'ana'));
    const removed = of('request_removed');
    assert.equal(removed.length, 2);
    assert.match(removed[1][4], /: Left the hearing\.$/);
    assert.equal(removed[0][2], 'ana');
    assert.match(removed[0][4], /: Left the meeting before her turn\.$/);
    const amina = of('floor_requested').find((r) => r[2] === 'amina');
    assert.equal(removed[0][4].split(':')[0], `#${amina[0]}`, 'it names Amina’s request');
    const onBehalf = of('floor_requested').filter((r) => /wanjiru/i.test(r[4]));
    assert.equal(onBehalf.length, 1, 'one request for Wanjiru, the refused second one left nothing');
    assert.equal(onBehalf[0][2], 'ana', 'made by the chair');
    assert.match(onBehalf[0][4], /^to speak → .*wanjiru/i);
    const budgets = of('time_budget_set').map((r) => r[4].replace(/^#\d+ /, ''));
    assert.deepEqual(budgets, ['Children and youth: 120 s', 'NGOs: 300 s', 'NGOs: —']);
    const granted = of('floor_granted').map((r) => r[2]);
    assert.deepEqual(granted, ['ana', 'ana']);
    await shot(page, 'chair-06-record');
  });
});
