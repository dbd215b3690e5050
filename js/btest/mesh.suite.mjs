// A mesh built by introductions (IDENTITY.md §6): five pages (four tabs of
// one Chromium and one of Firefox) each pair with a Go peer (ref/peer,
// js/internal/introducer) by code, then every pair of pages connects
// through the Go peer with no code. Every page and the Go peer see every
// other with its verified ID. A page is closed (the tab, page.close()):
// every remaining page and the Go peer report it gone within 2 s; then
// another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
const KINDS = ['chromium', 'chromium', 'chromium', 'chromium', 'firefox'];
const PAGES = KINDS.length;
const CLOSE = [4, 0]; // the pages closed, in turn: Firefox's, then a Chromium one
const GONE_WITHIN = 2000; // ms: the issue's rule for a closed page

let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// lines records each stdout line of go with the time (Date.now()) it arrived.
function lines(go) {
  const seen = [];
  let rest = '';
  go.proc.stdout.on('data', (d) => {
    const at = Date.now();
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const l of parts) seen.push({ l, at });
  });
  return seen;
}

// next waits for the first line of go after index from that starts with prefix.
async function next(go, seen, from, prefix, ms = 30000) {
  let found;
  await go.until(() => (found = seen.slice(from).find((x) => x.l.startsWith(prefix))), ms, `"${prefix}"`);
  return found;
}

// pair opens the page's Peer, records its joins and departures, and pairs
// it with go by code (the page offers); resolves with the page's ID.
async function pair(page, go, seen, name) {
  const offer = await page.evaluate(async (n) => {
    T.peer = await T.P.Peer.open({ name: n, persist: false });
    T.left = [];
    T.peer.on('left', (s, why) => T.left.push({ id: s.idText, at: Date.now(), cls: why.class }));
    T.first = T.peer.pair();
    return T.first.offer();
  }, name);
  const from = seen.length;
  go.write(`answer ${offer}\n`);
  const answer = (await next(go, seen, from, 'answer ')).l.slice('answer '.length);
  return page.evaluate(async (a) => {
    await T.first.connect(a);
    await T.first.session;
    return T.peer.idText;
  }, answer);
}

// sessions lists the IDs of a page's sessions.
const sessions = (page) => page.evaluate(() => [...T.peer.sessions.keys()].sort());

test(`${PAGES} pages and a Go peer in a mesh by introductions; a closed page is gone for all within ${GONE_WITHIN} ms`, { timeout: 300000 }, async () => {
  const go = new H.Proc(INTRODUCER, []);
  const seen = lines(go);
  const browsers = { chromium: await H.launch('chromium', { mdns: false }), firefox: await H.launch('firefox', { mdns: false }) };
  try {
    const goID = (await next(go, seen, 0, 'id ')).l.slice(3);
    const pages = [], ids = [];
    for (let i = 0; i < PAGES; i++) {
      pages.push(await H.openTestPage(browsers[KINDS[i]], server.url));
      ids.push(await pair(pages[i], go, seen, `mesh-${i}`));
    }
    assert.equal(new Set(ids).size, PAGES, 'five IDs');

    // Each pair through the Go peer: the lower index asks (one connection
    // a pair); a page's introductions run one at a time.
    const t0 = Date.now();
    await Promise.all(pages.map((page, i) => page.evaluate(async (others, via) => {
      for (const to of others) {
        const p = T.peer.introduce(to, { via });
        const s = await p.session.catch((e) => {
          throw new Error(`introduction to ${to}: ${e.class} ${e.message}; state ${p.conn.state} pc ${p.conn.pc.connectionState} ` +
            `local ${!!p.conn.pc.localDescription} remote ${!!p.conn.pc.remoteDescription}`);
        });
        if (s.idText !== to) throw new Error(`introduced to ${s.idText}, expected ${to}`);
      }
    }, ids.slice(i + 1), goID)));
    console.log(`mesh: ${PAGES * (PAGES - 1) / 2} introductions in ${Date.now() - t0} ms`);

    // Every page sees the Go peer and every other page, verified; the Go peer sees them all.
    for (let i = 0; i < PAGES; i++) {
      const want = [goID, ...ids.filter((x) => x !== ids[i])].sort();
      await H.until(pages[i], (n) => T.peer.sessions.size === n, want.length);
      assert.deepEqual(await sessions(pages[i]), want, `page ${i}'s sessions`);
    }
    let from = seen.length;
    go.write('peers\n');
    const listed = (await next(go, seen, from, 'peers ')).l.split(' ').slice(1).sort();
    assert.deepEqual(listed, [...ids].sort(), 'the Go peer\'s sessions');

    // A message on every page-to-page session proves each pair's channel.
    for (const page of pages) {
      await page.evaluate(() => {
        T.got = new Set();
        T.peer.on('data', (s, d) => T.got.add(`${s.idText} ${new TextDecoder().decode(d)}`));
      });
    }
    for (let i = 0; i < PAGES; i++) {
      await pages[i].evaluate(async (me) => {
        for (const s of T.peer.sessions.values()) await s.send(`from ${me}`);
      }, ids[i]);
    }
    for (let i = 0; i < PAGES; i++) {
      await H.until(pages[i], (want) => want.every((w) => T.got.has(w)),
        ids.filter((x) => x !== ids[i]).map((x) => `${x} from ${x}`));
    }

    // Close Firefox's tab, then a Chromium one; each time every remaining
    // page and the Go peer report the closed one gone, and nothing else.
    const open = new Set(pages.keys());
    for (const c of CLOSE) {
      open.delete(c);
      from = seen.length;
      const closedAt = Date.now();
      await pages[c].close();
      const times = [];
      for (const i of open) {
        const l = await H.until(pages[i], (id) => T.left.find((x) => x.id === id), ids[c], 30000);
        times.push({ who: `page ${i} (${KINDS[i]})`, ms: l.at - closedAt, cls: l.cls });
      }
      const ev = await next(go, seen, from, `event left ${ids[c]}`, 30000).catch((e) => {
        throw new Error(`${e.message}\nlines since the close: ${JSON.stringify(seen.slice(from).map((x) => ({ l: x.l, ms: x.at - closedAt })))}`);
      });
      times.push({ who: 'go', ms: ev.at - closedAt, cls: 'left' });
      const max = Math.max(...times.map((x) => x.ms));
      console.log(`mesh: page ${c} (${KINDS[c]}) closed, seen gone after ${times.map((x) => `${x.who} ${x.ms} ms (${x.cls})`).join(', ')}; max ${max} ms`);
      assert.ok(max < GONE_WITHIN, `the closed page was seen gone after ${max} ms (want < ${GONE_WITHIN} ms)`);
      for (const t of times) assert.ok(['peer-closed', 'left'].includes(t.cls), `${t.who} saw ${t.cls}, not a close`);
      for (const i of open) {
        const want = [goID, ...[...open].filter((j) => j !== i).map((j) => ids[j])].sort();
        assert.deepEqual(await sessions(pages[i]), want, `page ${i} keeps its other sessions`);
      }
    }
  } finally {
    await H.closeAll(...Object.values(browsers));
    await go.stop();
  }
});
