// Media through an ICE restart after a network cut: two pages (fake audio
// and video devices) connect only through a TURN server
// (js/internal/turnrelay, iceTransportPolicy 'relay'), each sending an
// audio and a video track. The TURN server's socket is cut: both pages
// report 'unreachable' at the dead-peer deadline and no RTP arrives; the
// network comes back and the pages restart ICE (PeerConnection's
// restartOffer, restartAnswer, completeRestart, new relay allocations):
// on each side the inbound-rtp packetsReceived (audio and video) and
// framesDecoded (video) grow again, on the same connection and tracks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line } from './introducer.mjs';
import { launchMedia, relayOptions, grows, still, sleep, ZERO, mediaConn } from './media.mjs';

const TURNRELAY = process.env.PEER_TURNRELAY_BIN || 'turnrelay';
// patient: false: a TURN allocation drops what comes from an address it has
// no permission for, so the answerer needs the offer's candidates at once.
const OPTS = { restartable: true, patient: false, deadPeerTimeout: 5000, restartTimeout: 30000 };
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// restart restarts the pages' connection, offered by o, and waits until
// both sides see it connected (5 s at most).
async function restart(o, a) {
  const ro = await o.evaluate(() => T.conns.c.c.restartOffer());
  const ra = await a.evaluate((x) => T.conns.c.c.restartAnswer(x), ro);
  await o.evaluate((x) => T.conns.c.c.completeRestart(x), ra);
  const done = await Promise.all([o, a].map((p) => p.evaluate((ms) => Promise.race([
    T.conns.c.c.waitRestart().then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]), 5000)));
  return done.every(Boolean);
}

for (const kinds of [['chromium', 'chromium'], ['chromium', 'firefox']]) {
  test(`${kinds[0]} and ${kinds[1]}: audio and video flow again after a network cut and an ICE restart`, { timeout: 180000 }, async () => {
    const relay = new H.Proc(TURNRELAY, []);
    const bs = [];
    try {
      const opts = { ...OPTS, ...relayOptions(await line(relay, 'turn ')) };
      const pages = [];
      for (const k of kinds) {
        bs.push(await launchMedia(k));
        pages.push(await H.openTestPage(bs.at(-1), server.url));
      }
      for (const p of pages) await mediaConn(p, opts);
      const [a, c] = pages;
      const offer = await a.evaluate(() => T.conns.c.c.offer());
      const answer = await c.evaluate((x) => T.conns.c.c.connect(x), offer);
      await a.evaluate((x) => T.conns.c.c.connect(x), answer);
      await H.waitOpen(a, 'c');
      await H.waitOpen(c, 'c');
      for (const p of pages) {
        const sdp = await p.evaluate(() => T.conns.c.c.pc.localDescription.sdp);
        assert.match(sdp, /typ relay/, 'relay candidates');
        assert.doesNotMatch(sdp, /typ host/, 'relay candidates only');
      }
      for (const p of pages) await grows(p, ZERO);
      await sleep(1000);

      const t0 = Date.now();
      relay.out = Buffer.alloc(0);
      relay.write('cut\n');
      await line(relay, 'cut');
      for (const p of pages) await H.until(p, () => T.conns.c.restart.length > 0 || T.conns.c.close, undefined, 40000);
      for (const p of pages) {
        const st = await p.evaluate(() => ({ ev: T.conns.c.restart, close: T.conns.c.close }));
        assert.ok(st.close === null && /^unreachable@/.test(st.ev[0]), `unreachable, not closed: ${JSON.stringify(st)}`);
      }
      const cut = await still(pages);
      console.log(`${kinds.join(' and ')}: both unreachable ${Date.now() - t0} ms after the cut; inbound-rtp then ${JSON.stringify(cut)}`);

      relay.write('up\n');
      await line(relay, 'up');
      const t1 = Date.now();
      let tries = 0;
      for (const [o, x] of [[a, c], [c, a], [a, c]]) {
        tries++;
        if (await restart(o, x)) break;
        assert.ok(tries < 3, 'the restart connected within 3 tries');
      }
      const ms = Date.now() - t1;
      const after = [];
      for (const [i, p] of pages.entries()) after.push(await grows(p, cut[i]));
      // And they keep growing.
      await sleep(2000);
      const later = [];
      for (const [i, p] of pages.entries()) later.push(await grows(p, after[i], 5000));
      console.log(`${kinds.join(' and ')}: restart connected ${ms} ms after the network came back (${tries} tries); inbound-rtp ${JSON.stringify(after)}, 2 s later ${JSON.stringify(later)}`);
      for (const p of pages) {
        const r = await p.evaluate(() => ({ n: T.conns.c.c.restarts, close: T.conns.c.close, tracks: T.conns.c.tracks.slice().sort() }));
        assert.ok(r.n >= 1 && r.close === null, `the same connection, restarted: ${JSON.stringify(r)}`);
        assert.deepEqual(r.tracks, ['audio', 'video']);
      }
    } finally {
      await H.closeAll(...bs);
      await relay.stop();
    }
  });
}
