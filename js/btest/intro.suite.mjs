// An introduction (IDENTITY.md §6) between two browsers through a Go peer
// (ref/peer, js/internal/introducer): Chromium page A and Firefox page C
// each pair with Go peer B by code; then A connects to C through B with no
// code, both verify each other's ID, and a message goes from A to C. Then
// B asks them to connect again (invite) after they part.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

const INTRODUCER = process.env.PEER_INTRODUCER_BIN || 'introducer';
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// line waits for a line of the introducer's stdout that starts with prefix.
async function line(go, prefix, ms = 30000) {
  let found;
  await go.until(() => (found = go.out.toString().split('\n').find((l) => l.startsWith(prefix))), ms, `"${prefix}"`);
  return found.slice(prefix.length);
}

async function pairWith(page, go, name) {
  await page.evaluate(async (n) => {
    T.peer = await T.P.Peer.open({ name: n, persist: false });
    T.joined = [];
    T.got = [];
    T.peer.on('joined', (s) => T.joined.push(s.idText));
    T.peer.on('data', (s, b) => T.got.push(`${s.idText}: ${new TextDecoder().decode(b)}`));
  }, name);
  const offer = await page.evaluate(async () => { T.first = T.peer.pair(); return T.first.offer(); });
  go.out = Buffer.alloc(0); // each answer is the next "answer " line
  go.write(`answer ${offer}\n`);
  const answer = await line(go, 'answer ');
  return page.evaluate(async (a) => {
    await T.first.connect(a);
    const s = await T.first.session;
    return { me: T.peer.idText, them: s.idText };
  }, answer);
}

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
