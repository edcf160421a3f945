/**
 * The official record in the product: a participant downloads the server's summary record from
 * the room page's Export control in English and Arabic (screenshots of both documents go to
 * docs/screenshots/record-export-*.png); the secretariat reads the record page with event names
 * and display names; the secretariat archives a room after confirming, downloads its bundle, and
 * the archived room refuses a statement.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, env, launch, screenshot } from './support.js';

const BASE = env('BARAZA_URL');
const NATIONAL = env('BARAZA_CHILD_CONSULTATION');
const ARCHIVE_ROOM = env('BARAZA_ARCHIVE_ROOM');
const PARTICIPANT = env('BARAZA_TOKEN_PARTICIPANT');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

/**
 * Chooses a format and a language in the page's Export control, clicks Download, and returns
 * the downloaded file.
 * @param {import('playwright-core').Page} page
 * @param {string} format
 * @param {string} lang
 * @returns {Promise<{name: string, bytes: Buffer}>}
 */
async function exportFrom(page, format, lang) {
  const control = page.locator('section.export');
  await control.getByLabel('Format').selectOption(format);
  await control.getByLabel('Language of the document').selectOption(lang);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    control.getByRole('button', { name: 'Download', exact: true }).click(),
  ]);
  return { name: download.suggestedFilename(), bytes: await read(download) };
}

async function read(download) {
  const chunks = await (await download.createReadStream()).toArray();
  return Buffer.concat(chunks);
}

describe('the record in the web client', { concurrency: false }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function newPage(locale = 'en-GB', viewport = { width: 1100, height: 800 }) {
    const context = await browser.newContext({ locale, viewport, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    return { context, page };
  }

  /** Shows an exported HTML document on its own and screenshots it into docs/screenshots. */
  async function shoot(context, html, name) {
    const page = await context.newPage();
    await page.setViewportSize({ width: 900, height: 1200 });
    await page.setContent(html, { waitUntil: 'load' });
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await page.close();
  }

  test('a participant downloads the summary record from the room page in English and Arabic', async () => {
    const { page, context } = await newPage();
    await page.goto(`${BASE}/#token=${PARTICIPANT}`);
    await page.goto(`${BASE}/#/rooms/${NATIONAL}`);
    const control = page.locator('section.export');
    await control.getByRole('heading', { name: 'Record and exports' }).waitFor();
    const languages = await control.getByLabel('Language of the document').locator('option').allTextContents();
    assert.deepEqual(languages.length, 6, `the room's languages: ${languages}`);

    const en = await exportFrom(page, 'html', 'en');
    assert.equal(en.name, `${NATIONAL}-en.html`);
    const html = en.bytes.toString('utf8');
    for (const needle of [
      'Kenya national consultation on food systems',
      'Secure, collective land tenure for smallholder farmers must come first.',
      '<dt>Forum</dt><dd>Kenya</dd>',
      'Kenya Land Alliance\u2069; Farmers; Kenya, African States',
      '<th scope="col">Question</th>',
      '<h3><bdi>What must change first in how food is produced?</bdi></h3>',
      'SHA-256',
    ]) assert.ok(html.includes(needle), `${needle} missing from the English export`);
    assert.match(html, /record of \d+ events/);
    assert.ok(!html.includes('baraza verify'), 'the reader is not told to run a command');
    assert.match(await page.locator('#export-status').textContent(), /Downloaded ke-food-en\.html/);
    await shoot(context, html, 'record-export-en');

    const ar = await exportFrom(page, 'html', 'ar');
    const arabic = ar.bytes.toString('utf8');
    assert.ok(arabic.includes('<html lang="ar" dir="rtl">'));
    assert.ok(arabic.includes('<dt>المنتدى</dt><dd>كينيا</dd>'), 'the forum named in Arabic');
    assert.ok(arabic.includes('\u2069؛ المزارعون؛ كينيا، مجموعة الدول الأفريقية)'), 'the constituency and place named in Arabic, with Arabic separators');
    await shoot(context, arabic, 'record-export-ar');

    const md = (await exportFrom(page, 'md', 'fr')).bytes.toString('utf8');
    assert.match(md, /Secure, collective land tenure/);
    const akn = (await exportFrom(page, 'akn', 'en')).bytes.toString('utf8');
    assert.match(akn, /<akomaNtoso/);
    const csv = (await exportFrom(page, 'csv', 'en')).bytes.toString('utf8');
    assert.match(csv, /^record,/);
    await assertAccessible(page, 'room with the export control');
    await context.close();
  });

  test('the secretariat reads the record: event names, display names, details, a true count', async () => {
    const { page, context } = await newPage();
    await page.goto(`${BASE}/#token=${SECRETARIAT}`);
    await page.goto(`${BASE}/#/rooms/${NATIONAL}/record`);
    await page.waitForFunction(() => document.getElementById('verdict')?.dataset.result !== 'pending', null, { timeout: 20000 });
    assert.equal(await page.locator('#verdict').getAttribute('data-result'), 'intact');
    const [, count, head] = /(\d+) of (\d+) events loaded/.exec(await page.locator('main .status').first().textContent()) || [];
    assert.ok(count && Number(count) <= Number(head), `loaded ${count} of ${head}`);
    const question = page.locator('tr', { has: page.locator('td[data-type="question_added"]') });
    assert.match(await question.textContent(), /Question added/);
    assert.match(await question.textContent(), /What must change first/);
    assert.match(await question.textContent(), /SEC-1/, 'the actor by display name');
    const phase = page.locator('tr', { has: page.locator('td[data-type="phase_changed"]') }).first();
    assert.match(await phase.textContent(), /Phase changed.*Phase: Open/);
    const md = (await exportFrom(page, 'md', 'en')).bytes.toString('utf8');
    assert.match(md, /Secure, collective land tenure/);
    await assertAccessible(page, 'record with exports');
    await screenshot(page, 'record-page');
    await context.close();
  });

  test('the secretariat archives a room after confirming and downloads its bundle; the room refuses statements', async () => {
    const { page, context } = await newPage();
    await page.goto(`${BASE}/#token=${SECRETARIAT}`);
    await page.goto(`${BASE}/#/rooms/${ARCHIVE_ROOM}`);
    const archive = page.getByRole('button', { name: 'Archive room' });
    await archive.click();
    const dialog = page.getByRole('alertdialog', { name: 'Archive this room for good?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#archived-note').isVisible(), false, 'cancel archives nothing');
    await archive.click();
    await assertAccessible(page, 'archive confirmation');
    await dialog.getByRole('button', { name: 'Archive for good' }).click();
    await page.locator('#archived-note', { hasText: 'closed for good' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the archive bundle' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${ARCHIVE_ROOM}-bundle.tar`);
    const bundle = (await read(download)).toString('latin1');
    for (const needle of ['README.txt', 'record.jsonl', 'manifest.json', '"format": "baraza-bundle/1"', 'We close with a call for debt relief.', `exports/public/${ARCHIVE_ROOM}-ar.html`]) {
      assert.ok(bundle.includes(needle), `${needle} missing from the bundle`);
    }
    await screenshot(page, 'room-archived');
    await page.goto(`${BASE}/#/rooms`);
    await page.locator(`li[data-room="${ARCHIVE_ROOM}"] .badge.archived`, { hasText: 'Archived' }).waitFor();

    const reader = await newPage();
    await reader.page.goto(`${BASE}/#token=${PARTICIPANT}`);
    await reader.page.goto(`${BASE}/#/rooms/${ARCHIVE_ROOM}`);
    await reader.page.locator('#archived-note', { hasText: 'closed for good' }).waitFor();
    await reader.page.getByLabel('Your statement').fill('Is anyone still here?');
    await reader.page.getByRole('button', { name: 'Post' }).click();
    await reader.page.getByRole('alert').filter({ hasText: 'This room is archived' }).waitFor();
    await reader.context.close();
    await context.close();
  });
});
