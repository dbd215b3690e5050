// Browser ↔ Go: Chromium and Firefox with the Go peer of `peer serve`, in
// both roles, with mDNS host candidates and with plain addresses. The Go
// peer's codes come from `peer` (the Go codec), the page's from the JS
// codec. Chat and a file go both ways: the Go side's stdin and stdout are the
// stream, as with `peer answer > file`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as L from './lib.mjs';

const FILE_BYTES = 256 * 1024 + 3;

// exchange checks chat and a file both ways between page and a bridged Go
// peer (`peer serve`, `peer offer` or `peer answer`), then that it exits 0.
async function exchange(page, go) {
  const t = L.tag();
  const goLine = `hello from go ${t}\n`;
  go.write(goLine);
  await L.waitChat(page, goLine.trim());
  const pageLine = `hello from the browser ${t}`;
  await L.sendChat(page, pageLine);
  await go.until(() => go.rest().toString().includes(pageLine), 15000, 'the chat line');

  const goFile = L.rand(FILE_BYTES);
  go.write(goFile);
  go.end(); // end of stdin: the Go side ends its stream
  const sha = await L.sendRandomFile(page, 'to-go.bin', FILE_BYTES + 5, true);
  const got = await L.receivedStream(page);
  assert.deepEqual(got, { size: goLine.length + goFile.length, sha: L.sha256(Buffer.concat([Buffer.from(goLine), goFile])) },
    'the page received the Go side\'s stream');
  assert.equal(await go.waitExit(30000), 0, `peer exits 0; stderr:\n${go.err}`);
  const out = go.rest();
  const expectHead = Buffer.from(pageLine + '\n');
  assert.ok(out.subarray(0, expectHead.length).equals(expectHead), 'chat line first on stdout');
  const file = out.subarray(expectHead.length);
  assert.equal(file.length, FILE_BYTES + 5);
  assert.equal(L.sha256(file), sha, 'the file arrived byte-exact on stdout');
}

// connected waits for the page to connect, reporting the Go side's stderr.
async function connected(page, go) {
  try {
    await L.waitState(page, 'connected');
  } catch (err) {
    throw new Error(`${err.message}\npeer ${go.args[0]} stderr:\n${go.err}`);
  }
}

function checkCandidates(sdp, mdns) {
  const k = L.candidateKinds(sdp);
  if (mdns) assert.ok(k.mdns && !k.plain, `mDNS-only candidates expected:\n${sdp}`);
  else assert.ok(k.plain && !k.mdns, `plain candidates expected:\n${sdp}`);
}

let hasConnCmds = true;
try {
  execFileSync(L.PEER, ['offer', '-h'], { stdio: 'pipe' });
} catch (err) {
  hasConnCmds = err.status === 2 && !String(err.stderr).includes('unknown command');
}

for (const mdns of [true, false]) {
  describe(mdns ? 'mDNS candidates' : 'plain addresses', () => {
    for (const kind of ['chromium', 'firefox']) {
      test(`${kind} answers the offer of peer serve (one scan: the link)`, { timeout: 120000 }, async () => {
        const go = await L.serve();
        const b = await L.launch(kind, { mdns });
        try {
          const page = await L.openPage(b, go.link);
          await connected(page, go);
          assert.equal(await page.evaluate(() => document.getElementById('mine').hidden), true,
            'no answer to carry back: the page posted it');
          checkCandidates(await L.localSDP(page), mdns);
          await exchange(page, go);
        } finally {
          await L.closeAll(b);
          await go.stop();
        }
      });

      test(`${kind} offers, peer serve answers`, { timeout: 120000 }, async () => {
        const go = await L.serve();
        const b = await L.launch(kind, { mdns });
        try {
          const page = await L.openPage(b, go.pageLink);
          await page.click('#btn-serve');
          await connected(page, go);
          checkCandidates(await L.localSDP(page), mdns);
          await exchange(page, go);
        } finally {
          await L.closeAll(b);
          await go.stop();
        }
      });

      test(`${kind} answers peer offer (paste)`, { timeout: 120000, skip: !hasConnCmds && 'peer offer is not built yet' }, async () => {
        const srv = await L.serve();
        const go = new L.GoPeer(['offer', '-stdio']);
        const b = await L.launch(kind, { mdns });
        try {
          const offer = await go.firstLine();
          const page = await L.openPage(b, srv.url);
          await L.paste(page, offer);
          const answer = await L.myCode(page);
          go.write(answer.code + '\n');
          await connected(page, go);
          checkCandidates(await L.localSDP(page), mdns);
          await exchange(page, go);
        } finally {
          await L.closeAll(b);
          await go.stop();
          await srv.stop();
        }
      });

      test(`${kind} offers, peer answer answers (paste)`, { timeout: 120000, skip: !hasConnCmds && 'peer answer is not built yet' }, async () => {
        const srv = await L.serve();
        const b = await L.launch(kind, { mdns });
        let go;
        try {
          const page = await L.openPage(b, srv.url);
          await page.click('#btn-offer');
          const offer = await L.myCode(page);
          go = new L.GoPeer(['answer', '-stdio']);
          go.write(offer.code + '\n');
          const answer = await go.firstLine();
          await L.paste(page, answer);
          await connected(page, go);
          checkCandidates(await L.localSDP(page), mdns);
          await exchange(page, go);
        } finally {
          await L.closeAll(b);
          await go?.stop();
          await srv.stop();
        }
      });
    }
  });
}

test('peer serve refuses a bad code and an answer made for another offer', { timeout: 60000 }, async () => {
  const a = await L.serve();
  const other = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    // A page answers the other server's offer; its answer is bound to that offer.
    const j = await (await fetch(other.url + 'api/offer', { headers: other.auth })).json();
    const page = await L.openPage(b, a.url);
    await L.paste(page, j.code);
    const answer = await L.myCode(page);
    const post = (body) => fetch(a.url + 'api/answer', { method: 'POST', body, headers: a.auth });
    let r = await post(answer.code);
    assert.equal(r.status, 409);
    assert.equal((await r.json()).class, 'binding');
    r = await post('hello');
    assert.equal(r.status, 400);
    assert.equal((await r.json()).class, 'foreign');
    r = await post(j.code.slice(0, -3));
    assert.equal(r.status, 400);
    assert.equal((await r.json()).class, 'malformed');
    // The page says so too.
    const p2 = await L.openPage(b, a.url);
    await p2.click('#btn-offer');
    await L.myCode(p2);
    await L.paste(p2, answer.code);
    await p2.waitForFunction(() => peerApp.error?.class === 'binding', { timeout: 5000, polling: 100 });
    await L.paste(p2, 'P-AAAA');
    await p2.waitForFunction(() => peerApp.error && peerApp.error.class !== 'binding', { timeout: 5000, polling: 100 });
  } finally {
    await L.closeAll(b);
    await a.stop();
    await other.stop();
  }
});

test('peer serve refuses the API without the pairing secret; the page takes it from the link', { timeout: 60000 }, async () => {
  const go = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    // The page's URL without the secret: a page for two browsers, not for
    // the Go peer; the API refuses requests made without the secret.
    const bare = await L.openPage(b, go.url);
    assert.equal(await bare.evaluate(() => document.getElementById('btn-serve').hidden), true);
    const statuses = await bare.evaluate(async () => {
      const get = await fetch('api/offer');
      const wrong = await fetch('api/offer', { headers: { Authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAA' } });
      const post = await fetch('api/offer', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'P:AAAA' });
      return [get.status, wrong.status, post.status, (await post.json()).class];
    });
    assert.deepEqual(statuses, [401, 401, 401, 'secret']);
    // A page of another origin (another peer serve) posts a valid offer to
    // the API, cross-site and text/plain (no preflight): peer serve stays
    // unpaired.
    const evil = await L.serve();
    try {
      const theirOffer = (await (await fetch(evil.url + 'api/offer', { headers: evil.auth })).json()).code;
      const ep = await L.openPage(b, evil.url);
      await ep.evaluate(async (target, body) => {
        await fetch(target + 'api/offer', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body });
        await fetch(target + 'api/answer', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body });
      }, go.url, theirOffer);
      assert.equal((await fetch(go.url + 'api/offer', { headers: go.auth })).status, 200, 'still unpaired');
    } finally {
      await evil.stop();
    }
    // With the secret: the page can pair with the Go peer, the address bar
    // no longer shows the secret, and a reload keeps it (this tab only).
    const page = await L.openPage(b, go.pageLink);
    assert.equal(await page.evaluate(() => document.getElementById('btn-serve').hidden), false);
    assert.equal(await page.evaluate(() => location.hash), '');
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.peerApp && window.peerApp.state !== 'loading', { timeout: 15000, polling: 100 });
    assert.equal(await page.evaluate(() => document.getElementById('btn-serve').hidden), false, 'the secret survives a reload');
    await page.click('#btn-serve');
    await connected(page, go);
  } finally {
    await L.closeAll(b);
    await go.stop();
  }
});

test('a page opened without the secret answers peer serve by itself once its link is pasted', { timeout: 60000 }, async () => {
  const go = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    const page = await L.openPage(b, go.url);
    await L.paste(page, go.link);
    await connected(page, go);
    assert.equal(await page.evaluate(() => document.getElementById('mine').hidden), true,
      'no answer to carry back: the page posted it with the secret of the pasted link');
  } finally {
    await L.closeAll(b);
    await go.stop();
  }
});
