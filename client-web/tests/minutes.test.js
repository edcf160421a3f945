/**
 * Minutes with approval in the web client: a participant speaks in a roundtable; the
 * secretariat starts the minutes from the record, saves and circulates them with a deadline;
 * the participant proposes a correction of their own line; the secretariat accepts it with a
 * reason and approves; the approved minutes show read-only with their hash, and a later edit
 * is no longer offered; the record page names the minutes' events and downloads the Word
 * document, a valid package holding the approved text. Screenshots: tests/screenshots/
 * minutes-correction.png, minutes-approved.png, minutes-record.png.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    await pending.scrollIntoViewIfNeeded();
    await screenshot(sec.page, 'minutes-correction');
    await pending.getByLabel('Reason (recorded)').fill('Matches the statement as delivered.');
    await pending.getByRole('button', { name: 'Accept' }).click();
    await sec.page.locator('#minutes-corrections li[data-status="accepted"]').waitFor();
    await card.getByRole('button', { name: 'Approve and seal the minutes' }).click();
    const approved = sec.page.locator('#minutes-approved');
    await approved.waitFor();
    const sealed = await approved.locator('.minutes-text').textContent();
    assert.match(await approved.textContent(), /Approved on .* by SEC-1\./, 'who approved, by name');
    assert.match(sealed, /We support a levy on financial transactions\./);
    assert.doesNotMatch(sealed, /on all financial/, 'the accepted correction is in the sealed text');
    const hash = await sec.page.locator('#minutes-hash').textContent();
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(await sec.page.locator('#minutes-text').count(), 0, 'sealed minutes offer no editor');
    await assertAccessible(sec.page, 'approved minutes');
    await approved.scrollIntoViewIfNeeded();
    await screenshot(sec.page, 'minutes-approved');

    // The record page names the minutes' events and downloads the Word document.
    await sec.page.goto(`${BASE}/#/rooms/${ROOM}/record`);
    const row = sec.page.locator('td[data-type="minutes_approved"]');
    await row.waitFor();
    assert.equal(await row.textContent(), 'Minutes approved');
    const control = sec.page.locator('section.export');
    await control.getByLabel('Format').selectOption('docx');
    await control.getByLabel('Language of the document').selectOption('en');
    const [download] = await Promise.all([
      sec.page.waitForEvent('download'),
      control.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${ROOM}-en.docx`);
    const bytes = Buffer.concat(await (await download.createReadStream()).toArray());
    const xml = documentXml(bytes);
    assert.match(xml, /We support a levy on financial transactions\./);
    assert.ok(xml.includes(hash), 'the docx carries the hash of the approved text');
    await assertAccessible(sec.page, 'record page with minutes events');
    await screenshot(sec.page, 'minutes-record');
    await speaker.context.close();
    await sec.context.close();
  });
});

/**
 * Opens a .docx as a Word reader would: Python's zipfile checks the package and its required
 * parts, xmllint parses every XML part; returns `word/document.xml`.
 * @param {Buffer} bytes
 * @returns {string}
 */
function documentXml(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'minutes-docx-'));
  const file = join(dir, 'minutes.docx');
  writeFileSync(file, bytes);
  const parts = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'names = z.namelist()',
    "assert all(p in names for p in ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']), names",
    'z.extractall(sys.argv[2])',
    "print('\\n'.join(n for n in names if n.endswith(('.xml', '.rels'))))",
  ].join('\n'), file, join(dir, 'parts')], { encoding: 'utf8' });
  for (const part of parts.trim().split('\n')) execFileSync('xmllint', ['--noout', join(dir, 'parts', part)]);
  return readFileSync(join(dir, 'parts', 'word/document.xml'), 'utf8');
}

