// How long a browser answerer waits for the offerer to apply its answer.
// A Go offerer (`peer serve`) makes an offer; the page answers it at once
// (its ICE checks start then); the test applies the answer to the Go
// offerer (POST /api/answer) only after a delay, increasing from 5 s until a
// trial fails (or 60 s), and reports the largest delay that still connected
// and when the browser gave up. Chromium and Firefox run side by side, one
// trial at a time each (a background tab would be throttled).
// web/README.md states the result.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.mjs';

const DELAYS = (process.env.PEER_WAIT_DELAYS || '5,10,15,20,25,30,40,50,60').split(',').map(Number);
const results = {};
after(() => { if (L.RESULTS) writeFileSync(join(L.RESULTS, 'wait.json'), JSON.stringify(results, null, 2)); });

async function trial(browser, pageURL, delay) {
  const go = await L.serve();
  const page = await L.openPage(browser, pageURL);
  try {
    const j = await (await fetch(go.url + 'api/offer')).json();
    await L.paste(page, j.code);
    await L.myCode(page);
    const t0 = await page.evaluate(() => peerApp.answeredAt);
    const wait = t0 + delay * 1000 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    const r = await fetch(go.url + 'api/answer', { method: 'POST', body: await page.$eval('#my-code', (e) => e.value) });
    if (r.status !== 204) return { delay, connected: false, why: `peer serve: HTTP ${r.status}` };
    try {
      await page.waitForFunction(() => peerApp.state === 'connected' || peerApp.state === 'failed', { timeout: 30000, polling: 200 });
    } catch { /* timed out */ }
    const st = await page.evaluate(() => ({ state: peerApp.state, error: peerApp.error, gaveUp: peerApp.failedAt ? (peerApp.failedAt - peerApp.answeredAt) / 1000 : null }));
    return { delay, connected: st.state === 'connected', gaveUpAfter: st.gaveUp, why: st.error?.message };
  } finally {
    await page.close().catch(() => {});
    await go.stop();
  }
}

test('browser answerers wait for the offerer to apply their answer', { timeout: 600000 }, async (t) => {
  const srv = await L.serve();
  const browsers = {};
  try {
    await Promise.all(['chromium', 'firefox'].map(async (kind) => {
      const b = browsers[kind] = await L.launch(kind, { mdns: false });
      const url = srv.url + '?wait=3600000';
      const trials = [];
      for (const d of DELAYS) {
        const r = await trial(b, url, d);
        trials.push(r);
        t.diagnostic(`${kind}: answer applied after ${d} s: ${r.connected ? 'connected' : `failed (gave up after ${r.gaveUpAfter} s)`}`);
        if (!r.connected) break;
      }
      const ok = trials.filter((r) => r.connected).map((r) => r.delay);
      const failed = trials.find((r) => !r.connected);
      results[kind] = { trials, largestConnected: ok.length ? Math.max(...ok) : 0, gaveUpAfter: failed?.gaveUpAfter ?? null };
    }));
    for (const kind of ['chromium', 'firefox']) {
      assert.ok(results[kind].largestConnected >= 5, `${kind} did not connect with a delay of 5 s: ${JSON.stringify(results[kind])}`);
    }
  } finally {
    await L.closeAll(...Object.values(browsers));
    await srv.stop();
  }
});
