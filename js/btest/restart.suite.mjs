// ICE restart through codes (PeerConnection.restartOffer, restartAnswer,
// completeRestart; ref.Conn's RestartOffer, RestartAnswer,
// CompleteRestart): Chromium and Firefox with a Go peer (ref/ with
// Config.RestartableICE, js/internal/restarter) restart a healthy
// connection both ways and messages flow again on the same channels; then
// the Go peer's sockets die (its network went away): both sides report
// 'unreachable' at the dead-peer deadline instead of closing, a restart
// offered by either side connects over the new sockets, and without one
// the connection gives up at the restart timeout. Chromium and Firefox
// pages restart each other's connection both ways.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

const RESTARTER = process.env.PEER_RESTARTER_BIN || 'restarter';
const OPTS = { restartable: true, deadPeerTimeout: 5000, restartTimeout: 15000 };
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// Go wraps the restarter: cmd(line) writes a command and resolves with
// the rest of its reply line; next(prefix) waits for the next event line
// that starts with prefix.
class Go extends H.Proc {
  constructor(args = []) { super(RESTARTER, args); this.seen = 0; }
  lines() { return this.out.toString().split('\n'); }
  async next(prefix, ms = 30000) {
    let found;
    await this.until(() => {
      const ls = this.lines();
      for (let i = this.seen; i < ls.length - 1; i++) {
        if (ls[i].startsWith('error ')) throw new Error(`restarter: ${ls[i]}; stderr:\n${this.err}`);
        if (ls[i].startsWith(prefix)) { found = ls[i].slice(prefix.length).trim(); this.seen = i + 1; return true; }
      }
      return false;
    }, ms, `"${prefix}"`);
    return found;
  }
  has(line) { return this.lines().includes(line); }
  async cmd(line, reply) {
    this.write(line + '\n');
    return this.next(reply);
  }
}

// connectGo connects page's connection c with a Go peer, the page offering.
async function connectGo(page, go, opts) {
  const offer = await page.evaluate((o) => T.make('c', o).c.offer(), opts);
  const answer = await go.cmd(`answer ${offer}`, 'answer ');
  await page.evaluate((a) => T.conns.c.c.connect(a), answer);
  await H.waitOpen(page, 'c');
  await go.next('open');
}

// received waits for message msg on page's connection c.
function received(page, msg, ms = 15000) {
  return H.until(page, (m) => T.conns.c.msgs.some((x) => new TextDecoder().decode(x) === m), msg, ms);
}

// both checks a message each way between page and go.
async function both(page, go, tag) {
  await page.evaluate((m) => T.conns.c.c.send(m), `to go ${tag}`);
  await go.next(`msg to go ${tag}`, 15000);
  await go.cmd(`send to page ${tag}`, 'ok');
  await received(page, `to page ${tag}`);
}

// pageRestarts runs a restart offered by the page to go; goRestarts the reverse.
async function pageRestarts(page, go) {
  const offer = await page.evaluate(() => T.conns.c.c.restartOffer());
  const answer = await go.cmd(`restart-answer ${offer}`, 'restart-answer ');
  await page.evaluate((a) => T.conns.c.c.completeRestart(a), answer);
  await page.evaluate(() => T.conns.c.c.waitRestart());
  return go.cmd('wait-restart', 'restarted ');
}

async function goRestarts(page, go) {
  const offer = await go.cmd('restart-offer', 'restart-offer ');
  const answer = await page.evaluate((o) => T.conns.c.c.restartAnswer(o), offer);
  await go.cmd(`complete-restart ${answer}`, 'ok');
  await page.evaluate(() => T.conns.c.c.waitRestart());
  return go.cmd('wait-restart', 'restarted ');
}

// withGo runs fn(page, go) with a page of browser kind connected to a
// restarter (args), the page offering, options opts; then closes both.
async function withGo(kind, args, opts, fn) {
  const b = await H.launch(kind, { mdns: false });
  const go = new Go(args);
  try {
    const page = await H.openTestPage(b, server.url);
    await connectGo(page, go, opts);
    await fn(page, go);
  } finally {
    await H.closeAll(b);
    await go.stop();
  }
}

// ufrag is the page's current local ICE ufrag.
const ufrag = (page) => page.evaluate(() => /^a=ice-ufrag:(\S+)/m.exec(T.conns.c.c.pc.localDescription.sdp)[1]);

for (const kind of ['chromium', 'firefox']) {
  describe(kind, () => {
    test(`${kind} and Go restart a healthy connection both ways`, { timeout: 120000 }, () => withGo(kind, [], OPTS, async (page, go) => {
      await both(page, go, 'before');
      const u0 = await ufrag(page);
      let t0 = Date.now();
      assert.equal(await pageRestarts(page, go), '1');
      console.log(`${kind}: restart offered by the page connected after ${Date.now() - t0} ms`);
      const u1 = await ufrag(page);
      assert.notEqual(u1, u0, 'new ICE credentials');
      await both(page, go, 'after the page\'s restart');
      t0 = Date.now();
      assert.equal(await goRestarts(page, go), '2');
      console.log(`${kind}: restart offered by Go connected after ${Date.now() - t0} ms`);
      assert.notEqual(await ufrag(page), u1);
      await both(page, go, 'after Go\'s restart');
      const r = await page.evaluate(() => ({ n: T.conns.c.c.restarts, ev: T.conns.c.restart, close: T.conns.c.close }));
      assert.deepEqual(r, { n: 2, ev: ['restart 1', 'restart 2'], close: null });
    }));

    for (const by of ['Go', 'the page']) {
      test(`${kind}: the Go peer's network goes away; unreachable, then a restart offered by ${by}`, { timeout: 120000 }, () => withGo(kind, [], OPTS, async (page, go) => {
        await both(page, go, 'before');
        const t0 = await page.evaluate(() => T.now());
        await go.cmd('cut', 'ok');
        await go.next('unreachable', 20000);
        await H.until(page, () => T.conns.c.restart.length > 0 || T.conns.c.close, undefined, 20000);
        const st = await page.evaluate(() => ({ ev: T.conns.c.restart, close: T.conns.c.close, reachable: T.conns.c.c.reachable }));
        assert.deepEqual(st, { ev: [st.ev[0]], close: null, reachable: false });
        assert.match(st.ev[0], /^unreachable@/);
        const made = await page.evaluate(() => T.conns.c.made);
        const u = Number(st.ev[0].split('@')[1]) - (t0 - made);
        console.log(`${kind}: the page reported unreachable ${Math.round(u)} ms after the cut (deadPeerTimeout ${OPTS.deadPeerTimeout} ms)`);
        // The Go peer sends KEEPALIVE (FRAMING.md §2) at open and when
        // idle, so the page hears it through its frames (Firefox need not
        // wait for its consent checks to fail) and its watch runs at the
        // deadline itself: deadPeerTimeout after the last frame, which
        // arrived before the cut (at most 2 s before: the keepalive
        // interval). 1 s of margin for timers on a loaded machine.
        assert.ok(u >= OPTS.deadPeerTimeout - 2500 && u <= OPTS.deadPeerTimeout + 1000, `unreachable after ${u} ms`);
        const t1 = Date.now();
        assert.equal(by === 'Go' ? await goRestarts(page, go) : await pageRestarts(page, go), '1');
        console.log(`${kind}: the restart offered by ${by} connected after ${Date.now() - t1} ms`);
        await go.until(() => go.has('reachable'), 10000, '"reachable"');
        await both(page, go, 'after the restart');
        const r = await page.evaluate(() => ({ ev: T.conns.c.restart.slice(1), close: T.conns.c.close, reachable: T.conns.c.c.reachable }));
        assert.deepEqual(r, { ev: ['reachable', 'restart 1'], close: null, reachable: true });
      }));
    }
  });
}

// The idle test and the restart timeout of each browser run at once: they
// spend their time waiting (15 s idle; the deadline, then the restart
// timeout), and their bounds are not tight against load (no unreachable
// with keepalives every 2 s against a 5 s deadline; unreachable no sooner
// than 4 s, closed 3 s after it by the page's own timers, within 25 s).
// The tests that bound the unreachable report at the deadline + 1 s run
// alone, above.
describe('long waits with Go', { concurrency: true }, () => {
  for (const kind of ['chromium', 'firefox']) {
    test(`${kind}: an idle live connection with Go is not unreachable for 3 × deadPeerTimeout`, { timeout: 120000 }, () => withGo(kind, [], OPTS, async (page, go) => {
      await both(page, go, 'before');
      await new Promise((r) => setTimeout(r, 3 * OPTS.deadPeerTimeout));
      const st = await page.evaluate(() => ({ ev: T.conns.c.restart, close: T.conns.c.close, reachable: T.conns.c.c.reachable, keepsAlive: T.conns.c.c._keepsAlive }));
      assert.deepEqual(st, { ev: [], close: null, reachable: true, keepsAlive: true });
      assert.ok(!go.has('unreachable'), 'the Go peer saw the page unreachable');
      await both(page, go, 'after idling');
    }));

    test(`${kind}: with no restart, an unreachable connection closes at the restart timeout`, { timeout: 120000 }, () => withGo(kind, ['-restart', '3s'], { ...OPTS, restartTimeout: 3000 }, async (page, go) => {
      const t0 = await page.evaluate(() => T.now());
      await go.cmd('cut', 'ok');
      await H.until(page, () => T.conns.c.close, undefined, 40000);
      const r = await page.evaluate(() => ({ ev: T.conns.c.restart, close: T.conns.c.close, at: T.conns.c.closeAt, made: T.conns.c.made }));
      const ms = Math.round(r.at - t0);
      assert.equal(r.close, 'unreachable');
      assert.equal(r.ev.length, 1);
      const u = Number(r.ev[0].split('@')[1]) - (t0 - r.made);
      console.log(`${kind}: after the cut, unreachable after ${Math.round(u)} ms, closed ${r.close} after ${ms} ms (restartTimeout 3000 ms)`);
      assert.ok(u >= 4000 && ms - u >= 2900 && ms < 25000, `unreachable ${u} ms, closed ${ms} ms after the cut`);
      assert.match(await go.next('done ', 20000), /unreachable/);
    }));
  }
});

// restartPages restarts the connection of two pages, offered by from. A
// Chromium restart offer to Firefox sometimes does not connect: Chromium
// pairs its new candidates with Firefox's old ones, which Firefox's old
// ICE agent still answers, and never nominates a pair of Firefox's new
// agent (restart.js's mixedGeneration; the todo test below). As IDENTITY.md §8.2 has an initiator repeat a restart
// that does not connect, the other side offers again after 5 s (at most
// 3 tries).
async function restartPages(from, to) {
  for (let tries = 1; tries <= 3; tries++) {
    const [o, a] = tries % 2 ? [from, to] : [to, from];
    const ro = await o.evaluate(() => T.conns.c.c.restartOffer());
    const ra = await a.evaluate((x) => T.conns.c.c.restartAnswer(x), ro);
    await o.evaluate((x) => T.conns.c.c.completeRestart(x), ra);
    const done = await Promise.all([o, a].map((p) => p.evaluate((ms) => Promise.race([
      T.conns.c.c.waitRestart().then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]), 5000)));
    if (done.every(Boolean)) return { tries, codes: [ro.length, ra.length] };
  }
  throw new Error('the restart did not connect in 3 tries');
}

// creds reports a page's ICE credentials (local and remote ufrag).
const creds = (page) => page.evaluate(() => {
  const pc = T.conns.c.c.pc, ufrag = (d) => /^a=ice-ufrag:(\S+)/m.exec(d.sdp)[1];
  return [ufrag(pc.localDescription), ufrag(pc.remoteDescription)];
});

// The pages: offerer (kinds[0]) and answerer (kinds[1]) restart each
// other's connection: offered by the first, then the second, and the first
// again; messages on the default channel and on a second one each time.
// Two Chromiums were a todo until restart.js's recheck: with Chromium
// 156.0.8078.129 the offering Chromium selected a pair of its new
// candidate with the other's old one (which the other's old ICE
// generation answers) and never checked a pair of the new generation, so
// mixedGeneration never called the restart connected on its side (3 of 4
// runs failed on 2026-12-07).
for (const kinds of [['chromium', 'firefox'], ['firefox', 'chromium'], ['chromium', 'chromium'], ['firefox', 'firefox']]) {
  test(`${kinds[0]} and ${kinds[1]} restart each other's connection`, { timeout: 150000 }, async () => {
    const bs = [];
    try {
      const pages = [];
      for (const k of kinds) {
        bs.push(await H.launch(k, { mdns: false }));
        pages.push(await H.openTestPage(bs.at(-1), server.url));
      }
      const [a, c] = pages;
      const offer = await a.evaluate((o) => T.make('c', o).c.offer(), OPTS);
      const answer = await c.evaluate((x, o) => {
        T.make('c', o).c.on('channel', (ch) => { T.extra = []; ch.on('message', (m) => T.extra.push(new TextDecoder().decode(m))); });
        return T.conns.c.c.connect(x);
      }, offer, OPTS);
      await a.evaluate((x) => T.conns.c.c.connect(x), answer);
      await H.waitOpen(a, 'c');
      await H.waitOpen(c, 'c');
      await a.evaluate(() => { T.ch = T.conns.c.c.openChannel('extra'); return T.ch.send('extra 0'); });
      await H.until(c, () => T.extra?.length === 1);
      let n = 0;
      for (const [from, to] of [[a, c], [c, a], [a, c]]) {
        n++;
        const was = [await creds(a), await creds(c)];
        const t0 = Date.now();
        const { tries, codes } = await restartPages(from, to);
        const now = [await creds(a), await creds(c)];
        for (const i of [0, 1]) for (const j of [0, 1]) assert.notEqual(now[i][j], was[i][j], `restart ${n}: new credentials`);
        assert.deepEqual(now[0], [now[1][1], now[1][0]], `restart ${n}: each side has the other's credentials`);
        console.log(`${kinds.join(' and ')}: restart ${n} (by the ${from === a ? 'offerer' : 'answerer'}) connected after ${Date.now() - t0} ms` +
          `${tries > 1 ? ` and ${tries} tries` : ''}; codes ${codes.join(' and ')} characters`);
        await from.evaluate((m) => T.conns.c.c.send(m), `after restart ${n}`);
        await received(to, `after restart ${n}`);
        await to.evaluate((m) => T.conns.c.c.send(m), `back after restart ${n}`);
        await received(from, `back after restart ${n}`);
        await a.evaluate((m) => T.ch.send(m), `extra ${n}`);
        await H.until(c, (k) => T.extra.length === k + 1, n);
      }
      for (const p of pages) {
        const r = await p.evaluate(() => ({ n: T.conns.c.c.restarts, close: T.conns.c.close, state: T.conns.c.c.state, errors: T.conns.c.errors }));
        assert.ok(r.n >= 3 && r.close === null && r.state === 'open' && r.errors.length === 0, `the same connection stayed open: ${JSON.stringify(r)}`);
      }
      assert.deepEqual(await c.evaluate(() => T.extra), ['extra 0', 'extra 1', 'extra 2', 'extra 3']);
    } finally {
      await H.closeAll(...bs);
    }
  });
}

// pairs describes a page's candidate pairs: state (n nominated, s
// selected), local ufrag:port - remote ufrag:port, bytes received.
const pairs = (p) => p.evaluate(async () => {
  const pc = T.conns.c.c.pc, st = await pc.getStats(), out = [];
  const u = (d) => /^a=ice-ufrag:(\S+)/m.exec(d?.sdp || '')?.[1];
  st.forEach((r) => { if (r.type === 'candidate-pair') out.push(`${r.state}${r.nominated ? 'n' : ''}${r.selected ? 's' : ''} ${st.get(r.localCandidateId)?.usernameFragment}:${st.get(r.localCandidateId)?.port}-${st.get(r.remoteCandidateId)?.usernameFragment}:${st.get(r.remoteCandidateId)?.port} rx${r.bytesReceived}`); if (r.type === 'transport') out.push(`T sel=${r.selectedCandidatePairId}`); });
  return { l: u(pc.currentLocalDescription), r: u(pc.currentRemoteDescription), ice: pc.iceConnectionState, out };
});
// The Chromium-to-Firefox race (restartPages above): Chromium offers ten
// restarts in a row to Firefox; after each, both sides should agree
// whether it connected, and one that did not is repeated from Firefox.
// A todo: restart.js's mixedGeneration makes them agree when Chromium
// selected its new candidate with Firefox's old one, but not when it kept
// its old pair (both old ufrags), which it keeps rightly with Chromium (a
// rule that refused that pair too made a Chromium-to-Chromium restart fail
// 3 tries). Failures are reported, with both sides' candidate pairs, and
// do not fail the suite; it runs only with PEER_TODO=1 (H.todo).
test('chromium offers ten restarts to firefox: both sides agree whether each connected', {
  timeout: 300000, ...H.todo('Chromium keeping its old pair with Firefox is not told from a connected restart'),
}, async () => {
  const bs = [await H.launch('chromium', { mdns: false }), await H.launch('firefox', { mdns: false })];
  try {
    const [a, c] = [await H.openTestPage(bs[0], server.url), await H.openTestPage(bs[1], server.url)];
    const offer = await a.evaluate((o) => T.make('c', o).c.offer(), OPTS);
    const answer = await c.evaluate((x, o) => T.make('c', o).c.connect(x), offer, OPTS);
    await a.evaluate((x) => T.conns.c.c.connect(x), answer);
    await H.waitOpen(a, 'c');
    await H.waitOpen(c, 'c');
    const seen = [];
    for (let i = 0; i < 10; i++) {
      const ro = await a.evaluate(() => T.conns.c.c.restartOffer());
      const ra = await c.evaluate((x) => T.conns.c.c.restartAnswer(x), ro);
      await a.evaluate((x) => T.conns.c.c.completeRestart(x), ra);
      const done = await Promise.all([a, c].map((p) => p.evaluate((ms) => Promise.race([
        T.conns.c.c.waitRestart().then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]), 6000)));
      seen.push(done.join('/'));
      if (done[0] !== done[1]) {
        assert.fail(`restart ${i + 1}: Chromium ${done[0] ? 'connected' : 'not connected'}, Firefox ${done[1] ? 'connected' : 'not connected'}; ` +
          `Chromium ${JSON.stringify(await pairs(a))}; Firefox ${JSON.stringify(await pairs(c))}`);
      }
      if (!done[1]) {
        const r2 = await c.evaluate(() => T.conns.c.c.restartOffer());
        const a2 = await a.evaluate((x) => T.conns.c.c.restartAnswer(x), r2);
        await c.evaluate((x) => T.conns.c.c.completeRestart(x), a2);
        await Promise.all([a, c].map((p) => p.evaluate(() => T.conns.c.c.waitRestart())));
      }
      await a.evaluate((m) => T.conns.c.c.send(m), `after ${i + 1}`);
      await received(c, `after ${i + 1}`);
    }
    console.log(`chromium to firefox, ten restarts (Chromium/Firefox connected): ${seen.join(', ')}`);
  } finally {
    await H.closeAll(...bs);
  }
});
