// Helpers of the library's real-browser suites: a static server for js/
// (the library's sources and dist, and page.html), browsers launched as the
// web page's tests launch them (web/test/lib.mjs, puppeteer-core from
// web/node_modules), and `peer` processes (ref/, Go).
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoPeer } from '../../web/test/lib.mjs';
export { launch, closeAll, GoPeer, sha256, rand, PEER } from '../../web/test/lib.mjs';

// todo gives a test's options for a known browser problem (a node:test
// todo: reported, never failing the suite) with reason. Such a test spends
// its long timeouts failing on most runs and proves nothing a passing test
// needs, so it runs only with PEER_TODO=1 (js/README.md); otherwise it is
// reported as skipped, with how to run it.
export function todo(reason) {
  return process.env.PEER_TODO === '1' ? { todo: reason } : { skip: `a todo, run with PEER_TODO=1: ${reason}` };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html' };

// serveJS serves js/ on 127.0.0.1 (a secure context: getUserMedia works)
// and resolves with {url, close}.
export function serveJS() {
  const srv = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.includes('..') || !/^\/(src|dist|btest)\//.test(path)) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'Content-Type': TYPES[path.slice(path.lastIndexOf('.'))] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${srv.address().port}/`, close: () => new Promise((r) => srv.close(r)) });
  }));
}

// openTestPage opens page.html in browser b; page.logs collects its console.
export async function openTestPage(b, url, query = '') {
  const page = await b.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.logs.push(`pageerror: ${e.message}`));
  await page.goto(`${url}btest/page.html${query}`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.ready === true, { timeout: 15000, polling: 50 });
  return page;
}

// until polls page until fn(arg) is truthy and returns its value.
export async function until(page, fn, arg, ms = 30000) {
  const h = await page.waitForFunction(fn, { timeout: ms, polling: 50 }, arg);
  return h.jsonValue();
}

// waitOpen waits until connection name on page opens, failing with its
// close reason and the page's console if it closes first.
export async function waitOpen(page, name, ms = 60000) {
  await until(page, (n) => T.conns[n] && (T.conns[n].connectAt || T.conns[n].close), name, ms);
  const st = await page.evaluate((n) => ({ close: T.conns[n].close, errors: T.conns[n].errors }), name);
  if (st.close) throw new Error(`${name} closed (${st.close}) before it opened; errors ${st.errors}; logs: ${page.logs.join(' | ')}`);
}

// qrVersion is the QR version (level L) of a code in the qr form (P:…,
// alphanumeric), as the web page draws it (qrcode-generator from web/).
export async function qrVersion(text) {
  const { default: qrcode } = await import('../../web/node_modules/qrcode-generator/dist/qrcode.mjs');
  const qr = qrcode(0, 'L');
  qr.addData(text, 'Alphanumeric');
  qr.make();
  return (qr.getModuleCount() - 17) / 4;
}

// Proc is a Go program of this repository other than `peer` (bin, args),
// with GoPeer's helpers: out, err, until, write, stop.
export class Proc extends GoPeer {
  constructor(bin, args) {
    super(['help']); // a GoPeer; its process is replaced at once, unheard
    for (const s of [this.proc, this.proc.stdout, this.proc.stderr]) s.removeAllListeners();
    this.proc.kill('SIGKILL');
    this.args = [bin, ...args];
    this.out = Buffer.alloc(0);
    this.err = '';
    this.code = undefined;
    this.sig = undefined;
    this.proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => { this.out = Buffer.concat([this.out, d]); this.poke(); });
    this.proc.stderr.on('data', (d) => { this.err += d; this.poke(); });
    this.exit = new Promise((resolve) => this.proc.on('exit', (code, sig) => { this.code = code; this.sig = sig; this.poke(); resolve(code); }));
  }
}
