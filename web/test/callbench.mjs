// The call measurement (web/README.md, "Time to the first frame"): the time
// from the second code (the answer, handed to the Go offerer) to the first
// video frame the browser decodes, browser ↔ Go over loopback, against the
// same call made with plain pion and full SDP, alternating, in one run.
//
//   codes: `peer offer -video vp8.ivf -stdio` makes the offer's code; the page
//          (served by `peer serve`) opens its link and answers as it does for
//          a person (patiently, its camera in the answer); the answer's code
//          goes to peer offer's stdin: t0.
//   plain: internal/plaincall (pion's defaults) prints its offer's SDP; the
//          browser answers with a bare RTCPeerConnection (its fake camera
//          in the answer, as the page's; all its candidates); the answer's SDP goes to plaincall's stdin: t0.
// End: the first getStats with inbound-rtp video framesDecoded > 0, polled
// every 5 ms in the page (the same for both).
//
// BARE=1 adds a third way, to tell the Go side from the page: `peer offer`
// and its codes as in the first, answered by the bare RTCPeerConnection of
// the plain way (the codes decoded and encoded here with the JS codec).
//
//   cd web && PEER_BIN=/path/peer PLAINCALL_BIN=/path/plaincall [HOLD_MS=3000] [BARE=1] node test/callbench.mjs [rounds] [chromium|firefox]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as C from '../../js/src/index.js';
import * as L from './lib.mjs';

const MEDIA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'media');
const VIDEO = join(MEDIA, 'vp8.ivf');
const PLAIN = process.env.PLAINCALL_BIN || 'plaincall';
const ROUNDS = Number(process.argv[2] || 5);
const KIND = process.argv[3] || 'chromium';
// HOLD_MS: how long the answer waits, once made, before the Go side gets it
// (a person carrying a code takes seconds), the same in both ways. It
// matters: an answerer's unanswered ICE checks back off, and pion's
// controlling agent then nominates at its 200 ms check tick instead of at
// once (measured: plain pion handed its answer at once connects ICE in
// 50-80 ms, after 3 s in about 210 ms, as ref does).
const HOLD_MS = Number(process.env.HOLD_MS ?? 3000);
const hold = () => new Promise((r) => setTimeout(r, HOLD_MS));
const FAKE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

// firstFrame resolves, in the page, with the time (ms since the epoch) of
// the first poll that sees a decoded video frame on pc (a function of the
// page returning the connection).
function firstFrame(page, getPC) {
  return page.evaluate(async (getPC) => {
    const pc = new Function(`return ${getPC}`)()();
    const t0 = performance.now();
    for (;;) {
      if (performance.now() - t0 > 30000) throw new Error(`no frame decoded in 30 s (connection ${pc?.connectionState})`);
      if (pc) {
        for (const r of (await pc.getStats()).values()) {
          if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) return performance.timeOrigin + performance.now();
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }, getPC);
}

async function viaCodes(b, srv) {
  const go = new L.GoPeer(['offer', '-stdio', '-video', VIDEO]);
  try {
    const offer = await go.firstLine();
    const page = await L.openPage(b, `${srv.url}#${offer}`);
    const answer = await L.myCode(page);
    await hold();
    const frame = firstFrame(page, '() => window.peerApp.peerConnection()');
    const t0 = Date.now();
    go.write(answer.code + '\n');
    const t1 = await frame;
    await page.close();
    return { ms: t1 - t0, offerBytes: offer.length, answerBytes: answer.code.length };
  } finally {
    await go.stop();
  }
}

// bareAnswer answers offer ({type, sdp}) in page with a bare
// RTCPeerConnection (window.benchPC) and returns its answer once gathered.
function bareAnswer(page, offer) {
  return page.evaluate(async (offer) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.benchPC = pc;
    await pc.setRemoteDescription(offer);
    // The same call as the page's: its fake camera and microphone go in
    // the answer (the camera takes the offer's video m-line).
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') r(); }));
    }
    return { type: 'answer', sdp: pc.localDescription.sdp };
  }, offer);
}

// viaBare is viaCodes with bareAnswer in place of the page.
async function viaBare(b, srv) {
  const go = new L.GoPeer(['offer', '-stdio', '-video', VIDEO]);
  try {
    const offerCode = C.parseText(await go.firstLine());
    const page = await L.openPage(b, srv.url);
    const answer = await bareAnswer(page, C.decode(offerCode));
    const code = C.formatText(C.encode(answer, offerCode));
    await hold();
    const frame = firstFrame(page, '() => window.benchPC');
    const t0 = Date.now();
    go.write(code + '\n');
    const t1 = await frame;
    await page.close();
    return { ms: t1 - t0 };
  } finally {
    await go.stop();
  }
}

async function viaPlain(b, srv) {
  const p = spawn(PLAIN, [VIDEO], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  try {
    const offer = await new Promise((resolve, reject) => {
      p.stdout.on('data', (d) => { out += d; const i = out.indexOf('\n'); if (i >= 0) resolve(JSON.parse(out.slice(0, i))); });
      p.on('exit', () => reject(new Error(`plaincall exited: ${err}`)));
    });
    const page = await L.openPage(b, srv.url);
    const answer = await bareAnswer(page, offer);
    await hold();
    const frame = firstFrame(page, '() => window.benchPC');
    const t0 = Date.now();
    p.stdin.write(JSON.stringify(answer) + '\n');
    const t1 = await frame;
    await page.close();
    return { ms: t1 - t0, offerBytes: offer.sdp.length, answerBytes: answer.sdp.length };
  } finally {
    p.kill('SIGINT');
  }
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
// spread is [min, first quartile, median (as median's), third quartile, max]
// of ms, rounded.
const spread = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return [0, 0.25, 0.5, 0.75, 1].map((q) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]));
};

const srv = await L.serve();
const b = await L.launch(KIND, { mdns: false, extraArgs: FAKE });
const BARE = process.env.BARE === '1';
const res = { codes: [], plain: [], ...(BARE ? { bare: [] } : {}) };
try {
  for (let i = 0; i < ROUNDS; i++) {
    res.codes.push(await viaCodes(b, srv));
    res.plain.push(await viaPlain(b, srv));
    if (BARE) res.bare.push(await viaBare(b, srv));
    console.log(`round ${i + 1}: ${Object.entries(res).map(([k, v]) => `${k} ${Math.round(v.at(-1).ms)} ms`).join(', ')}`);
  }
} finally {
  await L.closeAll(b);
  await srv.stop();
}
const mc = median(res.codes.map((r) => r.ms));
const mp = median(res.plain.map((r) => r.ms));
const summary = {
  browser: KIND, rounds: ROUNDS, holdMs: HOLD_MS, medianCodesMs: mc, medianPlainMs: mp, ratio: Number((mc / mp).toFixed(2)),
  spreadMs: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, spread(v.map((r) => r.ms))])),
  ...(BARE ? { medianBareMs: median(res.bare.map((r) => r.ms)) } : {}),
  ...res,
};
for (const [k, v] of Object.entries(summary.spreadMs)) console.log(`${k}: min, q1, median, q3, max = ${v.join(', ')} ms`);
console.log(JSON.stringify(summary, null, 1));
if (L.RESULTS) writeFileSync(join(L.RESULTS, `callbench-${KIND}.json`), JSON.stringify(summary));
