// Bundle-only sections through the codes (SPEC.md §14.4): Firefox with
// bundlePolicy 'max-bundle' offers audio, video and data, its video and
// data sections bundle-only (port 0, address 0.0.0.0, no candidate); the
// offer goes through the codec (encode, decode: the A/V form, whose 0x02 and
// 0x03 stand for that port and address), the answerer (same policy) takes
// the decoded offer and answers through the codec too, and each side
// decodes the other's video frames and receives its audio (getStats
// inbound-rtp). The pages connect only through the loopback TURN server
// (js/internal/turnrelay), as the other media suites do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';
import { line } from './introducer.mjs';
import { launchMedia, relayOptions, grows, ZERO, mediaConn } from './media.mjs';
import * as codec from '../src/index.js';

const TURNRELAY = process.env.PEER_TURNRELAY_BIN || 'turnrelay';
let server;
before(async () => { server = await H.serveJS(); });
after(async () => { await server?.close(); });

// describe makes the page's RTCPeerConnection (T.mediaPC) with cfg,
// sends the fake microphone and camera (and, for an offer, opens a data
// channel), sets the local description (the answer to remote when given)
// and returns it once ICE gathering is complete.
const describe = (page, cfg, remote) => page.evaluate(async (c, r) => {
  const pc = T.mediaPC = new RTCPeerConnection(c);
  if (r) await pc.setRemoteDescription({ type: 'offer', sdp: r });
  const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const t of s.getTracks()) pc.addTrack(t, s);
  if (!r) pc.createDataChannel('data');
  const done = new Promise((ok) => {
    if (pc.iceGatheringState === 'complete') ok();
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') ok(); });
  });
  await pc.setLocalDescription();
  await done;
  return pc.localDescription.sdp;
}, cfg, remote);

// bundleOnly lists the kinds of the sections of sdp that are bundle-only:
// port 0 and an a=bundle-only line.
function bundleOnly(sdp) {
  return sdp.split(/\r?\n(?=m=)/).slice(1)
    .filter((s) => /^m=\w+ 0 /.test(s) && /\r?\na=bundle-only\r?\n/.test(s))
    .map((s) => s.slice(2, s.indexOf(' ')));
}

// withPages starts the TURN server and a page of each of kinds (fake
// microphone and camera), runs body(pages, the relay's options), then
// checks that each page decodes the other's video frames and receives its
// audio, and closes everything.
async function withPages(kinds, body) {
  const relay = new H.Proc(TURNRELAY, []);
  const bs = [];
  try {
    const relayOpts = relayOptions(await line(relay, 'turn '));
    const pages = [];
    for (const k of kinds) {
      bs.push(await launchMedia(k));
      pages.push(await H.openTestPage(bs.at(-1), server.url));
    }
    await body(pages, relayOpts);
    for (const p of pages) {
      const got = await grows(p, ZERO, 30000);
      assert.ok(got.frames > 0 && got.audio > 0, `frames decoded and audio received: ${JSON.stringify(got)}`);
    }
  } finally {
    await H.closeAll(...bs);
    await relay.stop();
  }
}

// The library's PeerConnection takes the policy too (options.bundlePolicy):
// Firefox's offer code, made by the library, carries bundle-only sections,
// and the call's media flows through the library's codes.
test('firefox and chromium PeerConnections with bundlePolicy max-bundle: audio and video through the library\'s codes', { timeout: 120000 }, async () => {
  await withPages(['firefox', 'chromium'], async ([po, pa], relayOpts) => {
    for (const p of [po, pa]) await mediaConn(p, { ...relayOpts, patient: false, bundlePolicy: 'max-bundle' });
    const offer = await po.evaluate(() => T.conns.c.c.offer());
    const decoded = codec.decode(codec.parseText(offer));
    assert.deepEqual(bundleOnly(decoded.sdp), ['video', 'application'], 'the library\'s offer code carries bundle-only sections');
    const answer = await pa.evaluate((x) => T.conns.c.c.connect(x), offer);
    await po.evaluate((x) => T.conns.c.c.connect(x), answer);
    await H.waitOpen(po, 'c');
    await H.waitOpen(pa, 'c');
  });
});

for (const [o, a] of [['firefox', 'chromium'], ['firefox', 'firefox']]) {
  test(`${o} (max-bundle, bundle-only sections) calls ${a} through the codes: audio and video both ways`, { timeout: 120000 }, async () => {
    await withPages([o, a], async ([po, pa], relayOpts) => {
      const cfg = { ...relayOpts, bundlePolicy: 'max-bundle' };
      const offer = await describe(po, cfg);
      assert.deepEqual(bundleOnly(offer), ['video', 'application'], `${o}'s max-bundle offer has bundle-only sections`);
      const offerCode = codec.encode({ type: 'offer', sdp: offer });
      assert.equal(offerCode[0], 18, 'the offer code is of the A/V form (head 18)');
      const offerOut = codec.decode(offerCode);
      assert.deepEqual(bundleOnly(offerOut.sdp), ['video', 'application'], 'the decoded offer keeps them');
      assert.ok(codec.equivalent({ type: 'offer', sdp: offer }, offerOut), 'the decoded offer is equivalent (§3.6)');

      const answer = await describe(pa, cfg, offerOut.sdp);
      const answerCode = codec.encode({ type: 'answer', sdp: answer }, offerCode);
      const answerOut = codec.decode(answerCode, { offer: offerCode });
      await po.evaluate((s) => T.mediaPC.setRemoteDescription({ type: 'answer', sdp: s }), answerOut.sdp);
      console.log(`${o} → ${a}: offer ${offer.length} B of SDP, code ${offerCode.length} B; answer ${answer.length} B, code ${answerCode.length} B`);
    });
  });
}
