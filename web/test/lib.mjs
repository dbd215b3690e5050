// Helpers of the real-browser tests: launching Debian's Chromium and Firefox
// ESR through puppeteer-core, running `peer` subprocesses, driving the page.
// go test ./web runs these tests (browser_test.go); see web/README.md.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const PEER = process.env.PEER_BIN || 'peer';
export const CHROMIUM = process.env.PEER_CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.PEER_FIREFOX || '/usr/bin/firefox-esr';
export const RESULTS = process.env.PEER_RESULTS || '';
// SCREENS is where the suites save a screenshot of each screen they go
// through (web/README.md); git ignores it.
export const SCREENS = process.env.PEER_SCREENSHOTS ||
  join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'artifacts', 'screens');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'];

// launch starts a headless browser. kind: 'chromium' | 'firefox'. mdns: keep
// the browsers' default of hiding host addresses behind <uuid>.local names;
// false lists plain addresses. extraArgs: more Chromium flags; prefs:
// more Firefox preferences.
export async function launch(kind, { mdns = true, extraArgs = [], prefs: more = {} } = {}) {
  if (kind === 'chromium') {
    const args = [...CHROMIUM_ARGS, ...extraArgs];
    if (!mdns) args.push('--disable-features=WebRtcHideLocalIpsWithMdns');
    return puppeteer.launch({ browser: 'chrome', executablePath: CHROMIUM, headless: true, args,
      protocolTimeout: 120000 });
  }
  const prefs = {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'media.peerconnection.ice.obfuscate_host_addresses': mdns,
    'media.autoplay.default': 0, // the video call plays the other side's video without a click
    ...more,
  };
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true,
    extraPrefsFirefox: prefs, protocolTimeout: 120000 });
}

// closeAll closes browsers, ignoring ones already gone.
export async function closeAll(...browsers) {
  await Promise.all(browsers.filter(Boolean).map((b) => b.close().catch(() => {})));
}

// GoPeer is a `peer` subprocess whose stdout is collected.
export class GoPeer {
  constructor(args, { stdin = 'pipe' } = {}) {
    this.args = args;
    this.proc = spawn(PEER, args, { stdio: [stdin, 'pipe', 'pipe'] });
    this.out = Buffer.alloc(0);
    this.err = '';
    this.waiters = [];
    this.proc.stdout.on('data', (d) => { this.out = Buffer.concat([this.out, d]); this.poke(); });
    this.proc.stderr.on('data', (d) => { this.err += d; this.poke(); });
    this.exit = new Promise((resolve) => this.proc.on('exit', (code, sig) => { this.code = code; this.sig = sig; this.poke(); resolve(code); }));
  }

  poke() { for (const w of this.waiters.splice(0)) w(); }

  // until waits for pred() to be true, at most ms.
  async until(pred, ms, what) {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`peer ${this.args[0]}: timed out waiting for ${what}; stderr:\n${this.err}`);
      await new Promise((r) => { this.waiters.push(r); setTimeout(r, 200); });
    }
  }

  // firstLine waits for the first line of stdout.
  async firstLine(ms = 20000) {
    await this.until(() => this.out.indexOf(10) >= 0 || this.code !== undefined, ms, 'the first line');
    const i = this.out.indexOf(10);
    if (i < 0) throw new Error(`peer ${this.args[0]} exited (${this.code}) without output; stderr:\n${this.err}`);
    return this.out.subarray(0, i).toString().trim();
  }

  // rest is stdout after its first line.
  rest() {
    const i = this.out.indexOf(10);
    return i < 0 ? Buffer.alloc(0) : this.out.subarray(i + 1);
  }

  write(b) { this.proc.stdin.write(b); }
  end() { this.proc.stdin.end(); }

  async waitExit(ms) {
    await this.until(() => this.code !== undefined || this.sig, ms, 'its exit');
    return this.code;
  }

  // stop ends the process (by its pid) if it still runs.
  async stop() {
    if (this.code === undefined && !this.sig) {
      this.proc.kill('SIGINT');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exit;
      clearTimeout(t);
    }
  }
}

// serve starts `peer serve` and returns it with its URL (stdout's first
// line), the link it prints on stderr (BASE#K-SECRET#P-CODE), its pairing
// secret, the page's URL with the secret, and the headers that carry it.
export async function serve(extra = []) {
  const p = new GoPeer(['serve', ...extra]);
  const url = await p.firstLine();
  if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(url)) throw new Error(`peer serve printed ${url}`);
  p.url = url;
  await p.until(() => /#P-[A-Z2-7]+\n/.test(p.err), 15000, 'the link on stderr');
  takeLink(p, /(http\S+#P-[A-Z2-7]+)\n/.exec(p.err)[1]);
  return p;
}

// takeLink makes link (BASE#K-SECRET#P-CODE) the current one of serve p.
function takeLink(p, link) {
  p.link = link;
  const m = /#K-([A-Z2-7]{26})#/.exec(p.link);
  if (!m) throw new Error(`peer serve's link has no pairing secret: ${p.link}`);
  p.secret = m[1];
  p.pageLink = `${p.url}#K-${p.secret}`;
  p.auth = { Authorization: `Bearer ${p.secret}` };
}

// nextLink waits for serve p to print a link other than its current one
// (it pairs again after a hang-up) and makes it current.
export async function nextLink(p, ms = 30000) {
  const links = () => [...p.err.matchAll(/(http\S+#P-[A-Z2-7]+)\n/g)].map((m) => m[1]);
  await p.until(() => links().at(-1) !== p.link, ms, 'a new link');
  takeLink(p, links().at(-1));
}

// openPage opens the page in a new tab. page.failed lists the requests
// that got an HTTP error (a missing favicon, …).
export async function openPage(browser, url, { width } = {}) {
  const page = await browser.newPage();
  if (width) await page.setViewport({ width, height: 800 });
  page.logs = [];
  page.failed = [];
  page.on('console', (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.logs.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) page.failed.push(`${r.status()} ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.peerApp && window.peerApp.state !== 'loading', { timeout: 15000, polling: 100 });
  return page;
}

export async function state(page) {
  return page.evaluate(() => ({ state: peerApp.state, error: peerApp.error }));
}

// waitState waits until the page reaches state, failing early on 'failed'.
export async function waitState(page, want, ms = 30000) {
  const h = await page.waitForFunction((want) => peerApp.state === want || peerApp.state === 'failed',
    { timeout: ms, polling: 100 }, want);
  const s = await h.jsonValue();
  const st = await state(page);
  if (st.state !== want) throw new Error(`page is ${st.state} (${JSON.stringify(st.error)}), want ${want}; logs: ${page.logs.join(' | ')}`);
  return s;
}

// myCode returns the code the page shows (qr form) and its local SDP.
export async function myCode(page) {
  try {
    await page.waitForFunction(() => (!document.getElementById('mine').hidden && document.getElementById('my-code').value) ||
      peerApp.state === 'failed', { timeout: 20000, polling: 100 });
  } catch (err) {
    throw new Error(`no code shown: ${JSON.stringify(await state(page))}; logs: ${page.logs.join(' | ')}`);
  }
  const st = await state(page);
  if (st.state === 'failed') throw new Error(`page failed: ${JSON.stringify(st)}; logs: ${page.logs.join(' | ')}`);
  return page.evaluate(() => ({
    code: document.getElementById('my-code').value,
    link: document.getElementById('my-link').value,
    qrText: document.getElementById('qr').dataset.text,
    qrVersion: Number(document.getElementById('qr').dataset.version),
    bytes: peerApp.myCode.length,
  }));
}

// click clicks the element sel of page, brought to the front first (a click
// on a background tab of the same browser never ends).
export async function click(page, sel) {
  await page.bringToFront();
  await page.click(sel);
}

// paste types text into the page's code box and presses "Use this code".
export async function paste(page, text) {
  await page.bringToFront(); // a click on a background tab never ends
  await page.evaluate((t) => { document.getElementById('code-input').value = t; }, text);
  await page.click('#btn-use');
}

// localSDP returns the page's local description (to check mDNS vs plain).
export async function localSDP(page) {
  return page.evaluate(() => window.peerApp.localSDP || '');
}

// sendChat types a chat message and submits it through the form.
export async function sendChat(page, text) {
  await page.bringToFront();
  await page.evaluate((t) => { document.getElementById('chat-input').value = t; }, text);
  await page.click('#chat-form button');
}

export async function waitChat(page, text, ms = 15000) {
  await page.waitForFunction((t) => peerApp.chat.some((m) => m.from === 'peer' && m.text === t),
    { timeout: ms, polling: 100 }, text);
}

// sendRandomFile makes n random bytes in the page, sends them as a file and
// returns their SHA-256 (hex).
export async function sendRandomFile(page, name, n, endAfter = true) {
  return page.evaluate(async (name, n, endAfter) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
    await peerApp.sendBytes(name, b, endAfter);
    return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
  }, name, n, endAfter);
}

// receivedFile waits for a file and returns {name, size, sha}.
export async function receivedFile(page, name, ms = 30000) {
  await page.waitForFunction((name) => peerApp.files.some((f) => f.name === name), { timeout: ms, polling: 100 }, name);
  return page.evaluate(async (name) => {
    const f = peerApp.files.find((f) => f.name === name);
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', f.bytes));
    return { name: f.name, size: f.bytes.length, sha: Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('') };
  }, name);
}

// receivedStream waits for the peer's end of stream and returns the SHA-256
// and size of the stream's bytes outside files.
export async function receivedStream(page, ms = 30000) {
  await page.waitForFunction(() => peerApp.peerEnded, { timeout: ms, polling: 100 });
  return page.evaluate(async () => {
    const b = peerApp.streamAll();
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
    return { size: b.length, sha: Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('') };
  });
}

export const sha256 = (b) => createHash('sha256').update(b).digest('hex');
export const rand = (n) => randomBytes(n);
export const tag = () => randomBytes(4).toString('hex');

// candidateKinds tells which host candidates an SDP lists.
export function candidateKinds(sdp) {
  const c = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  return { mdns: c.some((l) => /\s[0-9a-f-]+\.local\s/i.test(l)), plain: c.some((l) => /\s\d+\.\d+\.\d+\.\d+\s|\s[0-9a-f]*:[0-9a-f:]+\s/i.test(l)), n: c.length };
}

// screenshot saves the whole page as SCREENS/name.png.
export async function screenshot(page, name) {
  mkdirSync(SCREENS, { recursive: true });
  await page.bringToFront(); // a background tab draws no frame
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  return { dir: d, remove: () => rmSync(d, { recursive: true, force: true }) };
}
