/**
 * A caucus organising itself, in Chromium against the real server: the secretariat names the
 * parent roundtable, opens an election of organising partners; two member organisations vote
 * (one vote each, the second ballot of an organisation is not offered); the chair closes it and
 * the result is the server's count. The elected partner drafts a joint statement and edits it,
 * the other organisation endorses it, the partner adopts it; the caucus shows where it went, and
 * the parent roundtable shows it as the joint statement of the Women caucus with the link back.
 * Last the secretariat removes the partner, giving the reason in a form of its own.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, env, launch, screenshot } from './support.js';

const BASE = env('BARAZA_URL');
const CAUCUS = env('BARAZA_CAUCUS');
const PARENT = env('BARAZA_CAUCUS_PARENT');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const FATOU = env('BARAZA_TOKEN_WOMAN1'); // Femmes Africa
const LUCIA = env('BARAZA_TOKEN_WOMAN2'); // Red de Mujeres

describe('a caucus', { concurrency: false }, () => {
  let browser;
  const pages = {};
  before(async () => {
    browser = await launch();
    for (const [name, token] of [['sec', SECRETARIAT], ['fatou', FATOU], ['lucia', LUCIA]]) {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => console.log(`page error (${name}): ${error.message}`));
      await page.goto(`${BASE}/#token=${token}`);
      await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
      await page.goto(`${BASE}/#/rooms/${CAUCUS}`);
      await page.locator('#caucus-panel').waitFor();
      pages[name] = page;
    }
  });
  after(async () => {
    await browser?.close();
  });

  test('the secretariat names the parent room and opens an election', async () => {
    const page = pages.sec;
    // The parent is chosen by title among the node's roundtables and consultations.
    await page.getByLabel('Parent room', { exact: true }).selectOption(PARENT);
    await page.getByRole('button', { name: 'Set the parent room' }).click();
    await page.locator('#caucus-parent-line', { hasText: 'Financing for development: gender equality' }).waitFor();
    // The candidates are the organisations of the members present.
    const candidates = page.locator('#caucus-candidates');
    await candidates.getByLabel('Femmes Africa').check();
    await candidates.getByLabel('Red de Mujeres').check();
    await page.getByLabel('Seats').fill('1');
    await page.getByRole('button', { name: 'Open the election' }).click();
    await page.locator('article.election h4', { hasText: '1 seat' }).waitFor();
  });

  test('each organisation votes once and the chair closes with the counted result', async () => {
    for (const name of ['fatou', 'lucia']) {
      const page = pages[name];
      const ballot = page.locator('form.vote-form');
      await ballot.waitFor();
      await ballot.getByLabel('Femmes Africa').check();
      await ballot.getByRole('button', { name: 'Cast the vote' }).click();
      await page.locator('article.election p.help', { hasText: 'an organisation votes once' }).waitFor();
      assert.equal(await page.locator('form.vote-form').count(), 0, 'no second ballot is offered');
    }
    const sec = pages.sec;
    await sec.locator('article.election p.voted', { hasText: 'Organisations that voted (2)' }).waitFor();
    await sec.getByRole('button', { name: 'Close the election and count' }).click();
    // A final step says what it does and waits for its confirmation.
    await sec.locator('article.election .confirm', { hasText: '2 of 2 member organisations have voted' }).waitFor();
    await sec.getByRole('button', { name: 'Close and count now' }).click();
    const row = sec.locator('table.result tr[data-org="Femmes Africa"]');
    await row.waitFor();
    assert.match(await row.textContent(), /elected/);
    assert.match(await row.textContent(), /2/);
    await sec.locator('#caucus-partner-list li[data-org="Femmes Africa"]', { hasText: 'elected in election' }).waitFor();
  });

  test('the partner drafts and edits, another organisation endorses, the partner adopts', async () => {
    const fatou = pages.fatou;
    await fatou.getByLabel('Text', { exact: true }).fill('We call for gender parity in every delegation.');
    await fatou.getByRole('button', { name: 'Save the draft' }).click();
    const statement = fatou.locator('article.joint-statement');
    await statement.waitFor();
    const box = statement.getByLabel('New version');
    await box.fill('We call for gender parity in every delegation, and for the funding to reach it.');
    await statement.getByRole('button', { name: 'Save as a new version' }).click();
    await statement.locator('h4', { hasText: 'version 2' }).waitFor();

    const lucia = pages.lucia;
    const hers = lucia.locator('article.joint-statement');
    await hers.locator('h4', { hasText: 'version 2' }).waitFor();
    assert.equal(await hers.getByRole('button', { name: 'Adopt for the caucus' }).count(), 0, 'only partners adopt');
    await hers.getByRole('button', { name: 'Endorse for my organisation' }).click();
    await hers.locator('p.endorsers', { hasText: 'Red de Mujeres' }).waitFor();
    // The endorse button is gone with its step; the keyboard stays in the panel.
    await lucia.waitForFunction(() => document.getElementById('caucus-panel').contains(document.activeElement));

    await statement.locator('p.endorsers', { hasText: 'Red de Mujeres' }).waitFor();
    await statement.getByRole('button', { name: 'Adopt for the caucus' }).click();
    await statement.locator('.confirm', { hasText: 'Adopt version 2, endorsed by 1 organisation(s)?' }).waitFor();
    await statement.getByRole('button', { name: 'Adopt for good' }).click();
    const delivery = statement.locator('p.delivery.posted');
    await delivery.waitFor();
    assert.match(await delivery.textContent(), /Posted in the parent room: Financing for development: gender equality #\d+/);
    await assertAccessible(fatou, 'caucus');
    await screenshot(fatou, 'caucus');
  });

  test('the parent roundtable shows it as the joint statement of the caucus with the link back', async () => {
    const page = pages.sec;
    await page.goto(`${BASE}/#/rooms/${PARENT}`);
    const mark = page.locator(`p.joint[data-caucus="${CAUCUS}"]`);
    await mark.waitFor();
    assert.match(await mark.textContent(), /Joint statement of the Women caucus/);
    assert.match(await mark.textContent(), /Endorsed by \(1\): Red de Mujeres/);
    const link = mark.getByRole('link', { name: /caucus record: women-caucus #\d+/ });
    assert.equal(await link.getAttribute('href'), `#/rooms/${CAUCUS}`);
    assert.match(await link.getAttribute('title'), /^SHA-256 [0-9a-f]{64}$/);
    assert.equal(await page.locator('li[data-statement]').count(), 1, 'posted once');
    await assertAccessible(page, 'parent with a joint statement');
    await screenshot(page, 'caucus-joint-statement-in-parent');
    await link.click();
    await page.locator('#caucus-panel').waitFor();
  });

  test('the secretariat removes an organising partner with a reason, in a form of its own', async () => {
    const page = pages.sec;
    await page.getByRole('button', { name: 'Remove Femmes Africa as organising partner' }).click();
    const reason = page.getByLabel('Why Femmes Africa stops being an organising partner (recorded)');
    await reason.waitFor();
    assert.equal(await reason.evaluate((el) => el === document.activeElement), true, 'the reason has the focus');
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.locator('#caucus-status', { hasText: 'Give a reason' }).waitFor();
    await reason.fill('Stepped down from coordination.');
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.locator('#caucus-partner-list li[data-org="Femmes Africa"]').waitFor({ state: 'detached' });
    // The adopted statement stays in the caucus, with its endorsers.
    await page.locator('article.joint-statement p.adopted', { hasText: 'Red de Mujeres' }).waitFor();
  });
});
