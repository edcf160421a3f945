/**
 * Shared setup of the browser tests: the server and tokens (from environment variables set by
 * `tests/browser/main.rs`), Chromium from the system's package, axe-core, screenshots.
 */

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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

/**
 * Starts a child process and resolves with the first match of `pattern` in its standard
 * output; the child is killed when this Node process exits.
 * @param {string} command
 * @param {string[]} args
 * @param {object} options `spawn` options
 * @param {RegExp} pattern
 * @returns {Promise<{child: import('node:child_process').ChildProcess, match: RegExpMatchArray}>}
 */
function startAndWait(command, args, options, pattern) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options });
  process.on('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start within 30 s`)), 30000);
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        // Keep draining so the child never blocks on a full pipe.
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, match });
      }
    });
  });
}

/**
 * Starts a real SMTP server (aiosmtpd, the Rust tests' `tests/support/smtp_sink.py`) on a free
 * port; each message it receives is written to `dir` as a `.eml` file.
 * @returns {Promise<{port: number, dir: string, stop: () => void}>}
 */
export async function startSmtpSink() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baraza-mail-'));
  const script = path.resolve(here, '../../tests/support/smtp_sink.py');
  const { child, match } = await startAndWait('python3', [script, dir], {}, /ready (\d+)/);
  return { port: Number(match[1]), dir, stop: () => child.kill('SIGTERM') };
}

/**
 * Starts the real `baraza` binary (`BARAZA_BINARY`, built by cargo) on a fresh data directory
 * and a free port, with the test secret and `extra` flags.
 * @param {string[]} extra
 * @returns {Promise<{url: string, stop: () => void}>}
 */
export async function startNode(extra) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'baraza-data-'));
  const { child, match } = await startAndWait(env('BARAZA_BINARY'),
    ['serve', '--bind', '127.0.0.1:0', '--data', data, ...extra],
    { env: { ...process.env, BARAZA_JWT_SECRET: env('BARAZA_JWT_SECRET'), BARAZA_LOG: process.env.BARAZA_LOG || 'warn' } },
    /listening on (http:\/\/[^\s]+)/);
  return { url: match[1], stop: () => child.kill('SIGTERM') };
}

/**
 * Waits for the `count`-th message to arrive in an SMTP sink's directory and returns it.
 * @param {string} dir
 * @param {(text: string) => boolean} wanted which message
 * @returns {Promise<string>} the raw message
 */
export async function waitForMail(dir, wanted) {
  const deadline = Date.now() + 20000;
  for (;;) {
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.eml')).sort()) {
      const text = decodeMail(fs.readFileSync(path.join(dir, name), 'utf8'));
      if (wanted(text)) return text;
    }
    assert.ok(Date.now() < deadline, `no such message arrived in ${dir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The readable text of a message: headers and body, quoted-printable soft breaks and escapes
 * undone (a long link may be wrapped).
 * @param {string} raw
 * @returns {string}
 */
export function decodeMail(raw) {
  if (!/Content-Transfer-Encoding:\s*quoted-printable/i.test(raw)) return raw;
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Fails unless every piece of text inside `selector` (list entries, dimmed or not, and the
 * buttons in them, `aria-disabled` ones included, which axe-core leaves out) meets WCAG AA
 * contrast: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). The colour is the one
 * rendered: the text's colour with the opacity of it and its ancestors, over the nearest
 * opaque background.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {string} what name for messages
 * @returns {Promise<number>} how many elements with text were checked
 */
export async function assertContrast(page, selector, what) {
  const found = await page.evaluate((sel) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const [r, g, b, a = '1'] = m[1].split(/[ ,/]+/).filter(Boolean);
      return [Number(r), Number(g), Number(b), Number(a)];
    };
    const over = ([r, g, b, a], [br, bg, bb]) => [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
    const lum = (rgb) => {
      const [r, g, b] = rgb.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const backgroundOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let base = [255, 255, 255];
      for (const layer of layers.reverse()) base = over(layer, base);
      return base;
    };
    const out = [];
    for (const root of document.querySelectorAll(sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        if (!own || !el.getClientRects().length) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
        let opacity = 1;
        for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
        const background = backgroundOf(el);
        const [r, g, b, a] = parse(style.color);
        const text = over([r, g, b, a * opacity], background);
        // The background under a translucent element shows through too.
        const under = el.parentElement ? backgroundOf(el.parentElement) : [255, 255, 255];
        const shown = opacity < 1 ? over([...background, opacity], under) : background;
        const [l1, l2] = [lum(text), lum(shown)].sort((x, y) => y - x);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        out.push({ text: el.textContent.trim().slice(0, 40), cls: el.className, ratio: Math.round(ratio * 100) / 100, needed: large ? 3 : 4.5 });
      }
    }
    return out;
  }, selector);
  const low = found.filter((f) => f.ratio < f.needed);
  console.log(`contrast ${what}: ${found.length} texts, lowest ${Math.min(...found.map((f) => f.ratio))}:1`);
  assert.ok(found.length > 0, `nothing with text in ${selector}`);
  assert.deepEqual(low, [], `text below WCAG AA contrast in ${what}`);
  return found.length;
}
