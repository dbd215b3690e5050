// The Peer of the library (identity in IndexedDB, HELLO, known peers,
// reconnect codes) in Chromium and Firefox with ref/peer (Go, through
// `peer chat`): both see each other's verified ID; after a reload the page
// has the same ID and reconnects with a reconnect code; an impostor (the
// expected ID, another key) is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as H from './harness.mjs';

let server, dir;
before(async () => {
  server = await H.serveJS();
  dir = mkdtempSync(join(tmpdir(), 'peer-js-identity-'));
});
after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// goID creates (or reads) the Go identity in file and returns its ID's text and short forms.
function goID(file) {
  const out = execFileSync(H.PEER, ['id', '-identity', file], { encoding: 'utf8' });
  return { text: /^id:\s+(\S+)/m.exec(out)[1], short: /^short id:\s+(\S+)/m.exec(out)[1] };
}

function chat(name, extra) {
  return new H.GoPeer(['chat', '-listen', 'none', '-identity', join(dir, name), '-store', join(dir, name + '.peers.json'), ...extra]);
}

// openPeer opens the page's Peer and records its sessions' data.
async function openPeer(page, kind) {
  return page.evaluate(async (name) => {
    T.peer = await T.P.Peer.open({ name });
    T.got = [];
    T.peer.on('data', (s, b) => T.got.push(`${s.idShort}: ${new TextDecoder().decode(b)}`));
    return { text: T.peer.idText, short: T.peer.idShort };
  }, `peer-test-${kind}`);
}

for (const kind of ['chromium', 'firefox']) {
  test(`${kind} Peer with Go's peer chat: verified IDs, reload and reconnect code, impostor refused`, { timeout: 180000 }, async () => {
    const a = goID(join(dir, `a-${kind}`));
    const b = await H.launch(kind, { mdns: false });
    const gos = [];
    try {
      const page = await H.openTestPage(b, server.url);
      const me = await openPeer(page, kind);

      // Pairing by code: the page offers, Go answers; HELLO both ways.
      const offer = await page.evaluate(async () => { T.pairing = T.peer.pair(); return T.pairing.offer(); });
      const go = chat(`a-${kind}`, ['-answer', '-form', 'qr']);
      gos.push(go);
      go.write(offer + '\n');
      const answer = await go.firstLine();
      const seen = await page.evaluate(async (x) => {
        await T.pairing.connect(x);
        const s = await T.pairing.session;
        return { text: s.idText, short: s.idShort };
      }, answer);
      assert.deepEqual(seen, a, 'the page verified the Go peer\'s ID');
      await go.until(() => go.err.includes(`paired with ${me.short}`), 20000, 'Go to verify the page\'s ID');
      await page.evaluate(() => T.pairing.session.then((s) => s.send('hello go')));
      await go.until(() => go.rest().toString().includes(`${me.short}: hello go`), 15000, 'the page\'s line');
      go.write('hello page\n');
      await H.until(page, (s) => T.got.includes(`${s}: hello page`), a.short);
      go.end();
      await go.waitExit(15000);

      // The page reloads: same ID from IndexedDB; its offer to the Go peer,
      // which remembers its certificate, is a reconnect code.
      await page.reload({ waitUntil: 'load' });
      await page.waitForFunction(() => window.ready === true, { timeout: 15000 });
      assert.deepEqual(await openPeer(page, kind), me, 'the same ID after a reload');
      const again = await page.evaluate(async (expect) => {
        T.pairing = T.peer.pair({ expect });
        const code = await T.pairing.offer();
        return { code, reconnect: !!T.P.reconnectHint(T.P.parseText(code)), full: T.P.formatText(T.pairing.conn.offerCode, 'qr').length };
      }, a.text);
      assert.ok(again.reconnect, `a reconnect code: ${again.code}`);
      console.log(`${kind}: offer code ${offer.length} chars (QR version ${await H.qrVersion(offer)}) first, ` +
        `reconnect code ${again.code.length} chars (QR version ${await H.qrVersion(again.code)}; its full form ${again.full} chars)`);
      const go2 = chat(`a-${kind}`, ['-answer', '-pair', '-form', 'qr']);
      gos.push(go2);
      go2.write(again.code + '\n');
      const answer2 = await go2.firstLine();
      const seen2 = await page.evaluate(async (x) => {
        await T.pairing.connect(x);
        return (await T.pairing.session).idText;
      }, answer2);
      assert.equal(seen2, a.text);
      await go2.until(() => go2.err.includes(`paired with ${me.short}`), 20000, 'Go to verify the page again');
      go2.end();
      await go2.waitExit(15000);

      // An impostor: the page expects the Go peer a; another key (b) offers.
      const imp = chat(`b-${kind}`, ['-pair', '-form', 'qr']);
      gos.push(imp);
      const impOffer = await imp.firstLine();
      const refused = await page.evaluate(async (expect, o) => {
        T.pairing = T.peer.pair({ expect });
        const ans = await T.pairing.connect(o);
        return { ans };
      }, a.text, impOffer);
      imp.write(refused.ans + '\n');
      const cls = await page.evaluate(() => T.pairing.session.then(() => 'accepted', (e) => e.class));
      assert.equal(cls, 'auth', 'the impostor is refused');
    } finally {
      await H.closeAll(b);
      for (const g of gos) await g.stop();
    }
  });
}
