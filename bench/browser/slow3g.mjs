/**
 * Time to a usable room, and the bytes it takes, on an emulated slow 3G link (400 kbit/s down
 * and up, 400 ms round trip), cold cache and warm (a revisit), before and after issue 14
 * (compression, content-hash caching, module preloads).
 *
 * Run from the repository root (builds nothing itself; uses the binary `cargo build` made):
 *
 *     cargo build -p baraza-server && node bench/browser/slow3g.mjs
 *
 * Environment: BARAZA_BIN (default target/debug/baraza), CHROMIUM_PATH (default
 * /usr/bin/chromium), RUNS (default 5), TIMELINE=1 (print each request's start and end). For each mode it starts the real binary on a fresh
 * data directory ("before" is the same binary with `--plain-assets`: no compression, no
 * prefix, no preloads, as the web client was served before; "after, HTTP/2 proxy" puts a TLS
 * proxy made here in front, as a deployment would), mints tokens with `baraza token`,
 * creates a roundtable over the REST API, and opens and fills an agenda item over the
 * WebSocket, from an unthrottled page. Then, RUNS times, in a fresh browser context (empty
 * cache): a participant opens the room's address with the link throttled, and the clock runs
 * from the start of navigation until the room is usable: the speaking list is shown, with
 * its entry, the "Ask to speak" button is enabled and the connection is online. The same
 * context then opens the address again (warm: what the cache keeps). Bytes are what the
 * browser received over the network for HTTP (compressed bodies and headers) until then.
 *
 * Prints medians, writes every run to bench/results/slow3g-<unix seconds>.json.
 */

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'client-web/tests/package.json'));
const { chromium } = require('playwright-core');

const BIN = process.env.BARAZA_BIN || path.join(root, 'target/debug/baraza');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS || 5);
const LINK = { latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };
const ROOM = 'ffd-slow3g';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Starts `baraza serve` on a free port; resolves once it answers /healthz. */
async function startNode(extra) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'baraza-slow3g-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${port}`, '--data', data, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not listening yet */ }
    if (i > 200 || child.exitCode !== null) throw new Error(`${BIN} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = (...args) => execFileSync(BIN, ['token', '--data', data, ...args], { encoding: 'utf8' }).trim();
  return {
    base,
    data,
    tokens: {
      secretariat: token('--role', 'secretariat', '--sub', 'sec-1', '--name', 'Secretariat'),
      moderator: token('--role', 'moderator', '--sub', 'mod-1', '--name', 'Ana Moderator'),
      amina: token('--role', 'participant', '--sub', 'amina', '--name', 'Amina', '--org', 'Kenya Land Alliance', '--constituency', 'farmers', '--country', 'KE'),
      bruno: token('--role', 'participant', '--sub', 'bruno', '--name', 'Bruno', '--org', 'Rede Cerrado', '--constituency', 'ngos', '--country', 'BR'),
    },
    stop() {
      child.kill('SIGTERM');
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * A TLS proxy in front of the node that speaks HTTP/2 to the browser (as a production proxy
 * would) and HTTP/1.1 to the node; connections that negotiate HTTP/1.1 (the WebSocket) are
 * passed through as they are. A self-signed certificate, made here with openssl.
 */
function startH2Proxy(nodePort) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baraza-slow3g-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
  const h2 = http2.createServer();
  h2.on('stream', (stream, headers) => {
    const forward = {};
    for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && !hop.has(k)) forward[k] = v;
    forward.host = headers[':authority'];
    const request = http.request({ host: '127.0.0.1', port: nodePort, method: headers[':method'], path: headers[':path'], headers: forward, agent }, (response) => {
      const back = { ':status': response.statusCode };
      for (const [k, v] of Object.entries(response.headers)) if (!hop.has(k)) back[k] = v;
      stream.respond(back);
      response.pipe(stream);
    });
    request.on('error', () => stream.close());
    stream.pipe(request);
  });
  const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert), ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    if (socket.alpnProtocol === 'h2') return h2.emit('connection', socket);
    const upstream = net.connect(nodePort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    base: `https://127.0.0.1:${server.address().port}`,
    stop() { server.close(); agent.destroy(); fs.rmSync(dir, { recursive: true, force: true }); },
  })));
}

/** The roundtable, an open agenda item and Bruno's request to speak on it. */
async function prepareRoom(browser, node) {
  const created = await fetch(`${node.base}/api/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.tokens.secretariat}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: ROOM, kind: 'roundtable', title: 'Financing for development', languages: ['en', 'fr', 'ar'], scope: { level: 'global' } }),
  });
  if (!created.ok) throw new Error(`create room: ${created.status} ${await created.text()}`);
  const page = await browser.newPage();
  await page.goto(`${node.base}/healthz`);
  await page.evaluate(async ({ room, moderator, bruno }) => {
    const session = (token) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws`, 'baraza.v1');
      const waiting = new Map();
      let n = 0;
      const send = (msg) => new Promise((res, rej) => {
        const id = `m${++n}`;
        waiting.set(id, [res, rej]);
        ws.send(JSON.stringify({ ...msg, id }));
      });
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data);
        const w = waiting.get(msg.id);
        if (!w) return;
        waiting.delete(msg.id);
        if (msg.type === 'error') w[1](new Error(`${msg.code}: ${msg.message}`));
        else w[0](msg);
      };
      ws.onerror = () => reject(new Error('websocket'));
      ws.onopen = async () => {
        await send({ type: 'auth', token });
        await send({ type: 'join', room });
        resolve({ ws, command: (command) => send({ type: 'command', room, key: crypto.randomUUID(), command }) });
      };
    });
    const chair = await session(moderator);
    const added = await chair.command({ type: 'add_agenda_item', title: 'Debt and fiscal space' });
    await chair.command({ type: 'open_agenda_item', item: added.seq });
    const other = await session(bruno);
    await other.command({ type: 'request_floor', kind: 'speak' });
    chair.ws.close();
    other.ws.close();
  }, { room: ROOM, moderator: node.tokens.moderator, bruno: node.tokens.bruno });
  await page.close();
}

/** Opens the room on the throttled link; ms from navigation start to usable, and bytes. */
async function openRoom(page, cdp, url) {
  let bytes = 0;
  let requests = 0;
  const started = new Map();
  const onSent = (e) => started.set(e.requestId, [e.timestamp, e.request.url]);
  const onFinished = (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
    if (process.env.TIMELINE && started.has(e.requestId)) {
      const [t, u] = started.get(e.requestId);
      timeline.push(`${(t - t0()).toFixed(2)}s → ${(e.timestamp - t0()).toFixed(2)}s ${e.encodedDataLength} B ${u.replace(/^https?:\/\/[^/]+/, '')}`);
    }
  };
  const timeline = [];
  let first = null;
  const t0 = () => first ?? 0;
  const onAny = (e) => { if (first === null) first = e.timestamp; };
  cdp.on('Network.requestWillBeSent', onAny);
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.loadingFinished', onFinished);
  await page.goto(url, { waitUntil: 'commit' });
  const ms = await (await page.waitForFunction(() => {
    const list = document.querySelector('#speaking-list');
    const ask = document.querySelector('button[data-request="speak"]');
    const usable = list && list.offsetParent !== null && list.querySelector('li[data-user="bruno"]')
      && ask && ask.offsetParent !== null && ask.getAttribute('aria-disabled') !== 'true'
      && document.getElementById('conn')?.dataset.state === 'online';
    return usable ? performance.now() : false;
  }, null, { polling: 20, timeout: 120_000 })).jsonValue();
  cdp.off('Network.loadingFinished', onFinished);
  cdp.off('Network.requestWillBeSent', onSent);
  cdp.off('Network.requestWillBeSent', onAny);
  if (process.env.TIMELINE) console.log(timeline.join('\n'));
  return { ms: Math.round(ms), bytes, requests };
}

async function measure(browser, mode, extra, { h2 = false } = {}) {
  const node = await startNode(extra);
  const proxy = h2 ? await startH2Proxy(Number(new URL(node.base).port)) : null;
  try {
    await prepareRoom(browser, node);
    const url = `${(proxy ?? node).base}/#/rooms/${ROOM}`;
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 800 } });
      await context.addInitScript((token) => sessionStorage.setItem('baraza.token', token), node.tokens.amina);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...LINK });
      const cold = await openRoom(page, cdp, url);
      await page.goto('about:blank');
      const warm = await openRoom(page, cdp, url);
      await context.close();
      runs.push({ cold, warm });
      console.log(`  ${mode} run ${i + 1}: cold ${cold.ms} ms ${cold.bytes} B (${cold.requests} requests), warm ${warm.ms} ms ${warm.bytes} B (${warm.requests} requests)`);
    }
    const summary = (key) => ({
      ms: median(runs.map((r) => r[key].ms)),
      bytes: median(runs.map((r) => r[key].bytes)),
      requests: median(runs.map((r) => r[key].requests)),
    });
    return { mode, flags: extra, http2_tls_proxy: h2, runs, median: { cold: summary('cold'), warm: summary('warm') } };
  } finally {
    proxy?.stop();
    node.stop();
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // The HTTP/2 proxy's certificate is self-signed.
  args: ['--ignore-certificate-errors', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const chromiumVersion = browser.version();
const results = [];
try {
  console.log(`slow 3G: ${LINK.downloadThroughput * 8 / 1000} kbit/s down and up, ${LINK.latency} ms round trip; ${RUNS} runs each; ${BIN}`);
  results.push(await measure(browser, 'before', ['--plain-assets']));
  results.push(await measure(browser, 'after', []));
  results.push(await measure(browser, 'after, HTTP/2 proxy', [], { h2: true }));
} finally {
  await browser.close();
}
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
console.log('\nmedian of', RUNS, 'runs                    time to usable room   bytes over the wire   requests (cache hits included)');
for (const r of results) {
  for (const key of ['cold', 'warm']) {
    const m = r.median[key];
    console.log(`${r.mode.padEnd(20)} ${key}              ${`${(m.ms / 1000).toFixed(2)} s`.padStart(8)}          ${kib(m.bytes).padStart(10)}         ${String(m.requests).padStart(4)}`);
  }
}
const out = path.join(root, 'bench/results', `slow3g-${Math.floor(Date.now() / 1000)}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({
  link: { down_kbps: 400, up_kbps: 400, rtt_ms: LINK.latency },
  runs: RUNS,
  binary: BIN,
  chromium: chromiumVersion,
  when: new Date().toISOString(),
  results,
}, null, 2)}\n`);
console.log(`\nraw runs: ${path.relative(root, out)}\nreproduce: cargo build -p baraza-server && node bench/browser/slow3g.mjs`);
