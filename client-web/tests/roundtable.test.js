/**
 * The roundtable in real Chromium against the real server: a moderator and two participants in
 * three browser contexts run an agenda item end to end — open the item, ask to speak, give the
 * floor by keyboard shortcut, a statement during the turn, a reply, a point of order jumping to
 * the top, a speaking time that runs out on the server's clock, an out-of-order grant with its
 * reason, a yield — and check what each person sees and hears (live regions). A request made
 * while the network is cut arrives exactly once. axe-core checks the panel and the console.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, assertContrast, env, launch, screenshot, waitForConnection } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_RT_ROOM');
const MODERATOR = env('BARAZA_TOKEN_MODERATOR');
const AMINA = env('BARAZA_TOKEN_PARTICIPANT');
const BRUNO = env('BARAZA_TOKEN_PARTICIPANT2');

/** Records every text the live regions receive, so a brief announcement is not missed. */
function recordAnnouncements() {
  window.__said = [];
  document.addEventListener('DOMContentLoaded', () => {
    for (const id of ['live-polite', 'live-assertive']) {
      const region = document.getElementById(id);
      new MutationObserver(() => {
        if (region.textContent) window.__said.push(`${id === 'live-assertive' ? '!' : ''}${region.textContent}`);
      }).observe(region, { childList: true, characterData: true, subtree: true });
    }
  });
}

/** The speaking list as [user, kind, reason] rows, in order. */
function speakingList(page) {
  return page.$$eval('#speaking-list li[data-request]', (els) => els.map((e) => [e.dataset.user, e.dataset.kind, e.querySelector('.reason').textContent]));
}

describe('a roundtable item, end to end', { concurrency: false }, () => {
  let browser;
  let ana; let amina; let bruno;
  before(async () => {
    browser = await launch();
    ana = await enter(MODERATOR, 'en-US');
    amina = await enter(AMINA, 'en-GB');
    bruno = await enter(BRUNO, 'en-GB');
  });
  after(async () => {
    await browser?.close();
  });

  async function enter(token, locale) {
    const context = await browser.newContext({ locale, viewport: { width: 1100, height: 900 } });
    await context.addInitScript(recordAnnouncements);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error (${locale}): ${error.message}`));
    // Every GET of the room's view (issue 14: events carry what the view needs).
    const viewGets = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === `/api/rooms/${ROOM}`) viewGets.push(request.url());
    });
    await page.goto(`${BASE}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.goto(`${BASE}/#/rooms/${ROOM}`);
    await page.locator('#roundtable-panel #agenda').waitFor();
    await waitForConnection(page, 'online');
    return { context, page, viewGets, loaded: viewGets.length };
  }
  const said = (page) => page.evaluate(() => window.__said);
  const holder = (page) => page.locator('#floor-holder').textContent();

  test('participants see the panel without the console; the moderator adds and opens an item', async () => {
    assert.equal(await amina.page.locator('#moderator-console').count(), 0, 'participants have no console');
    await ana.page.locator('#moderator-console').waitFor();
    await ana.page.getByText('Agenda and order of speakers').click();
    await ana.page.getByLabel('New item').fill('Debt and fiscal space');
    await ana.page.getByRole('button', { name: 'Add the item' }).click();
    await ana.page.locator('#agenda li', { hasText: 'Debt and fiscal space' }).waitFor();
    await ana.page.getByRole('button', { name: 'Open the item' }).click();
    for (const { page } of [ana, amina, bruno]) {
      await page.locator('#agenda li[aria-current="true"]', { hasText: 'Debt and fiscal space' }).waitFor();
    }
    assert.match(await amina.page.locator('#speakers-heading').textContent(), /Debt and fiscal space/);
  });

  test('two requests to speak appear in the suggested order with a reason each', async () => {
    await amina.page.getByRole('button', { name: 'Ask to speak' }).click();
    await amina.page.locator('#speaking-list li[data-user="amina"]').waitFor();
    await bruno.page.getByRole('button', { name: 'Ask to speak' }).click();
    for (const { page } of [ana, amina, bruno]) await page.locator('#speaking-list li[data-user="bruno"]').waitFor();
    const list = await speakingList(bruno.page);
    assert.deepEqual(list.map(([u, k]) => [u, k]), [['amina', 'speak'], ['bruno', 'speak']]);
    assert.ok(list.every(([, , reason]) => reason.trim().length > 3), `every place has a reason: ${JSON.stringify(list)}`);
    assert.deepEqual(await speakingList(ana.page), list, 'the moderator sees the same order and reasons');
    await amina.page.getByRole('button', { name: 'Withdraw my request to speak' }).waitFor();
  });

  test('the moderator gives the floor with the g key; everyone sees and hears who speaks', async () => {
    // Typing "g" in a text field does not grant the floor.
    await ana.page.getByLabel('New item').fill('g');
    await ana.page.getByLabel('New item').press('g');
    await ana.page.waitForTimeout(300);
    assert.match(await holder(ana.page), /Nobody has the floor/);
    await ana.page.getByLabel('New item').fill('');
    await ana.page.locator('#roundtable-heading').click();
    await ana.page.keyboard.press('g');
    await amina.page.locator('#floor-holder', { hasText: 'You have the floor' }).waitFor();
    await bruno.page.locator('#floor-holder', { hasText: 'AMINA has the floor' }).waitFor();
    await amina.page.waitForFunction(() => window.__said.includes('!You have the floor.'));
    await bruno.page.waitForFunction(() => window.__said.includes('AMINA has the floor.'));
    await amina.page.locator('#floor-clock', { hasText: /left/ }).waitFor();
    await amina.page.locator('#speaking-list li[data-user="amina"]').waitFor({ state: 'detached' });
    await amina.page.getByRole('button', { name: 'Give the floor back' }).waitFor();
    assert.equal(await bruno.page.getByRole('button', { name: 'Give the floor back' }).count(), 0);
  });

  test('a statement made while holding the floor belongs to the turn', async () => {
    await amina.page.getByLabel('Your statement').fill('Debt service now exceeds health spending in 40 countries.');
    await amina.page.getByRole('button', { name: 'Post' }).click();
    const statement = bruno.page.locator('li[data-statement]', { hasText: 'Debt service now exceeds' });
    await statement.waitFor();
    const id = await statement.getAttribute('data-statement');
    await ana.page.locator('#turns li[data-user="amina"]', { hasText: `#${id}` }).waitFor();
  });

  test('a reply goes before speakers and a point of order jumps to the top', async () => {
    await bruno.page.getByRole('button', { name: 'Reply to the speaker' }).click();
    await ana.page.locator('#speaking-list li[data-kind="reply"]').waitFor();
    assert.deepEqual((await speakingList(ana.page)).map(([u, k]) => [u, k]), [['bruno', 'reply'], ['bruno', 'speak']]);
    await bruno.page.getByRole('button', { name: 'Point of order', exact: true }).click();
    await ana.page.locator('#speaking-list li[data-kind="point_of_order"]').waitFor();
    await amina.page.locator('#speaking-list li[data-kind="point_of_order"]').waitFor();
    const list = await speakingList(amina.page);
    assert.deepEqual(list.map(([u, k]) => [u, k]), [['bruno', 'point_of_order'], ['bruno', 'reply'], ['bruno', 'speak']]);
    console.log(`speaking list with reasons: ${JSON.stringify(list)}`);
    await assertAccessible(amina.page, 'roundtable (participant)');
    await assertContrast(amina.page, '#roundtable-panel', 'roundtable with a speaking list (participant)');
    await assertContrast(ana.page, '#roundtable-panel', 'roundtable with a speaking list (moderator)');
    await screenshot(amina.page, 'roundtable-participant');
  });

  test('a 2-second speaking time set in the console runs out on the server clock', async () => {
    await ana.page.locator('#roundtable-heading').click();
    await ana.page.keyboard.press('r');
    await amina.page.waitForFunction(() => window.__said.includes('The floor is free.'));
    await ana.page.getByText('Speaking times', { exact: true }).click();
    for (const label of ['Speaking time (seconds)', 'Reply (seconds)', 'Point of order (seconds)']) await ana.page.getByLabel(label).fill('2');
    await ana.page.getByLabel('Warning before the end (seconds)').fill('1');
    await ana.page.getByRole('button', { name: 'Save the speaking times' }).click();
    await ana.page.locator('#console-status', { hasText: 'Speaking times saved.' }).waitFor();

    await ana.page.getByRole('button', { name: 'Next speaker' }).click();
    await bruno.page.locator('#floor-holder', { hasText: 'You have the floor' }).waitFor();
    // One second of warning: the plural form of the count ("1 second", not "1 seconds").
    await bruno.page.waitForFunction(() => window.__said.some((s) => /\b1 second left\./.test(s)), null, { timeout: 5000 });
    await amina.page.waitForFunction(() => window.__said.filter((s) => s === 'The floor is free.').length >= 2, null, { timeout: 8000 });
    await amina.page.locator('#turns li[data-user="bruno"]', { hasText: 'time ran out' }).waitFor();
    // Statistics after the expiry: two turns on the item, Bruno's 2 s, by constituency and region.
    const row = (page, table, key) => page.locator(`table[data-stats="item-${table}"] tr[data-key="${key}"]`).textContent();
    await amina.page.locator('table[data-stats="item-constituencies"] tr[data-key="ngos"]', { hasText: '0:02' }).waitFor();
    assert.match(await row(amina.page, 'constituencies', 'farmers'), /Farmers\s*1/);
    assert.match(await row(amina.page, 'un_groups', 'latin_american_caribbean'), /Latin American and Caribbean States\s*1\s*0:02/);
    assert.match(await row(ana.page, 'participants', 'bruno'), /BRUNO\s*1\s*0:02/);
    assert.match(await amina.page.locator('table[data-stats="session-participants"]').textContent(), /AMINA/);
    // Back to a minute for the rest.
    for (const label of ['Speaking time (seconds)', 'Reply (seconds)', 'Point of order (seconds)']) await ana.page.getByLabel(label).fill('60');
    await ana.page.getByLabel('Warning before the end (seconds)').fill('10');
    await ana.page.getByRole('button', { name: 'Save the speaking times' }).click();
    await ana.page.locator('#console-status', { hasText: 'Speaking times saved.' }).waitFor();
  });

  test('the moderator gives the floor out of order with a reason; the speaker yields', async () => {
    await amina.page.getByRole('button', { name: 'Ask to speak' }).click();
    await ana.page.locator('#speaking-list li[data-user="amina"]').waitFor();
    const list = await speakingList(ana.page);
    assert.equal(list[list.length - 1][0], 'amina', `Amina asked last: ${JSON.stringify(list)}`);
    assert.ok(list.length >= 2, 'someone else is suggested first');
    await ana.page.getByRole('button', { name: 'Give the floor to AMINA' }).click();
    await ana.page.getByLabel(/Why AMINA before the suggested speaker/).fill('She must leave for the airport.');
    await ana.page.getByRole('button', { name: 'Give the floor out of order' }).click();
    await bruno.page.locator('#floor-holder', { hasText: 'out of order: She must leave for the airport.' }).waitFor();
    await amina.page.getByRole('button', { name: 'Give the floor back' }).click();
    await ana.page.locator('#turns li[data-user="amina"]', { hasText: 'gave the floor back' }).waitFor();
    await ana.page.locator('#floor-holder', { hasText: 'Nobody has the floor' }).waitFor();
  });

  test('a request to speak made while offline is sent once when the network returns', async () => {
    const requestsByAmina = () => ana.page.evaluate(async (room) => {
      const token = sessionStorage.getItem('baraza.token');
      const page = await (await fetch(`/api/rooms/${room}/events?after=0&limit=1000`, { headers: { Authorization: `Bearer ${token}` } })).json();
      return page.events.filter((e) => e.body.type === 'floor_requested' && e.actor === 'amina').length;
    }, ROOM);
    const before = await requestsByAmina();
    await amina.context.setOffline(true);
    await waitForConnection(amina.page, 'offline');
    await amina.page.getByRole('button', { name: 'Ask to speak' }).click();
    await amina.page.locator('#conn .queued').waitFor();
    await amina.page.locator('#roundtable-panel .status', { hasText: 'sent as soon as the connection allows' }).waitFor();
    await screenshot(amina.page, 'roundtable-offline');
    await ana.page.waitForTimeout(500);
    assert.equal(await ana.page.locator('#speaking-list li[data-user="amina"]').count(), 0, 'nothing arrives while offline');
    await amina.context.setOffline(false);
    await waitForConnection(amina.page, 'online');
    await ana.page.locator('#speaking-list li[data-user="amina"][data-kind="speak"]').waitFor();
    await amina.page.locator('#conn .queued').waitFor({ state: 'detached' });
    await amina.page.locator('#speaking-list li[data-user="amina"]').waitFor();
    await amina.page.waitForTimeout(500);
    assert.equal(await ana.page.locator('#speaking-list li[data-user="amina"]').count(), 1, 'exactly one request on the list');
    assert.equal(await requestsByAmina(), before + 1, 'the record holds exactly one more request by Amina');
  });

  test('the moderator console is accessible and works from the keyboard alone', async () => {
    const { page } = ana;
    await page.getByText('Order in the room').click();
    await assertAccessible(page, 'moderator console');
    // Tab order: the floor buttons follow each other.
    await page.locator('[data-console="grant"]').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.console), 'revoke');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await amina.page.locator('#floor-holder:not([data-user=""])').waitFor();
    await page.locator('#roundtable-heading').click();
    await page.keyboard.press('p');
    await amina.page.locator('#floor-clock[data-state="paused"]').waitFor();
    await page.locator('[data-console="pause"]', { hasText: 'Resume the clock' }).waitFor();
    await screenshot(page, 'roundtable-moderator');
    await page.keyboard.press('p');
    await amina.page.locator('#floor-clock:not([data-state="paused"])').waitFor();
    await page.keyboard.press('r');
    await amina.page.locator('#floor-holder', { hasText: 'Nobody has the floor' }).waitFor();
  });

  test('no page fetched the room view again while the item ran (the view messages carry it)', async () => {
    for (const { viewGets, loaded } of [ana, amina, bruno]) {
      assert.equal(viewGets.length, loaded, `GET /api/rooms/${ROOM} after the first load: ${viewGets.slice(loaded)}`);
    }
  });

  test('the roundtable panel is right to left in Arabic', async () => {
    const { page } = bruno;
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.locator('#roundtable-panel', { hasText: 'قائمة المتكلمين' }).waitFor();
    await assertAccessible(page, 'roundtable (Arabic)');
    await screenshot(page, 'roundtable-arabic');
    await page.getByLabel('اللغة', { exact: true }).selectOption('en');
  });
});
