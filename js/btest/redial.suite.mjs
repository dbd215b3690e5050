// A session comes back with a fresh connection after a network cut that
// outlasts the ICE restart window (IDENTITY.md §8.1, §8.2 "Retries and
// fallback"): page A (Chromium, then Firefox) pairs with Go peer B
// (js/internal/introducer) by code and connects to Go peer C (B's second
// peer, paired with B) through B. C's network goes down (its UDP sockets
// but those with B drop everything, those it opens later too): both sides
// report reconnecting, no restart connects, and the connection ends at the
// end of the restart window; the session stays, 'reconnecting'. The
// network comes back: the initiator (the lower ID; C's ID is chosen so
// that each side is it once) has B introduce it to the other again, with
// backoff, and the fresh connection, its HELLO verified, replaces the lost
// one: the same Session on both sides, 'reconnected' (no 'left', no second
// 'joined'), the same verified IDs, messages both ways.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line, pairWith, lessID, bothWays } from './introducer.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
// Both sides keep the default deadlines (ref/'s): a connection is
// unreachable 10 s after the cut and ends 15 s later. (A shorter
// deadPeerTimeout on the page, 5 s, made Firefox declare its idle
// connection with B unreachable.)
const OPTS = {};
const WINDOW = 10000 + 15000;
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// watch records the page Peer's session events in T.ev.
function watch(page) {
  return page.evaluate(() => {
    T.ev = [];
    for (const e of ['joined', 'reconnecting', 'reconnected', 'left', 'restart-failed', 'redialing', 'redial-failed']) {
      T.peer.on(e, (s, x) => T.ev.push({ e, id: s.idText, at: Date.now(), x: x?.class ? `${x.class}: ${x.message}` : x }));
    }
  });
}

// The four run at once (each its own browser and Go peers): each spends
// most of its time waiting, the network down past the restart window
// (27 s) and the redial's backoff, and what it checks has no tight time
// bound (reconnected within 120 s of the network's return).
describe('redial after a long cut', { concurrency: true }, () => {
  for (const [kind, initiator] of [['chromium', 'page'], ['chromium', 'Go'], ['firefox', 'page'], ['firefox', 'Go']]) {
    test(`${kind}: a session with a Go peer comes back with a fresh connection after a cut longer than the restart window (the ${initiator} redials)`, { timeout: 240000 }, async () => {
      const b = new H.Proc(INTRODUCER, []);
      const br = await H.launch(kind, { mdns: false });
      try {
        const bID = await line(b, 'id ');
        const a = await H.openTestPage(br, server.url);
        const pa = await pairWith(a, b, `redial-${kind}`, OPTS);
        assert.equal(pa.them, bID);
        b.write(`second ${initiator === 'page' ? 'above' : 'below'} ${pa.me}\n`);
        const cID = await line(b, 'second ');
        assert.equal(lessID(pa.me, cID), initiator === 'page', 'the lower ID redials');
        await watch(a);
        await a.evaluate(async (c) => {
          T.cs = await T.peer.introduce(c).session;
          T.conn0 = T.cs.conn;
          await T.cs.send('before');
        }, cID);
        await line(b, `got2 ${pa.me} before`);

        b.out = Buffer.alloc(0);
        const t0 = Date.now();
        b.write('down\n');
        await line(b, 'down');
        // The restart window passes with the network down: the connection
        // ends, the session stays.
        await H.until(a, () => T.conn0.reason, undefined, 60000);
        const mid = await a.evaluate((c) => ({
          reason: T.conn0.reason.class, same: T.peer.sessions.get(c) === T.cs, restarting: T.cs.restarting, ev: T.ev,
        }), cID);
        console.log(`${kind}: the connection ended (${mid.reason}) ${Date.now() - t0} ms after the network went down; events ${JSON.stringify(mid.ev.map((x) => ({ e: x.e, ms: x.at - t0, x: x.x })))}`);
        assert.equal(mid.reason, 'unreachable');
        assert.ok(mid.same && mid.restarting, `the session stays, reconnecting: ${JSON.stringify(mid)}`);
        assert.deepEqual(mid.ev.filter((x) => x.e === 'reconnecting').map((x) => x.id), [cID], 'reconnecting once, for C only');
        assert.ok(!mid.ev.some((x) => x.e === 'left'), 'not left');
        // Down past C's window too, and until the page (when it is the
        // initiator) tried once.
        await sleep(Math.max(0, t0 + WINDOW + 2000 - Date.now()));
        if (initiator === 'page') await H.until(a, () => T.ev.some((x) => x.e === 'redialing'), undefined, 30000);
        const t1 = Date.now();
        b.write('up\n');
        await line(b, 'up');

        await H.until(a, (c) => T.ev.some((x) => x.e === 'reconnected' || x.e === 'left'), cID, 120000);
        const st = await a.evaluate((c) => ({
          ev: T.ev, same: T.peer.sessions.get(c) === T.cs, fresh: T.cs.conn !== T.conn0, state: T.cs.conn.state,
          id: T.cs.idText, restarting: T.cs.restarting, joined: T.joined,
        }), cID);
        const evs = st.ev.map((x) => ({ e: x.e, ms: x.at - t0, x: x.x, id: x.id.slice(0, 4) }));
        console.log(`${kind}: reconnected ${Date.now() - t1} ms after the network came back (${Date.now() - t0} ms after it went down); initiator ${initiator}; events ${JSON.stringify(evs)}`);
        assert.ok(!st.ev.some((x) => x.e === 'left'), `the session was left: ${JSON.stringify(evs)}\n${b.out}`);
        assert.ok(st.same && st.fresh && st.state === 'open' && !st.restarting, `the same session on a fresh connection: ${JSON.stringify(st)}`);
        assert.equal(st.id, cID, 'the same verified ID');
        assert.equal(st.joined.filter((x) => x === cID).length, 1, 'joined once');
        const redials = st.ev.filter((x) => x.e === 'redialing').length;
        if (initiator === 'page') assert.ok(redials >= 1, 'the page redialed');
        else assert.equal(redials, 0, 'the page waits for the initiator');
        // C: the same session, reconnected, with the page's verified ID.
        await line(b, `event2 reconnected ${pa.me}`, 30000);
        assert.ok(!b.out.toString().includes(`event2 left ${pa.me}`), 'C did not leave the session');

        await bothWays(a, b, pa.me, cID);
      } finally {
        await H.closeAll(br);
        await b.stop();
      }
    });
  }
});
