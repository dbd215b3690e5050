// The WebRTC side of the page: the peer connection and its default data
// channel, non-trickle gathering, and the patient answerer (web/README.md,
// "How long a browser answerer waits").

const params = new URLSearchParams(location.search);

function clampInt(s, def, min, max) {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

export const GATHER_MS = clampInt(params.get('gather'), 3000, 100, 60000);   // non-trickle bound
export const CONNECT_MS = clampInt(params.get('connect'), 30000, 1000, 600000); // offerer, after the answer
// PATIENT: answer without the offer's candidates (see patientOffer); ?patient=0
// answers the old way, checking the offer's candidates at once (the browser
// then gives up after ~10 s).
export const PATIENT = params.get('patient') !== '0';
// GECKO: Firefox (and Firefox for Android; Firefox for iOS is WebKit) fails an
// ICE agent that has no candidate pair 5 s after its checks start (its
// "trickle grace period"), so a patient Firefox answerer drips the offer's
// candidates (see drip) every DRIP_MS (?drip=ms; 0: never).
const GECKO = /\bFirefox\//.test(navigator.userAgent);
export const DRIP_MS = clampInt(params.get('drip'), GECKO ? 3000 : 0, 0, 60000);
// answerer, for the offerer: a patient answerer can wait as long as a person
// takes to carry its answer back (a Go offer is usable for 15 minutes).
export const ANSWER_WAIT_MS = clampInt(params.get('wait'), PATIENT ? 600000 : 120000, 1000, 3600000);

const LABEL = 'peer'; // ref.DefaultLabel: negotiated, id 0, ordered, reliable
export const LOW_WATER = 256 << 10;

// newConnection makes a peer connection with the default channel (SPEC.md
// §13: label "peer", negotiated, id 0, ordered, reliable), binary.
export function newConnection() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const dc = pc.createDataChannel(LABEL, { negotiated: true, id: 0, ordered: true });
  dc.binaryType = 'arraybuffer';
  dc.bufferedAmountLowThreshold = LOW_WATER;
  return { pc, dc };
}

// gathered waits for ICE gathering to complete, at most GATHER_MS
// (non-trickle: the code carries every candidate).
export function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, GATHER_MS);
    function done() {
      clearTimeout(t);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// patientOffer returns the offer without its candidates (a=candidate and
// a=end-of-candidates), or desc itself when that cannot work.
//
// Why: an answerer given the offer's candidates starts its ICE checks at
// once, and the offerer answers none of them until it has our answer; the
// browser declares the pairs failed after its fixed number of unanswered
// checks (Chromium ~15 s, Firefox ~11 s), so a person carrying our answer
// back by hand had about 10 s. Without remote candidates the browser sends
// no checks and has nothing to fail (Chromium; Firefox needs drip): when
// the offerer applies our answer it checks our candidates (which our answer
// carries), we learn its address as a peer-reflexive candidate, answer, and
// connect. This needs the offerer to reach us, which holds on the network
// the page is made for (it configures no STUN or TURN server: the same
// LAN). An ice-lite offerer sends no checks: answered the old way.
export function patientOffer(desc) {
  if (/^a=ice-lite\s*$/m.test(desc.sdp)) return desc;
  const sdp = desc.sdp.split(/(?<=\n)/).filter((l) => !/^a=(candidate:|end-of-candidates)/.test(l)).join('');
  return { type: desc.type, sdp };
}

// drip keeps a patient Firefox answerer alive: Firefox declares ICE failed
// when its trickle grace period (5 s from the start of its checks) ends with
// no candidate pair that has not failed. Every ms (less than 5 s, and less
// than the ~7 s a pair takes to fail), it adds the offer's candidates again
// under new foundations, which Firefox pairs afresh: one pair is always
// still being checked. The checks go unanswered until the offerer applies
// our answer; then either side's checks connect, so this is also the
// fallback when the offerer cannot reach us but we can reach it. Chromium
// needs no drip (it never fails an agent with no pairs) and is harmed by
// one (it fails once the dripped pairs fail: measured with mDNS, 18 s).
// It stops when over() says so; onDrip(n) counts the rounds.
export function drip(pc, desc, ms, over, onDrip) {
  const cands = desc.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  if (!cands.length) return;
  const mid = (desc.sdp.match(/^a=mid:(\S+)/m) || [])[1] || '0';
  let n = 0;
  const tick = () => {
    if (over()) return;
    n++;
    for (const l of cands) {
      const candidate = l.slice(2).replace(/^candidate:(\S+)/, `candidate:$1d${n}`);
      pc.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 }).catch(() => {});
    }
    onDrip(n);
    setTimeout(tick, ms);
  };
  setTimeout(tick, ms);
}
