// A lost peer between two pages (issue 15: "a lost peer within the
// dead-peer deadline"): two pages connect through codes, only through a
// TURN server (js/internal/turnrelay, iceTransportPolicy 'relay'), with a
// short dead-peer deadline and no restart (PeerConnection without
// restartable, so the deadline closes the connection). First the
// connection idles, no message either way, for 3 × the deadline: KEEPALIVE
// (FRAMING.md §2) must keep it open. Then a message each way, and the TURN
// server's socket is cut: each page must close 'unreachable' no later than
// the deadline + 1 s after the cut, and not before the deadline - 0.5 s
// (its last frame arrived just before the cut: an earlier close would be
// premature). The times are logged per page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line } from './introducer.mjs';

const TURNRELAY = process.env.PEER_TURNRELAY_BIN || 'turnrelay';
const DEADLINE = 5000; // deadPeerTimeout, its least value
const LATE = 1000, EARLY = 500; // the bounds around the deadline, after the cut
// patient: false: a TURN allocation drops what comes from an address it has
// no permission for, so the answerer needs the offer's candidates at once.
const OPTS = { patient: false, deadPeerTimeout: DEADLINE };
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// connectPages connects connection c of pages a (offering) and b, both
// recording the wall-clock time of their close (T.conns.c.closeWall).
async function connectPages(a, b, opts) {
  for (const p of [a, b]) {
    await p.evaluate((o) => {
      const r = T.make('c', o);
      r.c.on('close', () => { r.closeWall = Date.now(); });
    }, opts);
  }
  const offer = await a.evaluate(() => T.conns.c.c.offer());
  const answer = await b.evaluate((x) => T.conns.c.c.connect(x), offer);
  await a.evaluate((x) => T.conns.c.c.connect(x), answer);
  await H.waitOpen(a, 'c');
  await H.waitOpen(b, 'c');
  for (const p of [a, b]) {
    const sdp = await p.evaluate(() => T.conns.c.c.pc.localDescription.sdp);
    assert.match(sdp, /typ relay/, 'relay candidates');
    assert.doesNotMatch(sdp, /typ host/, 'relay candidates only');
  }
}

// exchange sends msg from page from to page to and waits for it there.
async function exchange(from, to, msg) {
  await from.evaluate((m) => T.conns.c.c.send(m), msg);
  await H.until(to, (m) => T.conns.c.msgs.some((x) => new TextDecoder().decode(x) === m), msg, 5000);
}

const state = (p) => p.evaluate(() => ({ close: T.conns.c.close, closeWall: T.conns.c.closeWall, errors: T.conns.c.errors }));

for (const kinds of [['chromium', 'chromium'], ['chromium', 'firefox'], ['firefox', 'firefox']]) {
  const pair = kinds.join(' and ');
  test(`${pair}: an idle connection stays open, a lost one closes 'unreachable' at the dead-peer deadline`, { timeout: 120000 }, async () => {
    const relay = new H.Proc(TURNRELAY, []);
    const bs = [];
    try {
      const [addr, username, credential] = (await line(relay, 'turn ')).split(' ');
      const opts = { ...OPTS, iceTransportPolicy: 'relay', iceServers: [{ urls: `turn:${addr}?transport=udp`, username, credential }] };
      const pages = [];
      for (const k of kinds) {
        // Firefox gathers no relay candidate from a TURN server on loopback
        // unless it may use the loopback interface.
        bs.push(await H.launch(k, { mdns: false, prefs: { 'media.peerconnection.ice.loopback': true } }));
        pages.push(await H.openTestPage(bs.at(-1), server.url));
      }
      const [a, b] = pages;
      await connectPages(a, b, opts);

      // Idle: no message for 3 × the deadline; KEEPALIVE keeps it open.
      await sleep(3 * DEADLINE);
      for (const [i, p] of pages.entries()) {
        const st = await state(p);
        assert.equal(st.close, null, `${kinds[i]}: an idle live connection closed (${JSON.stringify(st)}); logs: ${p.logs.join(' | ')}`);
      }
      await exchange(a, b, 'ping');
      await exchange(b, a, 'pong');

      const cut = Date.now();
      relay.write('cut\n');
      await line(relay, 'cut');
      for (const p of pages) await H.until(p, () => T.conns.c.close, undefined, DEADLINE + 10000);
      const times = [];
      for (const [i, p] of pages.entries()) {
        const st = await state(p);
        const ms = st.closeWall - cut;
        times.push(`${kinds[i]} ${i ? 'answerer' : 'offerer'} ${ms} ms`);
        assert.equal(st.close, 'unreachable', `${kinds[i]}: closed ${JSON.stringify(st)}`);
        assert.ok(ms <= DEADLINE + LATE, `${kinds[i]}: unreachable ${ms} ms after the cut, later than the deadline (${DEADLINE} ms) + ${LATE} ms`);
        assert.ok(ms >= DEADLINE - EARLY, `${kinds[i]}: unreachable ${ms} ms after the cut, before the deadline (${DEADLINE} ms) - ${EARLY} ms: premature`);
      }
      console.log(`${pair}: idle ${3 * DEADLINE} ms open; after the cut, unreachable: ${times.join(', ')} (deadPeerTimeout ${DEADLINE} ms)`);
    } finally {
      await H.closeAll(...bs);
      await relay.stop();
    }
  });
}
