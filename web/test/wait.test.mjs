// How long a browser answerer waits for the offerer to apply its answer.
// A Go offerer (`peer serve`) makes an offer; the page answers it at once;
// the test applies the answer to the Go offerer (POST /api/answer) only
// after a delay, and reports whether the page connected, when it gave up,
// and the ICE states it went through.
//
// - old: the page answering the old way (?patient=0: the offer's candidates
//   applied, ICE checks from the start), delays increasing from 5 s until a
//   trial fails; reports the largest delay that still connected.
// - patient: the page's default (the offer applied without its candidates,
//   app.js patientOffer; Firefox dripping them, app.js drip), one long delay
//   (PEER_PATIENT_DELAYS, a ladder stopping at the first failure; 90 s), with
//   mDNS names and with plain addresses.
//
// Every series runs in its own browser, all side by side, one trial at a
// time each (a background tab would be throttled). web/README.md states the
// results.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.mjs';

const list = (s) => s.split(',').filter(Boolean).map(Number);
const OLD_DELAYS = list(process.env.PEER_WAIT_DELAYS ?? '5,10,15,20,25,30,40,50,60');
const PATIENT_DELAYS = list(process.env.PEER_PATIENT_DELAYS ?? '90');
const results = {};
after(() => { if (L.RESULTS) writeFileSync(join(L.RESULTS, 'wait.json'), JSON.stringify(results, null, 2)); });

// ICE_LOG records, in the page, the ICE and connection states with their
// times (trial turns them into seconds since the page answered).
const ICE_LOG = () => {
  const Orig = window.RTCPeerConnection;
  window.iceLog = [];
  window.RTCPeerConnection = function (...a) {
    const pc = new Orig(...a);
    const log = (what) => () => window.iceLog.push({
      at: Date.now(), [what]: what === 'ice' ? pc.iceConnectionState : pc.connectionState,
    });
    pc.addEventListener('iceconnectionstatechange', log('ice'));
    pc.addEventListener('connectionstatechange', log('conn'));
    return pc;
  };
  window.RTCPeerConnection.prototype = Orig.prototype;
};

async function trial(browser, pageURL, delay) {
  const go = await L.serve();
  const page = await browser.newPage();
  try {
    await page.evaluateOnNewDocument(ICE_LOG);
    page.logs = [];
    await page.goto(pageURL, { waitUntil: 'load' });
    await page.waitForFunction(() => window.peerApp && window.peerApp.state !== 'loading', { timeout: 15000, polling: 100 });
    const j = await (await fetch(go.url + 'api/offer', { headers: go.auth })).json();
    await L.paste(page, j.code);
    await L.myCode(page);
    const { answeredAt: t0, patient } = await page.evaluate(() => ({ answeredAt: peerApp.answeredAt, patient: peerApp.patient }));
    const wait = t0 + delay * 1000 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    const before = await page.evaluate(() => peerApp.state);
    const r = await fetch(go.url + 'api/answer', { method: 'POST', headers: go.auth, body: await page.$eval('#my-code', (e) => e.value) });
    if (r.status !== 204) return { delay, patient, connected: false, why: `peer serve: HTTP ${r.status}` };
    const applied = (Date.now() - t0) / 1000;
    try {
      await page.waitForFunction(() => peerApp.state === 'connected' || peerApp.state === 'failed', { timeout: 30000, polling: 200 });
    } catch { /* timed out */ }
    const st = await page.evaluate(() => ({ state: peerApp.state, error: peerApp.error, iceLog: window.iceLog,
      gaveUp: peerApp.failedAt ? (peerApp.failedAt - peerApp.answeredAt) / 1000 : null }));
    for (const e of st.iceLog) { e.t = (e.at - t0) / 1000; delete e.at; }
    return { delay, patient, connected: st.state === 'connected', stateWhenApplied: before,
      connectedAfterApply: st.state === 'connected' ? (st.iceLog.find((e) => e.conn === 'connected')?.t ?? 0) - applied : null,
      gaveUpAfter: st.gaveUp, why: st.error?.message, ice: st.iceLog };
  } finally {
    await page.close().catch(() => {});
    await go.stop();
  }
}

const fmt = (e) => `${e.ice ? 'ice' : 'conn'}=${e.ice ?? e.conn}@${e.t}s`;

// series runs trials at increasing delays in one browser until one fails.
async function series(t, name, kind, mdns, query, delays) {
  const b = await L.launch(kind, { mdns });
  const srv = await L.serve();
  try {
    const trials = [];
    for (const d of delays) {
      const r = await trial(b, srv.url + query, d);
      trials.push(r);
      t.diagnostic(`${name}: answer applied after ${d} s: ${r.connected
        ? `connected (${r.connectedAfterApply?.toFixed(1)} s after)`
        : `failed (gave up after ${r.gaveUpAfter} s: ${r.why})`}; ${r.ice.map(fmt).join(' ')}`);
      if (!r.connected) break;
    }
    const ok = trials.filter((r) => r.connected).map((r) => r.delay);
    const failed = trials.find((r) => !r.connected);
    results[name] = { trials, largestConnected: ok.length ? Math.max(...ok) : 0, gaveUpAfter: failed?.gaveUpAfter ?? null };
  } finally {
    await L.closeAll(b);
    await srv.stop();
  }
}

test('browser answerers wait for the offerer to apply their answer', { timeout: 600000 }, async (t) => {
  const runs = [];
  for (const kind of ['chromium', 'firefox']) {
    if (OLD_DELAYS.length) runs.push([`${kind} old plain`, kind, false, '?patient=0&wait=3600000', OLD_DELAYS]);
    for (const mdns of [true, false]) {
      if (PATIENT_DELAYS.length) runs.push([`${kind} patient ${mdns ? 'mdns' : 'plain'}`, kind, mdns, '?wait=3600000', PATIENT_DELAYS]);
    }
  }
  await Promise.all(runs.map((r) => series(t, ...r)));
  for (const [name, , , query, delays] of runs) {
    const r = results[name];
    if (query.includes('patient=0')) {
      assert.ok(r.largestConnected >= 5, `${name} did not connect with a delay of 5 s: ${JSON.stringify(r)}`);
    } else {
      assert.equal(r.largestConnected, Math.max(...delays), `${name} did not connect with every delay: ${JSON.stringify(r)}`);
      assert.ok(r.trials.every((x) => x.patient), `${name} did not answer patiently`);
    }
  }
});
