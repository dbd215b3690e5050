// Glare (IDENTITY.md §8.1, §8.2) between two browser pages' Peers, each
// paired with a Go peer B (js/internal/introducer) by code; kinds[0] has
// the lower ID; and between a page and a Go peer (below).
// - Both redial at the same moment: each asks B to introduce it to the
//   other, so two authenticated connections for the pair exist at once.
//   Both sides keep the one offered by the lower ID (its offerer is the
//   lower ID's page, the same connection on both sides: each side's ICE
//   credentials are the other's remote ones) and close the other; the
//   session joined once, never left, and carries messages both ways.
// - Both restart ICE on that connection at the same moment
//   (session.restart()): the restart offers cross in B. The lower ID's
//   restart wins (sessionrestart.js's acceptRestart): it connects, the
//   higher ID's is refused (or dropped before it was sent), both sides end
//   on the lower ID's restart offer with the same credentials, on the
//   same session and connection; messages flow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line, pairGo, openOrdered, pairWith, lessID, bothWays } from './introducer.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
const EVENTS = ['joined', 'reconnecting', 'reconnected', 'left', 'restart-failed', 'redialing'];
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// watch records the page Peer's session events (T.ev) and every
// RTCPeerConnection it makes from now on (T.pcs).
const watch = (page) => page.evaluate((events) => {
  T.ev = [];
  for (const e of events) T.peer.on(e, (s, x) => T.ev.push(`${e} ${s.idShort}${x?.class ? ` (${x.class}: ${x.message})` : ''}`));
  T.pcs = [];
  const RPC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends RPC {
    constructor(...a) { super(...a); T.pcs.push(this); }
  };
}, EVENTS);

// state is the page's view of its session with id: the connection's role,
// ICE credentials (local and remote ufrag), description types, the
// connections not closed, events.
const state = (page, id) => page.evaluate((x) => {
  const s = T.peer.sessions.get(x), u = (d) => /^a=ice-ufrag:(\S+)/m.exec(d?.sdp || '')?.[1];
  if (!s) return { none: true, ev: T.ev };
  const pc = s.conn.pc;
  return {
    role: s.conn.role, lowOffer: s.lowOffer, state: s.conn.state, restarting: s.restarting || s.conn.restarting, restarts: s.conn.restarts,
    local: u(pc.currentLocalDescription), remote: u(pc.currentRemoteDescription),
    types: [pc.currentLocalDescription?.type, pc.currentRemoteDescription?.type],
    cands: [pc.localDescription, pc.remoteDescription].map((d) => (d?.sdp.match(/^a=candidate/mg) || []).length), ice: pc.iceConnectionState, gathering: pc.iceGatheringState,
    open: T.pcs.filter((p) => p.signalingState !== 'closed').length, made: T.pcs.length, ev: T.ev, same: s === T.s,
  };
}, id);

// message sends text from page p's session with id and waits for it at q (pID: p's ID).
async function message(p, q, id, pID, text) {
  await p.evaluate((x, m) => T.peer.sessions.get(x).send(m), id, text);
  await H.until(q, (want) => T.got.includes(want), `${pID}: ${text}`, 15000);
}

// settled waits until both pages have a session with the other that is
// not restarting, and returns their states.
async function settled(pages, ids, ms = 30000) {
  for (const [i, p] of pages.entries()) {
    await H.until(p, (x) => { const s = T.peer.sessions.get(x); return s && !s.restarting && !s.conn.restarting && s.conn.state === 'open'; }, ids[1 - i], ms)
      .catch(async (err) => { throw new Error(`page ${i}: ${JSON.stringify(await state(p, ids[1 - i]))}; ${err.message}`); });
  }
  return Promise.all(pages.map((p, i) => state(p, ids[1 - i])));
}

// withPages runs fn(pages, ids) with two pages of kinds whose Peers (the
// first with the lower ID) are paired with a Go peer B by code.
async function withPages(kinds, fn) {
  const b = new H.Proc(INTRODUCER, []);
  const bs = [];
  try {
    const bID = await line(b, 'id ');
    const pages = [];
    for (const k of kinds) {
      bs.push(await H.launch(k, { mdns: false }));
      pages.push(await H.openTestPage(bs.at(-1), server.url));
    }
    const ids = await openOrdered(...pages, ['glare-lo', 'glare-hi']);
    for (const p of pages) assert.equal((await pairGo(p, b)).them, bID);
    for (const p of pages) await watch(p);
    await fn(pages, ids);
  } finally {
    await H.closeAll(...bs);
    await b.stop();
  }
}

for (const kinds of [['chromium', 'chromium'], ['chromium', 'firefox'], ['firefox', 'chromium']]) {
  test(`${kinds[0]} (lower ID) and ${kinds[1]} redial at the same moment: both keep the connection the lower ID offered`, { timeout: 120000 }, () => withPages(kinds, async (pages, ids) => {
    // Both ask B for an introduction to the other at once.
    const got = await Promise.all(pages.map((p, i) => p.evaluate((to) => T.peer.introduce(to).session.then(
      (s) => `session ${s.conn.role}`, (e) => `rejected ${e.class}`), ids[1 - i])));
    // A replaced connection closes 2 s after its replacement.
    await settled(pages, ids);
    await sleep(3000);
    const st = await settled(pages, ids);
    console.log(`${kinds.join(' and ')}: both introduced at once: their introductions ${JSON.stringify(got)}; ` +
      `kept ${JSON.stringify(st.map(({ role, local, remote, open, ev }) => ({ role, local, remote, open, ev })))}`);
    for (const [i, s] of st.entries()) {
      assert.equal(s.role, i === 0 ? 'offerer' : 'answerer', `${kinds[i]}: the connection kept was offered by the lower ID: ${JSON.stringify(s)}`);
      assert.ok(s.lowOffer, `${kinds[i]}: lowOffer`);
      assert.deepEqual(s.ev.map((e) => e.split(' ')[0]), ['joined'], `${kinds[i]}: joined once, nothing else: ${JSON.stringify(s.ev)}`);
      assert.equal(s.open, 1, `${kinds[i]}: the other connection closed: ${s.open} open`);
      assert.equal(s.made, 2, `${kinds[i]}: two connections for the pair existed at once (glare)`);
    }
    assert.deepEqual([st[0].local, st[0].remote], [st[1].remote, st[1].local], 'both sides keep the same connection');
    for (const p of pages) await p.evaluate((x) => { T.s = T.peer.sessions.get(x); }, ids[1 - pages.indexOf(p)]);
    await message(pages[0], pages[1], ids[1], ids[0], 'after the glare');
    await message(pages[1], pages[0], ids[0], ids[1], 'back after the glare');
  }));

  // With a Chromium lower ID these were todo tests until restart.js's
  // recheck (js README, "A known browser problem"): the lower ID's restart,
  // answered by a page that dropped its own, often never counted as
  // connected on the lower ID's side (a pair of its new candidate with the
  // peer's old one stayed selected), and a fresh connection replaced the
  // session's. With the recheck, 6 of 6 runs passed with Chromium and with
  // Firefox the higher ID (2026-12-07).
  test(`${kinds[0]} (lower ID) and ${kinds[1]} restart ICE at the same moment: the lower ID's restart offer wins`, { timeout: 120000 }, () => withPages(kinds, async (pages, ids) => {
    await pages[0].evaluate(async (to) => { await T.peer.introduce(to).session; }, ids[1]);
    let st = await settled(pages, ids);
    for (const [i, p] of pages.entries()) await p.evaluate((x) => { T.s = T.peer.sessions.get(x); }, ids[1 - i]);
    // Both restart ICE on it at once.
    const was = st;
    const t0 = Date.now();
    const rs = await Promise.all(pages.map((p) => p.evaluate(() => T.s.restart().then(() => 'connected', (e) => `${e.class}: ${e.message}`))));
    const mid = await Promise.all(pages.map((p, i) => state(p, ids[1 - i])));
    const pairs = await Promise.all(pages.map((p, i) => p.evaluate(async (x) => {
      const st = await T.peer.sessions.get(x).conn.pc.getStats(), out = [];
      const c = (id) => `${st.get(id)?.candidateType}:${st.get(id)?.usernameFragment}:${st.get(id)?.port}`;
      st.forEach((r) => {
        if (r.type === 'candidate-pair') out.push(`${r.state}${r.nominated ? 'n' : ''}${r.selected ? 's' : ''} ${c(r.localCandidateId)}-${c(r.remoteCandidateId)} rx${r.bytesReceived}`);
        if (r.type === 'transport') out.push(`T sel=${r.selectedCandidatePairId && c(st.get(r.selectedCandidatePairId)?.localCandidateId)}`);
      });
      return out;
    }, ids[1 - i])));
    st = await settled(pages, ids);
    if (st[0].types[0] !== 'offer' || !st[0].restarts) console.log(`just after the restarts: ${JSON.stringify(mid.map(({ ev, ...x }) => x))}; pairs ${JSON.stringify(pairs)}`);
    console.log(`${kinds.join(' and ')}: both restarted at once: ${JSON.stringify(rs)}; settled after ${Date.now() - t0} ms: ` +
      `${JSON.stringify(st.map(({ types, local, remote, restarts, ev }) => ({ types, local, remote, restarts, ev })))}`);
    for (const [i, s] of st.entries()) {
      assert.ok(s.same && s.state === 'open' && s.restarts >= 1, `${kinds[i]}: the same session and connection, restarted: ${JSON.stringify(s)}`);
      assert.ok(s.local !== was[i].local && s.remote !== was[i].remote, `${kinds[i]}: new credentials`);
      assert.deepEqual(s.types, i === 0 ? ['offer', 'answer'] : ['answer', 'offer'], `${kinds[i]}: the lower ID's restart offer was applied`);
      assert.ok(!s.ev.some((e) => /^(left|redialing)/.test(e)), `${kinds[i]}: no fresh connection: ${JSON.stringify(s.ev)}`);
    }
    assert.deepEqual([st[0].local, st[0].remote], [st[1].remote, st[1].local], 'both sides have the same credentials');
    assert.equal(rs[0], 'connected', 'the lower ID\'s restart connected');
    assert.match(rs[1], /^(refused|state):/, 'the higher ID\'s restart was refused, or dropped before it was sent');
    await message(pages[0], pages[1], ids[1], ids[0], 'after the restarts');
    await message(pages[1], pages[0], ids[0], ids[1], 'back after the restarts');
  }));
}

// A page and a Go peer C (ref/peer, in B's process, paired with B) dial
// each other through B at the same moment (the page's introduce, C's
// ConnectVia): both keep the connection offered by the lower ID (C's ID
// is chosen so that each side is it once). The page's session is on the
// lower ID's offer, the other connection closes, neither side reports
// a departure or a second join, and messages flow both ways on the
// session (Go sends on its own session's connection: had it kept the
// other, closed by the page, they would not arrive).
for (const [kind, lower] of [['chromium', 'page'], ['chromium', 'Go'], ['firefox', 'page'], ['firefox', 'Go']]) {
  test(`${kind} and a Go peer redial at the same moment (the ${lower} has the lower ID): both keep the connection the lower ID offered`, { timeout: 120000 }, async () => {
    const b = new H.Proc(INTRODUCER, []);
    const br = await H.launch(kind, { mdns: false });
    try {
      const bID = await line(b, 'id ');
      const a = await H.openTestPage(br, server.url);
      const pa = await pairWith(a, b, `glare-go-${kind}`);
      assert.equal(pa.them, bID);
      b.write(`second ${lower === 'page' ? 'above' : 'below'} ${pa.me}\n`);
      const cID = await line(b, 'second ');
      assert.equal(lessID(pa.me, cID), lower === 'page');
      await watch(a);
      b.out = Buffer.alloc(0);
      b.write(`connect2 ${pa.me}\n`);
      const got = await a.evaluate((to) => T.peer.introduce(to).session.then((s) => `session ${s.conn.role}`, (e) => `rejected ${e.class}`), cID);
      await line(b, 'connected2 ', 30000);
      await settled([a], [null, cID]);
      await sleep(3000);
      const [s] = await settled([a], [null, cID]);
      console.log(`${kind} and Go (lower: ${lower}): both dialled at once: the page's introduction ${got}; kept ${JSON.stringify({ role: s.role, open: s.open, made: s.made, ev: s.ev })}`);
      assert.equal(s.made, 2, 'two connections for the pair existed at once (glare)');
      assert.equal(s.role, lower === 'page' ? 'offerer' : 'answerer', `the page kept the connection offered by the lower ID: ${JSON.stringify(s)}`);
      assert.ok(s.lowOffer, 'lowOffer');
      assert.deepEqual(s.ev.map((e) => e.split(' ')[0]), ['joined'], `joined once, nothing else: ${JSON.stringify(s.ev)}`);
      assert.equal(s.open, 1, `the other connection closed: ${s.open} open`);
      await a.evaluate((x) => { T.cs = T.peer.sessions.get(x); }, cID);
      await bothWays(a, b, pa.me, cID);
      const goEv = b.out.toString().split('\n').filter((l) => l.startsWith(`event2 `) && l.includes(pa.me));
      assert.deepEqual(goEv.map((l) => l.split(' ')[1]), ['joined'], `Go: joined once, nothing else: ${JSON.stringify(goEv)}`);
    } finally {
      await H.closeAll(br);
      await b.stop();
    }
  });
}
