// How long a browser answerer waits for the offerer to apply its answer.
// A Go offerer (`peer serve`) makes an offer; the page answers it at once
// (its ICE checks start then); the test applies the answer to the Go
// offerer (POST /api/answer) only after a delay, increasing from 10 s, all
// delays in parallel, and reports the largest delay that still connected.
// web/README.md states the result.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.mjs';

const DELAYS = (process.env.PEER_WAIT_DELAYS || '10,20,30,40,50,60,90').split(',').map(Number);
const results = {};
after(() => { if (L.RESULTS) writeFileSync(join(L.RESULTS, 'wait.json'), JSON.stringify(results, null, 2)); });

async function trial(browser, pageURL, delay) {
  const go = await L.serve();
  try {
    const j = await (await fetch(go.url + 'api/offer')).json();
    const page = await L.openPage(browser, pageURL);
    await L.paste(page, j.code);
    const answer = await L.myCode(page);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, delay * 1000));
    const r = await fetch(go.url + 'api/answer', { method: 'POST', body: answer.code });
    if (r.status !== 204) return { delay, connected: false, why: `peer serve: HTTP ${r.status}` };
    try {
      await page.waitForFunction(() => peerApp.state === 'connected' || peerApp.state === 'failed', { timeout: 30000, polling: 200 });
    } catch { /* timed out */ }
    const st = await L.state(page);
    await page.close().catch(() => {});
    return { delay, connected: st.state === 'connected', after: Math.round((Date.now() - t0) / 1000), why: st.error?.message };
  } finally {
    await go.stop();
  }
}

test('browser answerers wait for the offerer to apply their answer', { timeout: (Math.max(...DELAYS) + 120) * 1000 }, async (t) => {
  const srv = await L.serve();
  const browsers = {};
  try {
    await Promise.all(['chromium', 'firefox'].map(async (kind) => {
      const b = browsers[kind] = await L.launch(kind, { mdns: false });
      const url = srv.url + '?wait=3600000';
      const rs = await Promise.all(DELAYS.map((d) => trial(b, url, d)));
      const ok = rs.filter((r) => r.connected).map((r) => r.delay);
      results[kind] = { trials: rs, largestConnected: ok.length ? Math.max(...ok) : 0 };
      t.diagnostic(`${kind}: connected after a delay of ${ok.join(', ') || 'none'} s; largest ${results[kind].largestConnected} s`);
    }));
    for (const kind of ['chromium', 'firefox']) {
      assert.ok(results[kind].largestConnected >= 10, `${kind} connected with no delay of 10 s or more: ${JSON.stringify(results[kind])}`);
    }
  } finally {
    await L.closeAll(...Object.values(browsers));
    await srv.stop();
  }
});
