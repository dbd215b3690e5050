// Media through a Peer's own ICE restart (IDENTITY.md §8.2): two pages'
// Peers, each with a fake audio and video track, pair with a Go peer B
// (js/internal/introducer) by code, then with each other by code; the
// pages' connection is restartable and runs only through a TURN server
// (js/internal/turnrelay, iceTransportPolicy 'relay'). The TURN server's
// socket is cut: both Sessions are 'reconnecting' at the dead-peer
// deadline and no RTP arrives; the network comes back and the initiator
// (the lower ID: the page that offered the code, kinds[0]) restarts ICE by
// itself, its signed offer and the answer carried by B. Both sides are
// 'reconnected' on the same Session, connection and verified IDs, and
// inbound-rtp packetsReceived (audio and video) and framesDecoded (video)
// grow again on the same tracks; messages flow both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line, pairGo, openOrdered } from './introducer.mjs';
import { launchMedia, relayOptions, inbound, grows, still, sleep, ZERO } from './media.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
const TURNRELAY = process.env.PEER_TURNRELAY_BIN || 'turnrelay';
// The pages' connection (Pairing's conn options): patient false as in
// mediarestart.suite.mjs (a TURN allocation drops what comes from an
// address it has no permission for). Their connections with B keep the
// defaults.
const CONN = { restartable: true, patient: false, deadPeerTimeout: 5000, restartTimeout: 30000 };
const EVENTS = ['joined', 'reconnecting', 'reconnected', 'left', 'restart-failed', 'redialing'];
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// prepare records the page Peer's session events (T.ev), and makes its
// pairing with the other page (T.ac) with conn options o, a fake audio
// and video track, and the tracks it receives (T.tracks).
const prepare = (page, o) => page.evaluate(async (conn, events) => {
  T.ev = [];
  for (const e of events) T.peer.on(e, (s, x) => T.ev.push({ e, id: s.idText, at: Date.now(), x: x?.class ? `${x.class}: ${x.message}` : x }));
  T.ac = T.peer.pair({ conn });
  T.mediaPC = T.ac.conn.pc;
  T.tracks = [];
  T.ac.conn.on('track', (t) => T.tracks.push(`${t.kind} ${t.id}`));
  T.ac.conn.on('close', () => { T.ac.conn.closedAt = Date.now(); });
  const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const t of s.getTracks()) T.ac.conn.addTrack(t, s);
}, o, EVENTS);

// has waits until the page's T.ev has event e for the peer id (or 'left').
const has = (page, e, id, ms) => H.until(page, ([ev, x]) => T.ev.some((r) => (r.e === ev && r.id === x) || r.e === 'left'), [e, id], ms);

// message sends text from page p's session T.s and waits for it at q.
async function message(p, q, pID, text) {
  await p.evaluate((m) => T.s.send(m), text);
  await H.until(q, (want) => T.got.includes(want), `${pID}: ${text}`, 15000);
}

// Chromium offering to Firefox was a todo until restart.js's hasCandidate
// (3 of 3 runs failed on 2026-12-07): the initiator offered its restart
// at the dead-peer deadline, while the TURN server was still cut, so the
// offer's gathering ended at gatherTimeout without a relay candidate and
// its code carried none. Chromium, which kept its old relay pair once the
// network was back, saw the restart connected; Firefox's new ICE agent
// had nothing to check (its TURN allocation dropped Chromium's checks from
// an address it never got), and its own restart offer 5 s later (the
// Peer's RESPONDER_FALLBACK) failed its ICE at once and ended the SCTP
// association: the session came back only by a fresh connection, without
// the media tracks. A restart offer without a candidate is now rolled
// back, never sent, and the initiator offers again 1 s later.
for (const kinds of [['chromium', 'chromium'], ['chromium', 'firefox'], ['firefox', 'chromium']]) {
  test(`${kinds[0]} (offerer, lower ID) and ${kinds[1]} Peers: audio and video flow again after a network cut, by the Peer's own ICE restart`, { timeout: 240000 }, async () => {
    const relay = new H.Proc(TURNRELAY, []);
    const b = new H.Proc(INTRODUCER, []);
    const bs = [];
    try {
      const conn = { ...CONN, ...relayOptions(await line(relay, 'turn ')) };
      const bID = await line(b, 'id ');
      const pages = [];
      for (const k of kinds) {
        bs.push(await launchMedia(k));
        pages.push(await H.openTestPage(bs.at(-1), server.url));
      }
      const [a, c] = pages;
      const ids = await openOrdered(a, c);
      const [aID, cID] = ids;
      for (const p of pages) assert.equal((await pairGo(p, b)).them, bID);
      for (const p of pages) await prepare(p, conn);
      const offer = await a.evaluate(() => T.ac.offer());
      const answer = await c.evaluate((x) => T.ac.connect(x), offer);
      await a.evaluate((x) => T.ac.connect(x), answer);
      for (const [i, p] of pages.entries()) {
        const them = await p.evaluate(async () => { T.s = await T.ac.session; T.conn0 = T.s.conn; return T.s.idText; });
        assert.equal(them, ids[1 - i], 'the other page\'s verified ID');
        const sdp = await p.evaluate(() => T.ac.conn.pc.localDescription.sdp);
        assert.match(sdp, /typ relay/, 'relay candidates');
        assert.doesNotMatch(sdp, /typ host/, 'relay candidates only');
      }
      const before = [];
      for (const p of pages) before.push(await grows(p, ZERO));
      await message(a, c, aID, 'before');
      await message(c, a, cID, 'back before');
      await sleep(1000);

      const t0 = Date.now();
      relay.out = Buffer.alloc(0);
      relay.write('cut\n');
      await line(relay, 'cut');
      for (const [i, p] of pages.entries()) await has(p, 'reconnecting', ids[1 - i], 40000);
      const lostAfter = Date.now() - t0;
      const cut = await still(pages);
      relay.write('up\n');
      await line(relay, 'up');
      const t1 = Date.now();
      for (const [i, p] of pages.entries()) await has(p, 'reconnected', ids[1 - i], 60000);
      const back = Date.now() - t1;
      // The connection under the session: closed means no restart brought
      // it back (a fresh connection replaced it).
      const ended = [];
      for (const p of pages) ended.push(await p.evaluate((t) => T.conn0.reason && `${T.conn0.reason.class} (${T.conn0.reason.message}) ${T.conn0.closedAt - t} ms after the cut`, t0));

      // No restart under way any more on either side.
      for (const [i, p] of pages.entries()) {
        await H.until(p, () => !T.s.restarting && !T.s.conn.restarting, undefined, 15000).catch(async (err) => {
          throw new Error(`${kinds[i]}: still restarting: ${JSON.stringify(await p.evaluate(() => T.ev.map((x) => `${x.e} ${x.x || ''}`)))}; ${err.message}`);
        });
      }
      const st = [];
      for (const [i, p] of pages.entries()) {
        st.push(await p.evaluate((id, t) => ({
          same: T.peer.sessions.get(id) === T.s, sameConn: T.s.conn === T.conn0, id: T.s.idText, me: T.peer.idText,
          restarts: T.s.conn.restarts, state: T.s.conn.state, tracks: T.tracks, joined: T.joined.filter((x) => x === id).length,
          ev: T.ev.filter((x) => x.id === id).map((x) => `${x.e}${x.x ? ` (${x.x})` : ''} ${x.at - t}`),
        }), ids[1 - i], t0));
      }
      console.log(`${kinds.join(' and ')}: both reconnecting ${lostAfter} ms after the cut; reconnected ${back} ms after the network came back; ` +
        `restarts connected ${st.map((s) => s.restarts).join(' and ')}; events ${JSON.stringify(st.map((s) => s.ev))}` +
        `${ended.some(Boolean) ? `; the connection ended: ${JSON.stringify(ended)}` : ''}`);
      for (const [i, s] of st.entries()) {
        assert.ok(!s.ev.some((e) => e.startsWith('left')), `${kinds[i]}: the session was left: ${JSON.stringify(s.ev)}\n${b.out}`);
        assert.ok(s.same && s.sameConn && s.state === 'open' && s.restarts >= 1, `${kinds[i]}: the same session and connection, restarted: ${JSON.stringify(s)}`);
        assert.deepEqual([s.me, s.id], [ids[i], ids[1 - i]], `${kinds[i]}: the same verified IDs`);
        assert.equal(s.joined, 1, `${kinds[i]}: joined once`);
        assert.equal(s.tracks.length, 2, `${kinds[i]}: no new track: ${JSON.stringify(s.tracks)}`);
      }
      const after = [], later = [];
      for (const [i, p] of pages.entries()) after.push(await grows(p, cut[i]));
      await sleep(2000);
      for (const [i, p] of pages.entries()) later.push(await grows(p, after[i], 5000));
      for (const [i, x] of later.entries()) assert.deepEqual(x.tracks, before[i].tracks, `${kinds[i]}: the same inbound tracks`);
      console.log(`${kinds.join(' and ')}: inbound-rtp at the cut ${JSON.stringify(cut.map(({ tracks, ...n }) => n))}, ` +
        `after ${JSON.stringify(after.map(({ tracks, ...n }) => n))}, 2 s later ${JSON.stringify(later.map(({ tracks, ...n }) => n))}`);
      await message(a, c, aID, 'after');
      await message(c, a, cID, 'back after');
      assert.ok(await inbound(a), 'the page still answers');
    } finally {
      await H.closeAll(...bs);
      await relay.stop();
      await b.stop();
    }
  });
}
