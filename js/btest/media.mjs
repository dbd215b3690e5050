// Helpers of the suites that send fake audio and video between pages
// through the loopback TURN server (js/internal/turnrelay): the
// browsers' media flags, and the inbound-rtp counters of the page's
// media connection (T.mediaPC, an RTCPeerConnection the suite names).
import * as H from './harness.mjs';

const MEDIA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// launchMedia launches a browser of kind with fake audio and video
// devices. Firefox gathers no relay candidate from a TURN server on
// loopback unless it may use the loopback interface.
export function launchMedia(kind) {
  return H.launch(kind, { mdns: false, extraArgs: MEDIA, prefs: { 'media.peerconnection.ice.loopback': true } });
}

// relayOptions are a PeerConnection's options that make it connect only
// through the TURN server of turnrelay's first line ("host:port user
// password").
export function relayOptions(turnLine) {
  const [addr, username, credential] = turnLine.split(' ');
  return { iceTransportPolicy: 'relay', iceServers: [{ urls: `turn:${addr}?transport=udp`, username, credential }] };
}

// inbound reads the inbound-rtp counters of the page's T.mediaPC: audio
// and video packets received, video frames decoded, and the tracks they
// belong to.
export const inbound = (page) => page.evaluate(async () => {
  const out = { audio: 0, video: 0, frames: 0, tracks: [] };
  (await T.mediaPC.getStats()).forEach((r) => {
    if (r.type !== 'inbound-rtp') return;
    out[r.kind] += r.packetsReceived || 0;
    if (r.kind === 'video') out.frames += r.framesDecoded || 0;
    if (r.trackIdentifier) out.tracks.push(r.trackIdentifier);
  });
  out.tracks.sort();
  return out;
});

export const ZERO = { audio: 0, video: 0, frames: 0 };

// mediaConn makes the page's library PeerConnection T.conns.c with
// options opts (T.mediaPC its RTCPeerConnection) and adds the fake
// microphone's and camera's tracks to it.
export const mediaConn = (page, opts) => page.evaluate(async (o) => {
  T.make('c', o);
  T.mediaPC = T.conns.c.c.pc;
  const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const t of s.getTracks()) T.conns.c.c.addTrack(t, s);
}, opts);

// grows waits until every counter of the page's inbound-rtp passed the
// one in from, and returns the counters.
export async function grows(page, from, ms = 20000) {
  const end = Date.now() + ms;
  let now;
  while (Date.now() < end) {
    now = await inbound(page);
    if (now.audio > from.audio && now.video > from.video && now.frames > from.frames) return now;
    await sleep(250);
  }
  throw new Error(`inbound-rtp did not grow: from ${JSON.stringify(from)} to ${JSON.stringify(now)}`);
}

// still checks that no RTP arrives at the pages for ms (the path is cut)
// and returns their counters.
export async function still(pages, ms = 2000) {
  const cut = [];
  for (const p of pages) cut.push(await inbound(p));
  await sleep(ms);
  for (const [i, p] of pages.entries()) {
    const now = await inbound(p);
    if (now.audio !== cut[i].audio || now.video !== cut[i].video || now.frames !== cut[i].frames) {
      throw new Error(`page ${i}: RTP arrived while the network was cut: ${JSON.stringify(cut[i])} then ${JSON.stringify(now)}`);
    }
  }
  return cut;
}
