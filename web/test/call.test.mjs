// Video calls: page ↔ page (Chromium→Chromium, Chromium→Firefox,
// Firefox→Chromium, Firefox→Firefox) through the codes (the compact
// audio/video form, SPEC.md §14) with the browsers' fake camera and microphone, and page ↔ `peer
// serve -video -audio -record` (the page decodes the files' frames, serve
// records the page's camera). Proven by getStats (inbound-rtp framesDecoded
// and packetsReceived) and, for serve, by parsing the recorded IVF and Ogg.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as L from './lib.mjs';

const MEDIA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'media');
const FAKE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

const launch = (kind) => L.launch(kind, { extraArgs: FAKE });

// decoding waits until the page has decoded video frames and received
// audio packets, and returns its stats.
async function decoding(page, what) {
  const t0 = Date.now();
  for (;;) {
    const s = await page.evaluate(() => peerApp.callStats());
    if (s.video.framesDecoded > 0 && s.audio.packetsReceived > 0) return s;
    if (Date.now() - t0 > 30000) {
      throw new Error(`${what}: no frames decoded in 30 s: ${JSON.stringify(s)}, call ${JSON.stringify(await page.evaluate(() => peerApp.call))}; logs: ${page.logs.join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ivfFrames parses an IVF file's header and frame headers and returns its
// codec and frame count (a truncated frame is an error).
export function ivfFrames(b) {
  assert.equal(b.subarray(0, 4).toString('latin1'), 'DKIF', 'IVF signature');
  const hdr = b.readUInt16LE(6);
  const fourcc = b.subarray(8, 12).toString('latin1');
  let n = 0;
  for (let off = hdr; off < b.length; n++) {
    assert.ok(off + 12 <= b.length, `frame ${n}: truncated header`);
    const size = b.readUInt32LE(off);
    assert.ok(size > 0 && off + 12 + size <= b.length, `frame ${n}: size ${size} past the end`);
    off += 12 + size;
  }
  return { fourcc, frames: n };
}

// oggPages counts an Ogg file's pages (each starts with OggS).
function oggPages(b) {
  let n = 0;
  for (let off = 0; off + 27 <= b.length; n++) {
    assert.equal(b.subarray(off, off + 4).toString('latin1'), 'OggS', `page ${n}: no OggS`);
    const segs = b[off + 26];
    let len = 0;
    for (let i = 0; i < segs; i++) len += b[off + 27 + i];
    off += 27 + segs + len;
  }
  return n;
}

const results = {};
after(() => { if (L.RESULTS) writeFileSync(join(L.RESULTS, 'call.json'), JSON.stringify(results, null, 1)); });

describe('page ↔ page', () => {
  let srv;
  before(async () => { srv = await L.serve(); });
  after(async () => { await srv?.stop(); });

  for (const [o, a] of [['chromium', 'firefox'], ['firefox', 'chromium'], ['chromium', 'chromium'], ['firefox', 'firefox']]) {
    test(`${o} calls, ${a} answers; ${a} hangs up`, { timeout: 120000 }, async (t) => {
      const bo = await launch(o);
      const ba = await launch(a);
      try {
        const po = await L.openPage(bo, srv.url);
        await po.click('#call-toggle');
        await L.click(po, '#btn-offer');
        const offer = await L.myCode(po);
        const pa = await L.openPage(ba, offer.link); // an offer with media: answered as a call
        const answer = await L.myCode(pa);
        await L.paste(po, answer.code);
        await Promise.all([L.waitState(po, 'connected'), L.waitState(pa, 'connected')]);
        for (const p of [po, pa]) {
          assert.equal(await p.evaluate(() => document.getElementById('call').hidden), false, 'the call shows');
          assert.deepEqual(await p.evaluate(() => peerApp.call.local.sort()), ['audio', 'video'], 'camera and microphone sent');
        }
        const [so, sa] = await Promise.all([decoding(po, o), decoding(pa, a)]);
        await L.screenshot(pa, `call-${o}-${a}-answerer`);
        t.diagnostic(`codes: offer ${offer.bytes} B, answer ${answer.bytes} B; ${o} decoded ${so.video.framesDecoded} frames, ${a} ${sa.video.framesDecoded}`);
        results[`${o}-${a}`] = { offerBytes: offer.bytes, answerBytes: answer.bytes };

        // Mute and camera off reach the tracks; hang up reaches the other side.
        await pa.evaluate(() => { peerApp.setMuted(true); peerApp.setCameraOff(true); });
        assert.deepEqual(await pa.evaluate(() => [peerApp.call.muted, peerApp.call.cameraOff,
          document.getElementById('btn-mute').textContent]), [true, true, 'Unmute']);
        const t0 = Date.now();
        await L.click(pa, '#btn-call-hangup');
        await L.waitState(po, 'closed', 10000);
        const ms = Date.now() - t0;
        t.diagnostic(`hang-up seen by ${o} after ${ms} ms`);
        assert.ok(ms < 2000, `hang-up seen after ${ms} ms, want < 2 s`);
        assert.equal(await pa.evaluate(() => document.getElementById('local-video').srcObject), null, 'the camera is released');
      } finally {
        await L.closeAll(bo, ba);
      }
    });
  }
});

describe('page ↔ peer serve -video -audio -record', () => {
  for (const kind of ['chromium', 'firefox']) {
    test(`${kind} plays serve's files, serve records ${kind}'s camera`, { timeout: 120000 }, async (t) => {
      const rec = L.tempDir('peer-call-');
      const go = await L.serve(['-video', join(MEDIA, 'vp8.ivf'), '-audio', join(MEDIA, 'opus.ogg'), '-record', rec.dir]);
      const b = await launch(kind);
      try {
        const page = await L.openPage(b, go.link);
        await L.waitState(page, 'connected');
        // Focusing the chat box costs Firefox 70-100 ms of the page's thread
        // as the first frames arrive (web/README.md, "Time to the first frame").
        assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'chat-input', 'a call does not focus the chat box');
        const s = await decoding(page, kind);
        t.diagnostic(`${kind} decoded ${s.video.framesDecoded} frames of vp8.ivf`);
        // Let serve record a few of the page's frames (a key frame first).
        await new Promise((r) => setTimeout(r, 2000));
        await L.click(page, '#btn-call-hangup');
        await go.until(() => /recorded \S+video-1\.ivf/.test(go.err) && /recorded \S+audio-1\.ogg/.test(go.err), 20000, 'the recordings');
        const video = /recorded (\S+video-1\.ivf)/.exec(go.err)[1];
        const audio = /recorded (\S+audio-1\.ogg)/.exec(go.err)[1];
        const v = ivfFrames(readFileSync(video));
        t.diagnostic(`serve recorded ${v.frames} ${v.fourcc} frames and ${oggPages(readFileSync(audio))} Ogg pages from ${kind}`);
        assert.ok(['VP80', 'VP90'].includes(v.fourcc), `codec ${v.fourcc}`);
        assert.ok(v.frames > 1, `${v.frames} frames recorded`);
        assert.ok(oggPages(readFileSync(audio)) > 3, 'audio pages recorded');
      } finally {
        await L.closeAll(b);
        await go.stop();
        rec.remove();
      }
    });
  }
});

// goCall: peer offer or peer answer with -video, -audio and -record, and a
// page in a call with it: the page decodes the Go side's frames, the Go
// side records the page's camera and microphone; both end their streams
// and peer exits 0.
describe('page ↔ peer offer / peer answer -video -audio -record', () => {
  for (const [kind, role, video] of [['chromium', 'offer', 'vp8.ivf'], ['firefox', 'answer', 'vp9.ivf']]) {
    test(`${kind} with peer ${role} -video ${video}`, { timeout: 120000 }, async (t) => {
      const srv = await L.serve();
      const rec = L.tempDir('peer-call-');
      const b = await launch(kind);
      const go = new L.GoPeer([role, '-stdio', '-video', join(MEDIA, video), '-audio', join(MEDIA, 'opus.ogg'), '-record', rec.dir]);
      try {
        const page = await L.openPage(b, srv.url);
        if (role === 'offer') {
          await L.paste(page, await go.firstLine()); // an offer with media: answered as a call
          go.write((await L.myCode(page)).code + '\n');
        } else {
          await page.click('#call-toggle');
          await L.click(page, '#btn-offer');
          go.write((await L.myCode(page)).code + '\n');
          await L.paste(page, await go.firstLine());
        }
        await L.waitState(page, 'connected');
        const s = await decoding(page, kind);
        t.diagnostic(`${kind} decoded ${s.video.framesDecoded} frames of ${video}`);
        go.end(); // peer ends its stream once its files have played
        await page.waitForFunction(() => peerApp.peerEnded, { timeout: 30000, polling: 100 });
        await page.evaluate(() => peerApp.endStream());
        assert.equal(await go.waitExit(30000), 0, `peer ${role} exits 0; stderr:\n${go.err}`);
        const v = ivfFrames(readFileSync(join(rec.dir, 'video-1.ivf')));
        const pages = oggPages(readFileSync(join(rec.dir, 'audio-1.ogg')));
        t.diagnostic(`peer ${role} recorded ${v.frames} ${v.fourcc} frames and ${pages} Ogg pages from ${kind}`);
        assert.ok(v.frames > 1, `${v.frames} frames recorded`);
        assert.ok(pages > 3, 'audio pages recorded');
      } finally {
        await L.closeAll(b);
        await go.stop();
        await srv.stop();
        rec.remove();
      }
    });
  }
});
