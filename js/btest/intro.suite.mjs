// An introduction (IDENTITY.md §6) between two browsers through a Go peer
// (ref/peer, js/internal/introducer): Chromium page A and Firefox page C
// each pair with Go peer B by code; then A connects to C through B with no
// code, both verify each other's ID, and a message goes from A to C; A
// restarts ICE on that connection through B (§8.2). Then B asks them to
// connect again (invite) after they part.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line, pairWith, lessID, bothWays } from './introducer.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

test('chromium and firefox connect through a Go peer, with no code', { timeout: 180000 }, async () => {
  const b = new H.Proc(INTRODUCER, []);
  const [ba, bc] = [await H.launch('chromium', { mdns: false }), await H.launch('firefox', { mdns: false })];
  try {
    const bID = await line(b, 'id ');
    const a = await H.openTestPage(ba, server.url);
    const c = await H.openTestPage(bc, server.url);
    const pa = await pairWith(a, b, 'intro-a');
    assert.equal(pa.them, bID);
    const pc = await pairWith(c, b, 'intro-c');
    assert.equal(pc.them, bID);

    // A asks B to carry its offer to C.
    const seen = await a.evaluate(async (cID) => {
      T.intro = T.peer.introduce(cID);
      const s = await T.intro.session;
      await s.send('hello C, from A');
      return s.idText;
    }, pc.me);
    assert.equal(seen, pc.me, 'A verified C');
    await H.until(c, (aID) => T.joined.includes(aID), pa.me);
    await H.until(c, (want) => T.got.includes(want), `${pa.me}: hello C, from A`);

    // A restarts ICE on the browsers' connection (IDENTITY.md §8.2): its
    // signed offer and C's signed answer travel through B; the same
    // session carries messages after it.
    for (const p of [a, c]) await p.evaluate(() => { T.left = []; T.peer.on('left', (s, why) => T.left.push(`${s.idShort} ${why.class} ${why.message} at ${Date.now()}`)); });
    // A keeps what it sends to and receives from B.
    const r = await a.evaluate(async (bID) => {
      const s = await T.intro.session, via = T.peer.sessions.get(bID);
      const send = via.conn.send.bind(via.conn);
      T.sent = [];
      T.rx = [];
      via.conn.send = (m) => { T.sent.push(m); return send(m); };
      via.conn.channel.on('message', (m) => T.rx.push(m));
      const t = performance.now();
      // A restart offered by Chromium to Firefox may not connect (js
      // README, "A known browser problem"): C then restarts the connection
      // itself (RESPONDER_FALLBACK), which connects A's side too.
      T.fellBack = await s.restart().then(() => false, () => s.conn.waitRestart().then(() => true));
      const ms = performance.now() - t;
      T.restartedAt = Date.now();
      via.conn.send = send;
      await s.send('after the restart');
      return { restarts: s.conn.restarts, ms, fellBack: T.fellBack };
    }, bID);
    console.log(`browser↔browser ICE restart through B: ${Math.round(r.ms)} ms${r.fellBack ? ' (A\'s restart did not connect; C restarted it)' : ''}`);
    assert.equal(r.restarts, 1);
    const state = (p, id) => p.evaluate(async (x) => {
      const s = T.peer.sessions.get(x);
      if (!s) return `no session; left ${JSON.stringify(T.left)}`;
      const pc = s.conn.pc;
      const pairs = [];
      (await pc.getStats()).forEach((r) => { if (r.type === 'candidate-pair') pairs.push(`${r.state}${r.nominated ? '*' : ''}${r.selected ? 's' : ''} rx${r.bytesReceived} tx${r.bytesSent}`); });
      return `${s.conn.state} ice ${pc.iceConnectionState} sig ${pc.signalingState} restarts ${s.conn.restarts} pairs ${pairs.join('; ')}`;
    }, id);
    await H.until(c, (want) => T.got.includes(want), `${pa.me}: after the restart`).catch(async (err) => {
      throw new Error(`C did not receive A's message after the restart (at ${await a.evaluate(() => T.restartedAt)}): A ${await state(a, pc.me)}; C ${await state(c, pa.me)}; ${err.message}`);
    });
    const got = Date.now();
    await H.until(c, (aID) => T.peer.sessions.get(aID).conn.restarts >= 1, pa.me);
    const cr = await c.evaluate((aID) => T.peer.sessions.get(aID).conn.restarts, pa.me);
    const ar = await a.evaluate((cID) => T.peer.sessions.get(cID).conn.restarts, pc.me);
    console.log(`C received A's message ${got - await a.evaluate(() => T.restartedAt)} ms after A's restart connected; restarts connected: A ${ar}, C ${cr}` +
      `${ar > 1 ? ' (C restarted the connection itself: the restart it answered had not connected there)' : ''}`);

    // The same signed restart offer again, as it was: C refuses it as
    // accepted once already (reason 6, through B) and restarts nothing.
    const nonce = await a.evaluate(async (bID) => {
      const m = T.sent.find((x) => T.P.decodeMessage(x).type === T.P.MSG.restart);
      await T.peer.sessions.get(bID).conn.send(m);
      return String(T.P.decodeMessage(m).nonce);
    }, bID);
    await H.until(a, (n) => T.rx.some((x) => {
      const m = T.P.decodeMessage(x);
      return m.type === T.P.MSG.refuse && String(m.nonce) === n && m.reason === T.P.REFUSE.other;
    }), nonce).catch(async (err) => {
      const seen = await a.evaluate(() => T.rx.map((x) => { const m = T.P.decodeMessage(x); return `${m.type} ${m.nonce} ${m.reason}`; }));
      throw new Error(`no refusal of the replayed restart ${nonce}: A received ${seen.join(', ')}; ${err.message}\n${b.out}`);
    });
    assert.equal(await c.evaluate((aID) => T.peer.sessions.get(aID).conn.restarts, pa.me), cr, 'no further restart from the replay');

    // They part; B invites them to connect again (the lower ID asks).
    await a.evaluate(() => T.intro.session.then((s) => s.close()));
    await H.until(c, (aID) => !T.peer.sessions.has(aID), pa.me);
    b.write(`introduce ${pa.me} ${pc.me}\n`);
    await line(b, 'introduced');
    await H.until(a, (cID) => T.peer.sessions.has(cID) && T.joined.filter((x) => x === cID).length === 2, pc.me);
    await H.until(c, (aID) => T.peer.sessions.has(aID), pa.me);
  } finally {
    await H.closeAll(ba, bc);
    await b.stop();
  }
});

// A session made through an introduction survives a network cut by an ICE
// restart of the same connection (IDENTITY.md §8.2): page A (Chromium,
// then Firefox) pairs with Go peer B by code and connects to Go peer C (in
// B's process, paired with B) through B. C's UDP sockets but those with B
// are cut: both sides report reconnecting at the dead-peer deadline; the
// initiator (the lower ID: neither dials the other; C's ID is chosen so
// that each side is it once) sends its signed restart offer through B, the
// other answers through B, and the same session, same connection, comes
// back; messages flow both ways.
// The four run at once (each its own browser and Go peers): each waits
// out the dead-peer deadline (10 s) after the cut, and what it checks has
// no tight time bound (reconnected within 60 s of the cut).
describe('an ICE restart through a common peer after a cut', { concurrency: true }, () => {
  for (const [kind, initiator] of [['chromium', 'page'], ['chromium', 'Go'], ['firefox', 'page'], ['firefox', 'Go']]) {
    test(`${kind}: a session with a Go peer comes back after a network cut, by an ICE restart through a common peer (the ${initiator} restarts)`, { timeout: 180000 }, async () => {
      const b = new H.Proc(INTRODUCER, []);
      const br = await H.launch(kind, { mdns: false });
      try {
        const bID = await line(b, 'id ');
        const a = await H.openTestPage(br, server.url);
        const pa = await pairWith(a, b, `restart-${kind}`);
        assert.equal(pa.them, bID);
        b.write(`second ${initiator === 'page' ? 'above' : 'below'} ${pa.me}\n`);
        const cID = await line(b, 'second ');
        assert.equal(lessID(pa.me, cID), initiator === 'page', 'the lower ID restarts');
        await a.evaluate(async (c) => {
          T.ev = [];
          for (const e of ['reconnecting', 'reconnected', 'left', 'restart-failed']) {
            T.peer.on(e, (s, err) => T.ev.push({ e, id: s.idText, at: Date.now(), err: err?.message }));
          }
          T.cs = await T.peer.introduce(c).session;
          await T.cs.send('before');
        }, cID);
        await line(b, `got2 ${pa.me} before`);
        assert.ok(await a.evaluate(() => T.cs.conn.options.restartable), 'an introduced connection is restartable');

        b.out = Buffer.alloc(0);
        const t0 = Date.now();
        b.write('cut\n');
        await line(b, 'cut');
        await H.until(a, (c) => T.ev.some((x) => x.e === 'reconnected' && x.id === c) || T.ev.some((x) => x.e === 'left'), cID, 60000);
        const st = await a.evaluate((c) => ({
          ev: T.ev, same: T.peer.sessions.get(c) === T.cs, restarts: T.cs.conn.restarts, state: T.cs.conn.state,
          sessions: [...T.peer.sessions.values()].map((s) => `${s.idShort} ${s.conn.state} ${s.conn.restarts} ${s === T.cs}`), joined: T.joined,
        }), cID);
        const back = Date.now() - t0;
        console.log(`${kind}: events ${JSON.stringify(st.ev.map((x) => ({ e: x.e, ms: x.at - t0, err: x.err })))}; back ${back} ms after the cut; restarts ${st.restarts}; initiator ${initiator}`);
        assert.ok(st.ev.some((x) => x.e === 'reconnecting'), 'reconnecting reported');
        assert.ok(!st.ev.some((x) => x.e === 'left'), `the session was left: ${JSON.stringify(st.ev)}\n${b.out}`);
        assert.ok(st.same && st.state === 'open' && st.restarts >= 1, `same session, restarted: ${JSON.stringify(st)}\n${b.out}`);
        await line(b, `event2 reconnected ${pa.me}`, 30000);

        await bothWays(a, b, pa.me, cID);
      } finally {
        await H.closeAll(br);
        await b.stop();
      }
    });
  }
});
