/**
 * The search page in Chromium: a participant opens it from the header, finds the seeded
 * statement by an Arabic and a Chinese word, narrows by language, and reads the page in Arabic.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, env, launch, screenshot } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_ROOM');
const PARTICIPANT = env('BARAZA_TOKEN_PARTICIPANT');

describe('search', { concurrency: false }, () => {
  let browser;
  let page;
  before(async () => {
    browser = await launch();
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  });
  after(async () => {
    await browser?.close();
  });

  test('a participant opens search from the header and finds a statement by an Arabic word', async () => {
    await page.goto(`${BASE}/#token=${PARTICIPANT}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByRole('heading', { level: 1, name: 'Search the record' }).waitFor();
    await page.getByLabel('Words to find').fill('الموقف');
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.locator(`li.search-hit[data-room="${ROOM}"]`);
    await hit.first().waitFor();
    assert.match(await hit.first().textContent(), /نؤيد هذا الموقف/);
    assert.equal(await hit.first().locator('mark').first().textContent(), 'الموقف', 'the word is marked');
    assert.match(page.url(), /#\/search\?q=/, 'the address keeps the query');
    await assertAccessible(page, 'search');
    await screenshot(page, 'search-en');
  });

  test('a Chinese word is found inside its sentence, and a language filter narrows', async () => {
    await page.getByLabel('Words to find').fill('支持');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.status', { hasText: /Statements found: \d+/ }).waitFor();
    assert.ok(await page.locator(`li.search-hit[data-room="${ROOM}"]`).count() >= 1);

    await page.getByLabel('Language of the statement').selectOption('fr');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.status', { hasText: 'No statement you may read holds these words.' }).waitFor();
    assert.equal(await page.locator('li.search-hit').count(), 0);
  });

  test('an empty query is refused in the page, and the page reads right to left in Arabic', async () => {
    await page.getByLabel('Words to find').fill('');
    await page.getByLabel('Language of the statement').selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    // The browser's own check (required) or the page's message; either way nothing is asked.
    assert.equal(await page.locator('li.search-hit').count(), 0);

    await page.getByLabel('Words to find').fill('الموقف');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('li.search-hit').first().waitFor();
    await page.locator('#lang-picker').selectOption('ar');
    await page.getByRole('heading', { level: 1, name: 'البحث في المحضر' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.locator('li.search-hit').first().waitFor();
    assert.match(await page.locator('.status').textContent(), /البيانات التي وُجدت/);
    await assertAccessible(page, 'search (Arabic)');
    await screenshot(page, 'search-ar');
  });
});
