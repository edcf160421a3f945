/**
 * Shared setup of the browser tests: the server and tokens (from environment variables set by
 * `tests/browser/main.rs`), Chromium from the system's package, axe-core, screenshots.
 */

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where screenshots go: `tests/screenshots/` at the repository root unless overridden. */
export const SCREENSHOTS = process.env.BARAZA_SCREENSHOTS || path.resolve(here, '../../tests/screenshots');

/** The chromium binary: the Debian package's, never a downloaded one. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Reads a required environment variable.
 * @param {string} name
 * @returns {string}
 */
export function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these tests through \`cargo test --test browser\``);
  return value;
}

/**
 * Starts Chromium headless. Playwright gives each launch a fresh temporary profile directory.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`apt-get install -y chromium\` (or .ci/run)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Writes a screenshot of the page.
 * @param {import('playwright-core').Page} page
 * @param {string} name file name without extension
 */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const AXE = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page and fails on serious or critical violations.
 * @param {import('playwright-core').Page} page
 * @param {string} view name for messages
 */
export async function assertAccessible(page, view) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy rightly
  // forbids inline <script> tags, and the test tool must not need the app to allow them.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.filter((v) => !bad.includes(v));
  console.log(`axe ${view}: ${bad.length} serious/critical, ${minor.length} other${minor.length ? ` (${minor.map((v) => v.id).join(', ')})` : ''}`);
  assert.deepEqual(bad, [], `axe found serious or critical violations on the ${view} view`);
}

/**
 * The connection indicator's state.
 * @param {import('playwright-core').Page} page
 * @param {string} state
 */
export async function waitForConnection(page, state) {
  await page.waitForFunction((s) => document.getElementById('conn')?.dataset.state === s, state, { timeout: 20000 });
}

/**
 * Ids of the statements shown, in document order.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export function statementIds(page) {
  return page.$$eval('li[data-statement]', (els) => els.map((e) => e.dataset.statement));
}

/**
 * Texts of the statements shown, in document order.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export function statementTexts(page) {
  return page.$$eval('li[data-statement] > article .text', (els) => els.map((e) => e.textContent));
}
