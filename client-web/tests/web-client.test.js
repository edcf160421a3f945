/**
 * The web client in real Chromium against the real server: sign-in, room list, a room with two
 * people live, moderation, a network cut and its catch-up, Arabic right to left, the record
 * verified in the browser, accessibility on every view, and the first load's size.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, assertContrast, env, launch, screenshot, statementIds, statementTexts, waitForConnection } from './support.js';

const BASE = env('BARAZA_URL');
const ROOM = env('BARAZA_ROOM');
const PARTICIPANT = env('BARAZA_TOKEN_PARTICIPANT');
const MODERATOR = env('BARAZA_TOKEN_MODERATOR');
const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const OBSERVER = env('BARAZA_TOKEN_OBSERVER');
const LIMIT = 200 * 1024;
/** The same first load as it travels: compressed, headers included. */
const WIRE_LIMIT = 80 * 1024;

describe('the web client', { concurrency: false }, () => {
  let browser;
  let amina; // participant's context and page
  let ana; // moderator's
  const cspViolations = []; // every page's, checked by the last test
  before(async () => {
    browser = await launch();
    amina = await newPage('en-GB');
    ana = await newPage('en-US');
  });
  after(async () => {
    await browser?.close();
  });

  async function newPage(locale, viewport = { width: 1100, height: 800 }) {
    const context = await browser.newContext({ locale, viewport });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error (${locale}): ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return { context, page };
  }

  test('the first load is well under 200 KB, travels compressed, from the versioned prefix, and shows the sign-in view', async () => {
    const { page, context } = await newPage('en-GB');
    const sizes = [];
    page.on('response', async (response) => {
      sizes.push(response.body().then((b) => [response.url(), b.length]).catch(() => [response.url(), 0]));
    });
    // What crosses the network, as the browser counts it (compressed bodies and headers).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let wire = 0;
    const encodings = new Map();
    cdp.on('Network.responseReceived', (e) => encodings.set(e.requestId, [e.response.url, e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || 'identity']));
    cdp.on('Network.loadingFinished', (e) => { wire += e.encodedDataLength; });
    const document = await page.goto(BASE, { waitUntil: 'networkidle' });
    assert.match(document.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the app is served under its CSP');
    assert.equal(document.headers()['cache-control'], 'no-cache', 'the index page is always revalidated');
    const bodies = await Promise.all(sizes);
    const total = bodies.reduce((sum, [, n]) => sum + n, 0);
    console.log(`first load: ${bodies.length} requests, ${total} bytes (${(total / 1024).toFixed(1)} KiB) uncompressed, ${wire} bytes (${(wire / 1024).toFixed(1)} KiB) over the wire`);
    assert.ok(bodies.every(([url]) => url.startsWith(BASE)), 'nothing is loaded from another origin');
    assert.ok(total < LIMIT, `first load is ${total} bytes`);
    assert.ok(wire < WIRE_LIMIT, `first load is ${wire} bytes over the wire`);
    const assets = bodies.map(([url]) => url).filter((url) => url !== `${BASE}/`);
    const prefix = new RegExp(`^${BASE}/v/[0-9a-f]{16}/`);
    assert.deepEqual(assets.filter((url) => !prefix.test(url)), [], 'every module and style comes from the versioned prefix');
    const plain = [...encodings.values()].filter(([url, coding]) => url.startsWith(BASE) && coding === 'identity');
    assert.deepEqual(plain.map(([url]) => url), [], 'everything travels compressed (Chromium sends Accept-Encoding: gzip, deflate, br, zstd)');
    // The modules are preloaded by the index page, not discovered one import at a time.
    const preloaded = await page.$$eval('link[rel="modulepreload"]', (links) => links.map((l) => l.href));
    assert.ok(preloaded.length >= 10, `${preloaded.length} modules preloaded`);
    const loadedModules = assets.filter((url) => url.endsWith('.js'));
    assert.ok(preloaded.every((url) => loadedModules.includes(url)), 'every preloaded module is one the app loads');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await assertAccessible(page, 'sign-in');
    await screenshot(page, 'signin');
    // A revisit: the versioned files come from the cache, only the index page travels again.
    const firstWire = wire;
    wire = 0;
    await page.reload({ waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    console.log(`revisit: ${wire} bytes over the wire`);
    assert.ok(wire * 5 < firstWire, `a revisit moves ${wire} bytes (first load ${firstWire})`);
    await context.close();
  });

  test('a participant signs in by pasting a token and sees the room list', async () => {
    const { page } = amina;
    await page.goto(BASE);
    await page.getByLabel('Your access token').fill(PARTICIPANT);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    const card = page.locator(`li[data-room="${ROOM}"]`);
    await card.waitFor();
    assert.match(await card.textContent(), /Roundtable/);
    assert.match(await card.textContent(), /Global/);
    await waitForConnection(page, 'online');
    await assertAccessible(page, 'room list');
    await screenshot(page, 'rooms');
  });

  test('a moderator signs in from a link; the token leaves the address bar', async () => {
    const { page } = ana;
    await page.goto(`${BASE}/#token=${MODERATOR}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    assert.ok(!page.url().includes('token'), `the address bar still holds the token: ${page.url()}`);
    assert.match(await page.locator('#user').textContent(), /Moderator/);
  });

  test('both join the room, post a statement and a reply, and see each other live', async () => {
    for (const { page } of [amina, ana]) {
      await page.locator(`li[data-room="${ROOM}"] a.button.primary`).click();
      await page.getByRole('heading', { level: 2, name: /^Statements/ }).waitFor();
      await page.locator('#roundtable-panel').waitFor();
    }
    assert.match(await amina.page.locator('#roundtable-panel').textContent(), /No agenda items yet/);
    await ana.page.locator('.people li[data-user="amina"]').waitFor();

    await amina.page.getByLabel('Your statement').fill('Debt relief must come before new lending conditions.');
    await amina.page.getByLabel('Language of the statement').selectOption('en');
    await amina.page.getByRole('button', { name: 'Post' }).click();
    const first = ana.page.locator('article', { hasText: 'Debt relief must come' });
    await first.waitFor();
    assert.match(await first.textContent(), /English/);

    await first.getByRole('button', { name: /^Reply to statement/ }).click();
    await ana.page.getByLabel('Your statement').fill('Nous soutenons cette position.');
    await ana.page.getByLabel('Language of the statement').selectOption('fr');
    await ana.page.getByRole('button', { name: 'Post' }).click();
    const reply = amina.page.locator('ol.replies article', { hasText: 'Nous soutenons' });
    await reply.waitFor();
    assert.match(await reply.textContent(), /French/);
    assert.equal(await reply.locator('.text').getAttribute('lang'), 'fr');
    // Screen readers hear of it through the polite live region.
    await amina.page.waitForFunction(() => /New statement from/.test(document.getElementById('live-polite').textContent));
  });

  test('the skip link moves focus to the content and stays in the room', async () => {
    const { page } = amina;
    const before = page.url();
    await page.locator('#skip-link').focus();
    assert.ok(await page.locator('#skip-link').isVisible(), 'the skip link shows when focused');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    assert.equal(page.url(), before, 'the address (and with it the view) does not change');
    await page.locator('#roundtable-panel').waitFor();
    await page.getByRole('heading', { level: 2, name: /^Statements/ }).waitFor();
    // The next Tab goes on into the content, not back to the header.
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.getElementById('main').contains(document.activeElement)), 'focus continues inside the content');
  });

  test('the skip link followed before the app handles it (a slow link) leaves the view where it is', async () => {
    const { page } = amina;
    const before = page.url();
    // What following the link natively does: the fragment becomes #main.
    await page.evaluate(() => { window.location.hash = '#main'; });
    await page.waitForFunction((url) => window.location.href === url, before);
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    await page.locator('#roundtable-panel').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Page not found' }).count(), 0);
  });

  test('the entries of the speaking list, dimmed ones included, meet WCAG AA contrast', async () => {
    await assertContrast(amina.page, '#roundtable-panel', 'roundtable panel (participant)');
    await assertContrast(ana.page, '#roundtable-panel', 'roundtable panel (moderator)');
    await assertContrast(amina.page, 'ol.thread', 'statements');
  });

  test('an observer joins the audience: counted in the members panel, not listed', async () => {
    const { page, context } = await newPage('en-GB');
    await page.goto(`${BASE}/#token=${OBSERVER}`);
    await page.locator(`li[data-room="${ROOM}"] a.button.primary`).click();
    await page.getByRole('heading', { level: 2, name: /^Statements/ }).waitFor();
    // The audience is recorded in a digest within a second; both see the count.
    for (const { page: seen } of [amina, ana, { page }]) {
      await seen.locator('#audience-count', { hasText: '1 person in the audience' }).waitFor();
    }
    assert.equal(await amina.page.locator('.people li[data-user="press-lerato"]').count(), 0, 'not listed one by one');
    await assertAccessible(amina.page, 'room with an audience');
    await context.close();
  });

  test('the moderator hides a statement with a reason; the participant sees it hidden', async () => {
    await amina.page.getByLabel('Your statement').fill('Buy cheap watches at example.com');
    await amina.page.getByRole('button', { name: 'Post' }).click();
    const spam = ana.page.locator('li[data-statement] > article', { hasText: 'cheap watches' });
    await spam.waitFor();
    assert.equal(await amina.page.getByRole('button', { name: /^Hide statement/ }).count(), 0, 'participants have no hide action');
    await spam.getByRole('button', { name: /^Hide statement/ }).click();
    await ana.page.getByLabel('Reason for hiding (shown to everyone)').fill('Advertising is not allowed in this forum.');
    await ana.page.getByRole('button', { name: 'Hide statement', exact: true }).click();
    const hidden = amina.page.locator('article.is-hidden');
    await hidden.waitFor();
    assert.match(await hidden.textContent(), /Hidden by a moderator: Advertising is not allowed/);
    assert.doesNotMatch(await hidden.textContent(), /cheap watches/, 'the participant no longer sees the text');
    await ana.page.locator('article.is-hidden', { hasText: 'cheap watches' }).waitFor();
    await assertAccessible(amina.page, 'room (participant)');
    await assertAccessible(ana.page, 'room (moderator)');
    await screenshot(ana.page, 'room-moderator');
    await screenshot(amina.page, 'room-participant');
  });

  test('a participant whose network is cut catches up with exactly what was missed', async () => {
    const before = await statementTexts(amina.page);
    await amina.context.setOffline(true);
    await waitForConnection(amina.page, 'offline');
    const seen = ['offline'];

    // Amina writes while offline: the statement waits in the outbox.
    await amina.page.getByLabel('Your statement').fill('Written while the network was down.');
    await amina.page.getByRole('button', { name: 'Post' }).click();
    await amina.page.locator('#conn .queued').waitFor();
    await screenshot(amina.page, 'room-offline');

    const missed = ['Missed one: the first statement during the cut.', 'Missed two: the second statement during the cut.'];
    for (const text of missed) {
      await ana.page.getByLabel('Your statement').fill(text);
      await ana.page.getByRole('button', { name: 'Post' }).click();
      await ana.page.locator('article', { hasText: text }).waitFor();
    }
    assert.deepEqual(await statementTexts(amina.page), before, 'nothing arrives while offline');

    const states = amina.page.evaluate(() => new Promise((resolve) => {
      const seenStates = [];
      const observer = new MutationObserver(() => {
        const s = document.getElementById('conn').dataset.state;
        if (seenStates[seenStates.length - 1] !== s) seenStates.push(s);
        if (s === 'online') { observer.disconnect(); resolve(seenStates); }
      });
      observer.observe(document.getElementById('conn'), { attributes: true, attributeFilter: ['data-state'] });
    }));
    await amina.context.setOffline(false);
    seen.push(...(await states));
    console.log(`connection states seen: ${seen.join(' → ')}`);
    assert.equal(seen[seen.length - 1], 'online');
    assert.ok(seen.includes('reconnecting') || seen.includes('connecting'), `states: ${seen.join(', ')}`);

    await amina.page.locator('article', { hasText: missed[1] }).waitFor();
    await amina.page.locator('article', { hasText: 'Written while the network was down.' }).waitFor();
    await ana.page.locator('article', { hasText: 'Written while the network was down.' }).waitFor();
    const afterTexts = await statementTexts(amina.page);
    const added = afterTexts.filter((t) => !before.includes(t));
    assert.deepEqual(added.sort(), [...missed, 'Written while the network was down.'].sort(), 'exactly the missed statements, once each');
    assert.deepEqual(await statementIds(amina.page), await statementIds(ana.page), 'both see the same statements');
    await amina.page.locator('#conn .queued').waitFor({ state: 'detached' });
  });

  test('the Arabic interface is right to left', async () => {
    const { page } = amina;
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    await page.getByRole('heading', { level: 2, name: /^المداخلات/ }).waitFor();
    await page.locator('#roundtable-panel').waitFor();
    await assertAccessible(page, 'room (Arabic)');
    await screenshot(page, 'room-arabic');
    await page.getByLabel('اللغة', { exact: true }).selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  });

  test('the room works at 320 px wide', async () => {
    const { page, context } = await newPage('fr-FR', { width: 320, height: 640 });
    await page.goto(`${BASE}/#token=${PARTICIPANT}`);
    await page.goto(`${BASE}/#/rooms/${ROOM}`);
    await page.getByRole('heading', { level: 2, name: /^Déclarations/ }).waitFor();
    await page.locator('li[data-statement]').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await screenshot(page, 'room-320px-french');
    await context.close();
  });

  test('a consultation room shows its phase and questions in Spanish', async () => {
    const { page, context } = await newPage('es-ES');
    await page.goto(`${BASE}/#token=${PARTICIPANT}`);
    await page.goto(`${BASE}/#/rooms/youth-consultation`);
    const panel = page.locator('#consultation-panel');
    await panel.locator('#phase-banner[data-phase="open"]', { hasText: 'Abierta.' }).waitFor();
    assert.match(await panel.textContent(), /¿Cómo debe llegar la financiación climática/);
    assert.equal(await page.locator('#roundtable-panel').count(), 0);
    await panel.getByLabel('Su declaración sobre esta pregunta').waitFor();
    await assertAccessible(page, 'consultation room (Spanish)');
    await screenshot(page, 'consultation-spanish');
    await context.close();
  });

  test('the secretariat reads the record, verifies the chain in the browser, and downloads the summary record', async () => {
    const { page, context } = await newPage('en-GB');
    await page.goto(`${BASE}/#token=${SECRETARIAT}`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await page.locator(`li[data-room="${ROOM}"] a`, { hasText: 'Record' }).click();
    await page.waitForFunction(() => document.getElementById('verdict')?.dataset.result !== 'pending', null, { timeout: 20000 });
    assert.equal(await page.locator('#verdict').getAttribute('data-result'), 'intact', await page.locator('#verdict').textContent());
    assert.match(await page.locator('#verdict').textContent(), /Intact/);
    const rows = await page.locator('tr[data-seq]').count();
    assert.ok(rows >= 8, `the record shows ${rows} events`);
    const control = page.locator('section.export');
    await control.getByLabel('Format').selectOption('md');
    await control.getByLabel('Language of the document').selectOption('en');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      control.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    assert.match(text, /Debt relief must come before new lending conditions/);
    assert.match(text, /HIDDEN\*\*: Advertising/);
    await assertAccessible(page, 'record');
    await screenshot(page, 'record');
    await context.close();
  });

  test('nothing the app did violated its Content-Security-Policy', () => {
    assert.deepEqual(cspViolations, []);
  });
});
