// Refusals of a browser Peer (IDENTITY.md §6, §9), in Chromium pages that
// pair with each other by code: A and C each pair with B; then
// - a signed offer is accepted once: A's introduction to C through B
//   works, and the same relay message sent again is refused by C as
//   expired (a replay), with no second connection;
// - maxPeers: D (maxPeers 1, paired with B) refuses A's introduction as
//   too-many, and A's introduction fails with that class;
// - §5: through one introducer C remembers at most 16 strangers (a 17th is
//   refused), and forgets one 30 days after it was last seen;
// - an impostor: a page that expects C's ID and is answered by another
//   key fails HELLO with auth (Go as the impostor is identity.suite's); a
//   reconnect code to a page that does not remember its author is
//   unknown-peer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// open opens the page's Peer and records what it rejects and who joins.
function open(page, opts) {
  return page.evaluate(async (o) => {
    T.peer = await T.P.Peer.open({ persist: false, ...o });
    T.rejected = [];
    T.peer.on('rejected', (e, from) => T.rejected.push({ cls: e.class, from }));
    return T.peer.idText;
  }, opts);
}

// pairPages pairs page a (offerer) with page b by code; both verify.
async function pairPages(a, b) {
  const offer = await a.evaluate(() => { T.p = T.peer.pair(); return T.p.offer(); });
  const answer = await b.evaluate(async (o) => { T.p = T.peer.pair(); return T.p.connect(o); }, offer);
  const [x, y] = await Promise.all([
    a.evaluate(async (c) => { await T.p.connect(c); return (await T.p.session).idText; }, answer),
    b.evaluate(async () => (await T.p.session).idText),
  ]);
  return [x, y];
}

test('chromium Peer refuses a replayed introduction, beyond maxPeers, a 17th stranger of an introducer, an impostor, a stranger\'s reconnect code', { timeout: 180000 }, async () => {
  const br = await H.launch('chromium', { mdns: false });
  try {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await H.openTestPage(br, server.url));
    const [pa, pb, pc, pd] = pages;
    const A = await open(pa), B = await open(pb), C = await open(pc), D = await open(pd, { maxPeers: 1 });
    assert.deepEqual(await pairPages(pa, pb), [B, A]);
    assert.deepEqual(await pairPages(pc, pb), [B, C]);
    assert.deepEqual(await pairPages(pd, pb), [B, D]);

    // A's introduction to C through B; A keeps the relay message it sent.
    const seen = await pa.evaluate(async (to, via) => {
      const sess = T.peer.sessions.get(via);
      const send = sess.conn.send.bind(sess.conn);
      T.sent = [];
      sess.conn.send = (m) => { T.sent.push(m); return send(m); };
      const s = await T.peer.introduce(to, { via }).session;
      sess.conn.send = send;
      return s.idText;
    }, C, B);
    assert.equal(seen, C, 'A verified C through B');
    await H.until(pc, (id) => T.peer.sessions.has(id), A);

    // The same signed offer again, as it was: C refuses it as a replay.
    assert.equal(await pa.evaluate(() => T.sent.filter((m) => T.P.decodeMessage(m).type === 2).length), 1, 'one relay message sent');
    await pa.evaluate(async (via) => {
      const m = T.sent.find((x) => T.P.decodeMessage(x).type === 2);
      await T.peer.sessions.get(via).conn.send(m);
    }, B);
    const rej = await H.until(pc, () => T.rejected[0]);
    assert.deepEqual(rej, { cls: 'expired', from: A }, 'C refuses the replayed offer');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await pc.evaluate(() => T.peer.sessions.size), 2, 'no second connection from the replay');

    // D has maxPeers 1 and its session with B: A's introduction is too-many.
    const cls = await pa.evaluate(async (to, via) => T.peer.introduce(to, { via }).session.then(() => 'accepted', (e) => e.class), D, B);
    assert.equal(cls, 'too-many', 'A is refused by D');
    assert.deepEqual(await H.until(pd, () => T.rejected[0]), { cls: 'too-many', from: A });

    // §5: an introducer makes C remember at most 16 strangers. C knows A
    // through B; with 15 more remembered, D (a stranger to C) is refused;
    // once one of them was last seen 30 days ago it is forgotten, and D
    // comes through.
    await pc.evaluate(async (via) => {
      const now = Date.now();
      for (let i = 0; i < 15; i++) {
        const id = crypto.getRandomValues(new Uint8Array(32));
        await T.peer.store.putPeer({ idText: T.P.idText(id), id, key: new Uint8Array(32), chosen: false, introducer: via, firstSeen: now, lastSeen: now });
      }
    }, B);
    const viaD = (to, via) => T.peer.introduce(to, { via }).session.then((x) => x.idText, (e) => e.class);
    assert.equal(await pd.evaluate(viaD, C, B), 'refused', 'a 17th stranger through B is refused');
    assert.ok(await H.until(pc, (id) => T.rejected.find((r) => r.cls === 'refused' && r.from === id), D));
    const left = await pc.evaluate(async () => {
      const r = (await T.peer.remembered()).find((x) => !x.chosen && !T.peer.sessions.has(x.idText));
      await T.peer.store.putPeer({ ...r, lastSeen: Date.now() - 30 * 86400000 });
      return (await T.peer.remembered()).length;
    });
    assert.equal(left, 16, 'B and 15 introduced: the one not seen for 30 days is forgotten');
    assert.equal(await pd.evaluate(viaD, C, B), C, 'then D comes through');

    // An impostor: A expects C's ID; D answers with its own key. A's offer
    // for C is a reconnect code, which D (who does not remember A) refuses
    // as unknown-peer; given the full code, D answers and HELLO fails.
    const offer = await pa.evaluate(async (expect) => {
      T.imp = T.peer.pair({ expect });
      return { rc: await T.imp.offer(), full: T.P.formatText(T.imp.conn.offerCode, 'qr') };
    }, C);
    assert.notEqual(offer.rc, offer.full, 'A\'s offer for C is a reconnect code');
    assert.equal(await pd.evaluate(async (o) => T.peer.pair().connect(o).then(() => 'answered', (e) => e.class), offer.rc), 'unknown-peer');
    const answer = await pd.evaluate(async (o) => { T.imp = T.peer.pair(); return T.imp.connect(o); }, offer.full);
    const impCls = await pa.evaluate(async (x) => { await T.imp.connect(x); return T.imp.session.then(() => 'accepted', (e) => e.class); }, answer);
    assert.equal(impCls, 'auth', 'A refuses the impostor');
  } finally {
    await H.closeAll(br);
  }
});
