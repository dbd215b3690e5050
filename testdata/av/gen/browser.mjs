// The browser helper of the audio/video description generator
// (internal/avgen starts it inside a network namespace):
//
//   node testdata/av/gen/browser.mjs chromium|firefox real|mdns
//
// It launches Debian's Chromium or Firefox ESR headless through
// web/node_modules' puppeteer-core, with fake camera and microphone, and
// answers JSON requests, one per line on stdin, with one JSON line on stdout:
//
//   {"op":"version"}                          -> {"ok":true,"version":"..."}
//   {"op":"offer","id":"k","scenario":"av"}   -> {"ok":true,"sdp":"..."}
//   {"op":"answer","id":"k","scenario":"av","sdp":"<offer>"}  -> {"ok":true,"sdp":"..."}
//   {"op":"accept","id":"k","sdp":"<answer>"} -> {"ok":true,"state":"stable"}
//   {"op":"close","id":"k"}                   -> {"ok":true}
//
// A failure is {"ok":false,"error":"..."}. Each id is one peer connection in
// its own page and browser context. Mode real lists host addresses (Chromium
// --disable-features=WebRtcHideLocalIpsWithMdns, Firefox
// media.peerconnection.ice.obfuscate_host_addresses=false); mode mdns keeps
// the browsers' default of <uuid>.local names. It exits when stdin ends.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const here = new URL('.', import.meta.url);
const require = createRequire(new URL('../../../web/package.json', import.meta.url));
const puppeteer = (await import(pathToFileURL(require.resolve('puppeteer-core')).href)).default;

const CHROMIUM = process.env.PEER_CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.PEER_FIREFOX || '/usr/bin/firefox-esr';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--use-fake-device-for-media-stream',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE *.local'];

const [kind, mode] = process.argv.slice(2);
if (!['chromium', 'firefox'].includes(kind) || !['real', 'mdns'].includes(mode)) {
  process.stderr.write('usage: browser.mjs chromium|firefox real|mdns\n');
  process.exit(2);
}

// launch starts the browser. Chromium's --use-fake-ui-for-media-stream
// reports camera and microphone as granted to every page, and Chromium shows
// host addresses to a page that holds that permission: in mode mdns the flag
// is left out and the permission is granted per page, only to pages that
// call getUserMedia (needsMedia).
function launch() {
  if (kind === 'chromium') {
    const args = [...CHROMIUM_ARGS];
    if (mode === 'real') args.push('--use-fake-ui-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns');
    return puppeteer.launch({ browser: 'chrome', executablePath: CHROMIUM, headless: true, args, protocolTimeout: 120000 });
  }
  const prefs = {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'media.peerconnection.ice.obfuscate_host_addresses': mode === 'mdns',
    'app.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'services.settings.server': 'http://127.0.0.1:9/',
  };
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true,
    extraPrefsFirefox: prefs, protocolTimeout: 120000 });
}

// serve serves the page (index.html loading page.js) on loopback: a secure
// context, as getUserMedia needs.
async function serve() {
  const js = readFileSync(new URL('page.js', here));
  const html = '<!doctype html><meta charset="utf-8"><title>avgen</title><script src="page.js"></script>';
  const srv = http.createServer((req, res) => {
    if (req.url === '/page.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(js);
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end(html);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  srv.origin = `http://127.0.0.1:${srv.address().port}`;
  return srv;
}

// needsMedia reports whether the request makes the page call getUserMedia.
function needsMedia(req) {
  if (req.op === 'offer') return !['recvonly', 'data'].includes(req.scenario);
  return /^m=(audio|video) /m.test(req.sdp || '');
}

const browser = await launch();
const srv = await serve();
const conns = new Map(); // id -> { ctx, page }

async function open(req) {
  if (conns.has(req.id)) throw new Error(`id ${req.id} in use`);
  const ctx = await browser.createBrowserContext();
  if (kind === 'chromium' && mode === 'mdns' && needsMedia(req)) {
    await ctx.overridePermissions(srv.origin, ['camera', 'microphone']);
  }
  const page = await ctx.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(e.message));
  await page.goto(`${srv.origin}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.avgen !== undefined, { timeout: 15000 });
  const c = { ctx, page, logs };
  conns.set(req.id, c);
  return c;
}

function conn(id) {
  const c = conns.get(id);
  if (!c) throw new Error(`no connection ${id}`);
  return c;
}

async function handle(req) {
  switch (req.op) {
    case 'version':
      return { version: await browser.version() };
    case 'offer': {
      const c = await open(req);
      return { sdp: await c.page.evaluate((s) => window.avgen.offer(s), req.scenario) };
    }
    case 'answer': {
      const c = await open(req);
      return { sdp: await c.page.evaluate((s, sc) => window.avgen.answer(s, sc), req.sdp, req.scenario) };
    }
    case 'reoffer':
      return { sdp: await conn(req.id).page.evaluate((s) => window.avgen.reoffer(s), req.scenario) };
    case 'reanswer':
      return { sdp: await conn(req.id).page.evaluate((s, sc) => window.avgen.reanswer(s, sc), req.sdp, req.scenario) };
    case 'accept':
      return { state: await conn(req.id).page.evaluate((s) => window.avgen.accept(s), req.sdp) };
    case 'close': {
      const c = conn(req.id);
      conns.delete(req.id);
      await c.ctx.close();
      return {};
    }
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let reply;
  try {
    reply = { ok: true, ...(await handle(JSON.parse(line))) };
  } catch (err) {
    reply = { ok: false, error: String(err && err.message ? err.message : err).split('\n')[0] };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
await browser.close().catch(() => {});
srv.close();
