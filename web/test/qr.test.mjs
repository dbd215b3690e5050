// QR codes: the page renders its code as a QR code that zbarimg decodes to
// the link (offer) or the qr form (answer), in Chromium and Firefox; and a
// Chromium whose fake camera plays a video of the offer's QR code pairs by
// scanning it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.mjs';

const tmp = L.tempDir('peer-qr-');
after(() => tmp.remove());
const results = {};
after(() => { if (L.RESULTS) writeFileSync(join(L.RESULTS, 'qr.json'), JSON.stringify(results, null, 2)); });

function zbar(png) {
  return execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' }).trim();
}

async function qrShot(page, name) {
  const file = join(tmp.dir, name);
  const el = await page.$('#qr');
  await el.scrollIntoView();
  await el.screenshot({ path: file });
  return file;
}

for (const kind of ['chromium', 'firefox']) {
  for (const mdns of [true, false]) {
    test(`${kind} (${mdns ? 'mDNS' : 'plain'}): the rendered QR codes decode to the link and the code`, { timeout: 90000 }, async () => {
      const srv = await L.serve();
      const b = await L.launch(kind, { mdns });
      const b2 = await L.launch(kind, { mdns });
      try {
        const po = await L.openPage(b, srv.url);
        await po.click('#btn-offer');
        const offer = await L.myCode(po);
        assert.equal(zbar(await qrShot(po, `${kind}-${mdns}-offer.png`)), offer.link, 'the offer QR holds the link');
        const pa = await L.openPage(b2, offer.link);
        const answer = await L.myCode(pa);
        assert.equal(zbar(await qrShot(pa, `${kind}-${mdns}-answer.png`)), answer.code, 'the answer QR holds the qr form');
        const offerLinkForm = offer.link.slice(offer.link.lastIndexOf('#') + 1);
        results[`${kind} ${mdns ? 'mDNS' : 'plain'}`] = {
          offer: { bytes: offer.bytes, qrForm: offer.code, link: offer.link,
            qrVersionQRForm: await po.evaluate((t) => peerApp.qrVersion(t), offer.code),
            qrVersionLinkForm: await po.evaluate((t) => peerApp.qrVersion(t), offerLinkForm),
            qrVersionLink: offer.qrVersion },
          answer: { bytes: answer.bytes, qrForm: answer.code, link: answer.link,
            qrVersionQRForm: answer.qrVersion,
            qrVersionLink: await pa.evaluate((t) => peerApp.qrVersion(t), answer.link) },
        };
      } finally {
        await L.closeAll(b, b2);
        await srv.stop();
      }
    });
  }
}

// y4m writes a YUV4MPEG2 video (4:2:0) of a black-on-white module matrix,
// centred, a few identical frames (Chromium loops the file).
function y4m(file, modules, W = 1280, H = 720, frames = 4) {
  const n = modules.length, quiet = 4;
  const scale = Math.floor(Math.min(W, H) / (n + 2 * quiet));
  const x0 = Math.floor((W - n * scale) / 2), y0 = Math.floor((H - n * scale) / 2);
  const Y = Buffer.alloc(W * H, 235);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!modules[r][c]) continue;
      for (let dy = 0; dy < scale; dy++) Y.fill(16, (y0 + r * scale + dy) * W + x0 + c * scale, (y0 + r * scale + dy) * W + x0 + (c + 1) * scale);
    }
  }
  const UV = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Y, UV);
  writeFileSync(file, Buffer.concat(parts));
  return scale;
}

test('chromium pairs by scanning the offer with its (fake) camera', { timeout: 120000 }, async () => {
  const srv = await L.serve();
  const bo = await L.launch('chromium', { mdns: false });
  let bc;
  try {
    const po = await L.openPage(bo, srv.url);
    await po.click('#btn-offer');
    const offer = await L.myCode(po);
    // The QR code's modules, read back from the page's canvas (8 px a module, 4 quiet).
    const modules = await po.evaluate(() => {
      const c = document.getElementById('qr');
      const g = c.getContext('2d');
      const n = c.width / 8 - 8;
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const m = [];
      for (let r = 0; r < n; r++) {
        const row = [];
        for (let col = 0; col < n; col++) row.push(px[(((r + 4) * 8 + 4) * c.width + (col + 4) * 8 + 4) * 4] < 128);
        m.push(row);
      }
      return m;
    });
    const video = join(tmp.dir, 'offer.y4m');
    const scale = y4m(video, modules);
    assert.ok(scale >= 3, `QR too dense for the video: ${modules.length} modules`);
    bc = await L.launch('chromium', { mdns: false, extraArgs: ['--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`] });
    const pc = await L.openPage(bc, srv.url);
    await pc.click('#btn-scan');
    await pc.waitForFunction(() => peerApp.scanned || peerApp.state === 'failed', { timeout: 30000, polling: 100 });
    assert.equal(await pc.evaluate(() => peerApp.scanned), offer.link, 'the camera read the link');
    const answer = await L.myCode(pc);
    await L.paste(po, answer.code);
    await Promise.all([L.waitState(po, 'connected'), L.waitState(pc, 'connected')]);
    const t = L.tag();
    await L.sendChat(pc, `scanned ${t}`);
    await L.waitChat(po, `scanned ${t}`);
  } finally {
    await L.closeAll(bo, bc);
    await srv.stop();
  }
});
