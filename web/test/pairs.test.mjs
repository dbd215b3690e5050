// Browser ↔ browser: Chromium and Firefox in both roles, with mDNS host
// candidates and with plain addresses. The offerer's page shows its code;
// the answerer opens the link (code in the fragment); the offerer reads the
// answer by paste. Then chat and a file both ways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const FILE_BYTES = 300 * 1024 + 7;

let srv;
before(async () => { srv = await L.serve(); });
after(async () => { await srv?.stop(); });

// pair connects an offerer page and an answerer page and exchanges data.
async function pair(offerKind, answerKind, mdns) {
  const bo = await L.launch(offerKind, { mdns });
  const ba = await L.launch(answerKind, { mdns });
  try {
    const po = await L.openPage(bo, srv.url);
    await po.click('#btn-offer');
    const offer = await L.myCode(po);
    assert.match(offer.link, /#P-[A-Z2-7]+$/);
    assert.equal(offer.qrText, offer.link, 'the offer QR holds the link');

    const pa = await L.openPage(ba, offer.link); // the fragment carries the offer
    const answer = await L.myCode(pa);
    assert.match(answer.code, /^P:/);
    await L.paste(po, answer.code);
    await Promise.all([L.waitState(po, 'connected'), L.waitState(pa, 'connected')]);

    for (const [p, other] of [[po, pa], [pa, po]]) {
      const k = L.candidateKinds(await L.localSDP(p));
      if (mdns) assert.ok(k.mdns && !k.plain, `mDNS-only candidates expected: ${await L.localSDP(p)}`);
      else assert.ok(k.plain && !k.mdns, `plain candidates expected: ${await L.localSDP(p)}`);
      void other;
    }

    const t = L.tag();
    await L.sendChat(po, `hello from the offerer ${t}`);
    await L.waitChat(pa, `hello from the offerer ${t}`);
    await L.sendChat(pa, `hello from the answerer ${t} ✓`);
    await L.waitChat(po, `hello from the answerer ${t} ✓`);

    const [so, sa] = await Promise.all([
      L.sendRandomFile(po, 'from-offerer.bin', FILE_BYTES),
      L.sendRandomFile(pa, 'from-answerer.bin', FILE_BYTES + 1),
    ]);
    const [ra, ro] = await Promise.all([L.receivedFile(pa, 'from-offerer.bin'), L.receivedFile(po, 'from-answerer.bin')]);
    assert.deepEqual(ra, { name: 'from-offerer.bin', size: FILE_BYTES, sha: so });
    assert.deepEqual(ro, { name: 'from-answerer.bin', size: FILE_BYTES + 1, sha: sa });
    return { offer: offer.bytes, answer: answer.bytes };
  } finally {
    await L.closeAll(bo, ba);
  }
}

for (const mdns of [true, false]) {
  describe(mdns ? 'mDNS candidates' : 'plain addresses', () => {
    for (const [o, a] of [['chromium', 'chromium'], ['chromium', 'firefox'], ['firefox', 'chromium'], ['firefox', 'firefox']]) {
      test(`${o} offers, ${a} answers`, { timeout: 120000 }, async (t) => {
        const sizes = await pair(o, a, mdns);
        t.diagnostic(`code sizes: offer ${sizes.offer} B, answer ${sizes.answer} B`);
      });
    }
  });
}
