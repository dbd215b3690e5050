// The peer web page: pairs two browsers, or a browser and the Go peer of
// `peer serve`, through compact codes (SPEC.md) shown as QR codes and links.
// Once connected it offers a chat and a file transfer over the default data
// channel, in the framing of ref/FRAMING.md (SPEC.md §13), so that it talks
// to `peer offer` and `peer answer` too.
import * as codec from './vendor/peer-codec.js';
import qrcode from './vendor/qrcode.mjs';

// ---- Settings -------------------------------------------------------------

const params = new URLSearchParams(location.search);
const GATHER_MS = clampInt(params.get('gather'), 3000, 100, 60000);  // non-trickle bound
const CONNECT_MS = clampInt(params.get('connect'), 30000, 1000, 600000); // offerer, after the answer
// PATIENT: answer without the offer's candidates (see patientOffer); ?patient=0
// answers the old way, checking the offer's candidates at once (the browser
// then gives up after ~10 s).
const PATIENT = params.get('patient') !== '0';
// GECKO: Firefox (and Firefox for Android; Firefox for iOS is WebKit) fails an
// ICE agent that has no candidate pair 5 s after its checks start (its
// "trickle grace period"), so a patient Firefox answerer drips the offer's
// candidates (see drip) every DRIP_MS (?drip=ms; 0: never).
const GECKO = /\bFirefox\//.test(navigator.userAgent);
const DRIP_MS = clampInt(params.get('drip'), GECKO ? 3000 : 0, 0, 60000);
// answerer, for the offerer: a patient answerer can wait as long as a person
// takes to carry its answer back (a Go offer is usable for 15 minutes).
const ANSWER_WAIT_MS = clampInt(params.get('wait'), PATIENT ? 600000 : 120000, 1000, 3600000);
const LABEL = 'peer';            // ref.DefaultLabel: negotiated, id 0, ordered, reliable
const FRAME_MAX = 16384;         // bytes per data-channel message we send (every browser takes 16 KiB)
const HIGH_WATER = 1 << 20;      // send() waits while more than this is buffered
const LOW_WATER = 256 << 10;
const FILE_CHUNK = 64 << 10;     // one message per chunk of a file

// Frame types (ref/FRAMING.md, SPEC.md §13).
const F_DATA = 0x00, F_MORE = 0x01, F_EOS = 0x02, F_CLOSE = 0x03, F_IGNORABLE = 0x40;
// F_FILE is this page's extension, in the ignorable range so `peer` skips it:
// a UTF-8 JSON {name, size, type} announcing that the next `size` bytes of the
// stream are a file. A peer that does not know it sees only the file's bytes.
const F_FILE = 0x40;

function clampInt(s, def, min, max) {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();

// ---- State ----------------------------------------------------------------

// app is the page's state; tests read it (window.peerApp).
const app = {
  state: 'loading',
  role: null,          // 'offerer' | 'answerer'
  myCode: null,        // Uint8Array
  offerCode: null,     // the offer of this session (ours or theirs)
  server: null,        // {code, link, base} when loaded from `peer serve`
  chat: [],            // {from: 'me'|'peer'|'info', text}
  files: [],           // received files {name, type, bytes}
  stream: [],          // received stream bytes outside files (Uint8Array chunks)
  streamBytes: 0,
  peerEnded: false,    // the peer's end-of-stream arrived
  ended: false,        // we sent end-of-stream
  sentFiles: 0,
  error: null,         // {class, message}
};
window.peerApp = app;

let pc = null, dc = null, timer = null;
let sendChain = Promise.resolve();
let partial = [];      // fragments of the message being received
let incomingFile = null; // {name, type, size, got, chunks}

// progress shows a step before the connection; it never overrides a state
// the connection reached meanwhile (the channel can open while we await).
function progress(state, text) {
  if (app.state === 'connected' || app.state === 'closed' || app.state === 'failed') return false;
  setState(state, text);
  return true;
}

function setState(state, text) {
  app.state = state;
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text ?? state;
}

// ---- Errors ---------------------------------------------------------------

const CODE_ERRORS = {
  'foreign': 'This is not a peer code. Scan or paste the code (P:… or P-…) or the link the other side shows.',
  'malformed': 'This code is damaged: part of it is missing or mistyped. Copy or scan it again.',
  'non-canonical': 'This code was not produced correctly (non-canonical encoding); it was refused.',
  'unsupported': 'This code uses a newer version of the format than this page understands.',
  'limit': 'This code is larger than this page accepts.',
  'binding': 'This answer belongs to another offer. Scan the answer made for the offer shown on this page.',
  'invalid-sdp': 'This code does not hold a usable WebRTC description.',
};

function showError(cls, message) {
  app.error = { class: cls, message };
  const e = $('error');
  e.dataset.class = cls;
  e.textContent = message;
  e.hidden = false;
}

function clearError() {
  app.error = null;
  $('error').hidden = true;
  $('error').textContent = '';
}

function codeError(err) {
  if (!err || typeof err.class !== 'string') {
    return showError('malformed', `This code could not be read (${err?.message ?? err}).`);
  }
  showError(err.class, CODE_ERRORS[err.class] ?? `Bad code: ${err.message}`);
}

function fail(cls, message) {
  app.failedAt = Date.now();
  showError(cls, message);
  setState('failed', 'failed');
  teardown();
}

// ---- Codes ----------------------------------------------------------------

function baseURL() {
  const v = $('base-input').value.trim();
  return v || (location.origin + location.pathname);
}

// readCode parses text (a code in any text form, or a link) and decodes it.
// It returns {code, desc} or shows the error and returns null.
function readCode(text, offer) {
  let code, desc;
  try {
    code = codec.parseText(text);
    desc = codec.decode(code, offer ? { offer } : {});
  } catch (err) {
    codeError(err);
    return null;
  }
  return { code, desc };
}

function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// showMine displays this side's code: as a QR code holding the link (an
// offer: a phone camera opens it) or the qr form (an answer: read by the
// offerer's page), and both texts.
function showMine(code, kind) {
  const link = codec.link(baseURL(), code);
  const qrText = codec.formatText(code, 'qr');
  $('my-link').value = link;
  $('my-code').value = qrText;
  const inQR = kind === 'offer' ? link : qrText;
  const qr = makeQR(inQR);
  drawQR($('qr'), qr);
  $('qr').dataset.text = inQR;
  $('qr').dataset.version = String(qr.version);
  $('mine-title').textContent = kind === 'offer' ? 'Your offer' : 'Your answer';
  $('mine-hint').textContent = kind === 'offer'
    ? 'Scan this with the other device (its camera app opens the link), or send it the link. Then read its answer below.'
    : 'Show this to the device that made the offer (scan it with its page), or paste the code there.';
  $('mine-size').textContent = `${code.length} bytes, QR version ${qr.version}`;
  $('mine').hidden = false;
}

// makeQR encodes text at level L, in alphanumeric mode where possible: a
// link's base in byte mode, its fragment (P-…, all alphanumeric) in
// alphanumeric mode (SPEC.md §5.3).
function makeQR(text) {
  const alnum = /^[0-9A-Z $%*+\-./:]*$/;
  const segs = [];
  const hash = text.lastIndexOf('#');
  if (alnum.test(text)) segs.push([text, 'Alphanumeric']);
  else if (hash >= 0 && alnum.test(text.slice(hash + 1))) {
    segs.push([text.slice(0, hash + 1), 'Byte'], [text.slice(hash + 1), 'Alphanumeric']);
  } else segs.push([text, 'Byte']);
  const qr = qrcode(0, 'L');
  for (const [s, mode] of segs) qr.addData(s, mode);
  qr.make();
  return { qr, version: (qr.getModuleCount() - 17) / 4 };
}

function drawQR(canvas, { qr }) {
  const n = qr.getModuleCount(), quiet = 4, scale = 8;
  const size = (n + 2 * quiet) * scale;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#000';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) g.fillRect((c + quiet) * scale, (r + quiet) * scale, scale, scale);
    }
  }
}

// ---- Serve API ------------------------------------------------------------

// A link made by `peer serve` carries its pairing secret in the fragment,
// before the code: BASE#K-SECRET#P-CODE (the page's URL alone: BASE#K-SECRET).
// The code stays the last '#'-part, which is where SPEC.md §5.4 looks for it.
// The page sends the secret with every API request (Authorization: Bearer);
// peer serve refuses requests without it (web/README.md).
const SECRET_PART = /^K-([A-Z2-7]{26})$/;
const SECRET_KEY = 'peer-serve-secret';
let serveSecret = null;

// splitFragment reads a fragment (without its '#'): the pairing secret of a
// K- part, and the code of the last part when it is one.
function splitFragment(frag) {
  const parts = frag.split('#');
  let secret = null;
  for (const p of parts) {
    const m = SECRET_PART.exec(p);
    if (m) secret = m[1];
  }
  const last = parts[parts.length - 1];
  const code = last.startsWith('P-') || last.startsWith('P:') ? last : null;
  return { secret, code };
}

// fragmentOf returns the decoded fragment of a URL or text ('' if none).
function fragmentOf(text) {
  const i = text.indexOf('#');
  if (i < 0) return '';
  try { return decodeURIComponent(text.slice(i + 1)); } catch { return text.slice(i + 1); }
}

// keepSecret remembers the pairing secret for this tab (a reload keeps it;
// the address bar and history do not).
function keepSecret(secret) {
  serveSecret = secret;
  try { sessionStorage.setItem(SECRET_KEY, secret); } catch { /* storage off: memory only */ }
}

function storedSecret() {
  try { return sessionStorage.getItem(SECRET_KEY); } catch { return null; }
}

function apiHeaders(extra = {}) {
  return serveSecret ? { ...extra, Authorization: `Bearer ${serveSecret}` } : extra;
}

// probeServer asks the page's origin whether it is `peer serve` (GET
// api/offer answers with the Go peer's offer). Without the pairing secret
// it does not ask: peer serve would refuse.
async function probeServer() {
  if (!serveSecret) return null;
  try {
    const r = await fetch('api/offer', { cache: 'no-store', headers: apiHeaders() });
    if (!r.ok) return null;
    const j = await r.json();
    return j && typeof j.code === 'string' ? j : null;
  } catch {
    return null;
  }
}

// adoptSecret takes the pairing secret of a link pasted or scanned into
// this page when the link is this page's own (peer serve's), so that the
// page can send the answer itself.
async function adoptSecret(text) {
  if (app.server || !text.includes('#')) return;
  let u;
  try { u = new URL(text.slice(0, text.indexOf('#'))); } catch { return; }
  if (u.origin !== location.origin || u.pathname !== location.pathname) return;
  const { secret } = splitFragment(fragmentOf(text));
  if (!secret) return;
  keepSecret(secret);
  app.server = await probeServer();
  if (app.server) $('btn-serve').hidden = false;
}

async function postText(path, text) {
  const r = await fetch(path, { method: 'POST', headers: apiHeaders({ 'Content-Type': 'text/plain' }), body: text });
  let j = {};
  try { j = await r.json(); } catch { /* no body */ }
  if (!r.ok) {
    const err = new Error(j.error || `HTTP ${r.status}`);
    err.class = j.class || 'server';
    throw err;
  }
  return j;
}

// ---- WebRTC ---------------------------------------------------------------

function newConnection() {
  pc = new RTCPeerConnection({ iceServers: [] });
  dc = pc.createDataChannel(LABEL, { negotiated: true, id: 0, ordered: true });
  dc.binaryType = 'arraybuffer';
  dc.bufferedAmountLowThreshold = LOW_WATER;
  dc.onopen = onOpen;
  dc.onclose = () => {
    if (app.state === 'connected') {
      setState('closed', 'disconnected');
      note('The connection was closed.');
    }
  };
  dc.onmessage = (ev) => onFrame(ev.data);
  pc.onconnectionstatechange = () => {
    const s = pc?.connectionState;
    if (s === 'failed') {
      if (app.state === 'connected') {
        note('The connection was lost.');
        setState('closed', 'disconnected');
        teardown();
      } else {
        fail('connect', 'The connection failed: the two devices found no network path to each other ' +
          '(are they on the same network? mDNS names resolve only on the same LAN).');
      }
    } else if (s === 'disconnected' && app.state === 'connected') {
      setState('connected', 'connected (network interrupted, waiting…)');
    }
  };
}

// gathered waits for ICE gathering to complete, at most GATHER_MS
// (non-trickle: the code carries every candidate).
function gathered() {
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

function localDesc() {
  app.localSDP = pc.localDescription.sdp;
  return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
}

function armTimer(ms, message) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (app.state !== 'connected') fail('timeout', message);
  }, ms);
}

async function createOffer() {
  clearError();
  resetSession();
  app.role = 'offerer';
  setState('gathering', 'gathering network addresses…');
  newConnection();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered();
  let code;
  try {
    code = codec.encode(localDesc());
  } catch (err) {
    return fail(err.class || 'encode', `Could not encode this browser's offer: ${err.message}`);
  }
  app.myCode = code;
  app.offerCode = code;
  showMine(code, 'offer');
  progress('offering', 'waiting for the answer');
  return code;
}

// answerOffer answers a decoded offer and shows the answer's code. When the
// offer is the Go peer's of `peer serve` (this page's origin), it sends the
// answer there itself: one scan pairs.
async function answerOffer(offerCode, desc) {
  resetSession();
  app.role = 'answerer';
  app.offerCode = offerCode;
  setState('gathering', 'answering: gathering network addresses…');
  newConnection();
  const remote = PATIENT ? patientOffer(desc) : desc;
  app.patient = remote !== desc;
  try {
    await pc.setRemoteDescription(remote);
  } catch (err) {
    return fail('invalid-sdp', `This browser refused the offer: ${err.message}`);
  }
  await pc.setLocalDescription(await pc.createAnswer());
  if (app.patient && DRIP_MS > 0) drip(desc, DRIP_MS);
  await gathered();
  let code;
  try {
    code = codec.encode(localDesc(), offerCode);
  } catch (err) {
    return fail(err.class || 'encode', `Could not encode this browser's answer: ${err.message}`);
  }
  app.myCode = code;
  app.answeredAt = Date.now(); // ICE checks run from here on
  $('start').hidden = true;
  armTimer(ANSWER_WAIT_MS, 'Timed out: the other side did not use this answer in time. Start again with a new offer.');
  if (isServerOffer(offerCode)) {
    progress('connecting', 'sending the answer to peer serve…');
    try {
      await postText('api/answer', codec.formatText(code, 'qr'));
    } catch (err) {
      return fail(err.class, `peer serve refused the answer: ${err.message}`);
    }
    progress('connecting', 'connecting to peer serve…');
    return code;
  }
  if (app.state !== 'connected') showMine(code, 'answer');
  progress('answering', 'waiting for the other side to read the answer');
  return code;
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
// connect. This needs the offerer to
// reach us, which holds on the network the page is made for (it configures
// no STUN or TURN server: the same LAN). An ice-lite offerer sends no
// checks: answered the old way.
function patientOffer(desc) {
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
function drip(desc, ms) {
  const cands = desc.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  if (!cands.length) return;
  const mid = (desc.sdp.match(/^a=mid:(\S+)/m) || [])[1] || '0';
  const me = pc;
  let n = 0;
  const tick = () => {
    if (pc !== me || app.state === 'connected' || app.state === 'failed' || app.state === 'closed') return;
    n++;
    for (const l of cands) {
      const candidate = l.slice(2).replace(/^candidate:(\S+)/, `candidate:$1d${n}`);
      pc.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 }).catch(() => {});
    }
    app.drips = n;
    setTimeout(tick, ms);
  };
  setTimeout(tick, ms);
}

// isServerOffer tells whether offerCode is the offer of the Go peer of the
// `peer serve` that served this page.
function isServerOffer(offerCode) {
  if (!app.server) return false;
  try {
    return sameBytes(codec.parseText(app.server.code), offerCode);
  } catch {
    return false;
  }
}

async function applyAnswer(code, desc) {
  try {
    await pc.setRemoteDescription(desc);
  } catch (err) {
    return fail('invalid-sdp', `This browser refused the answer: ${err.message}`);
  }
  $('start').hidden = true;
  progress('connecting', 'connecting…');
  armTimer(CONNECT_MS, 'Timed out: no connection within ' + (CONNECT_MS / 1000) +
    ' s. The devices may not reach each other, or the answer came too late (make a new offer).');
}

// useCode handles a code from paste, camera or fragment.
async function useCode(text) {
  clearError();
  text = (text || '').trim();
  if (!text) return showError('foreign', 'Paste or scan a code first.');
  await adoptSecret(text);
  if (app.role === 'offerer' && app.state === 'offering') {
    const r = readCode(text, app.offerCode);
    if (!r) return;
    if (r.desc.type !== 'answer') {
      return showError('role', 'This is an offer, but this page is waiting for an answer to its own offer. ' +
        'Scan the answer the other device shows, or reload this page to answer that offer instead.');
    }
    return applyAnswer(r.code, r.desc);
  }
  if (app.state === 'connected' || app.state === 'connecting' || app.state === 'answering') {
    return showError('role', 'This page is already in a session; reload it to start another.');
  }
  const r = readCode(text);
  if (!r) return;
  if (r.desc.type !== 'offer') {
    return showError('role', 'This is an answer, but this page has no offer waiting for it. ' +
      'Open it on the page that made the offer.');
  }
  return answerOffer(r.code, r.desc);
}

// pairWithServe: this page offers, the Go peer of `peer serve` answers.
async function pairWithServe() {
  const code = await createOffer();
  if (!code) return;
  progress('connecting', 'asking peer serve to answer…');
  let j;
  try {
    j = await postText('api/offer', codec.formatText(code, 'qr'));
  } catch (err) {
    return fail(err.class, `peer serve refused the offer: ${err.message}`);
  }
  const r = readCode(j.code, app.offerCode);
  if (!r) return fail(app.error.class, app.error.message);
  return applyAnswer(r.code, r.desc);
}

function resetSession() {
  teardown();
  app.role = null; app.myCode = null; app.offerCode = null;
  app.peerEnded = false; app.ended = false;
  $('mine').hidden = true;
}

function teardown() {
  clearTimeout(timer);
  stopScan();
  if (dc) { dc.onclose = null; dc.onmessage = null; }
  if (pc) { pc.onconnectionstatechange = null; pc.close(); }
  pc = null; dc = null;
}

function onOpen() {
  clearTimeout(timer);
  clearError();
  setState('connected', 'connected');
  $('start').hidden = true;
  $('mine').hidden = true;
  $('session').hidden = false;
  note('Connected. Messages and files go directly to the other device.');
  $('chat-input').focus();
}

// ---- Framing --------------------------------------------------------------

function frameLimit() {
  const m = pc?.sctp?.maxMessageSize;
  return m && m > 1 ? Math.min(FRAME_MAX, m) : FRAME_MAX;
}

function waitLow() {
  return new Promise((resolve) => {
    const d = dc;
    const done = () => { d.removeEventListener('bufferedamountlow', done); d.removeEventListener('close', done); resolve(); };
    d.addEventListener('bufferedamountlow', done);
    d.addEventListener('close', done);
  });
}

async function sendFrame(frame) {
  if (!dc || dc.readyState !== 'open') throw new Error('not connected');
  while (dc.bufferedAmount > HIGH_WATER) {
    await waitLow();
    if (!dc || dc.readyState !== 'open') throw new Error('not connected');
  }
  dc.send(frame);
}

// sendMessage sends payload as one message, fragmented (MORE…DATA).
async function sendMessage(payload) {
  const room = frameLimit() - 1;
  let off = 0;
  do {
    const end = Math.min(payload.length, off + room);
    const f = new Uint8Array(1 + end - off);
    f[0] = end < payload.length ? F_MORE : F_DATA;
    f.set(payload.subarray(off, end), 1);
    await sendFrame(f);
    off = end;
  } while (off < payload.length);
}

// queue runs send jobs one after another, so messages never interleave.
function queue(job) {
  const p = sendChain.then(job);
  sendChain = p.catch(() => {});
  return p;
}

function sendChat(text) {
  if (app.ended) return Promise.reject(new Error('your stream has ended'));
  if (!text) return Promise.resolve();
  app.chat.push({ from: 'me', text });
  addChat('me', text);
  return queue(() => sendMessage(enc.encode(text + '\n')));
}

// sendFile announces a file (F_FILE), sends its bytes, and ends the stream
// when endAfter is set (what `peer answer > file` needs to finish).
function sendFile(name, type, size, readChunk, endAfter) {
  if (app.ended) return Promise.reject(new Error('your stream has ended'));
  if (endAfter) app.ended = true;
  return queue(async () => {
    const hdr = enc.encode(JSON.stringify({ name, size, type }));
    const f = new Uint8Array(1 + hdr.length);
    f[0] = F_FILE;
    f.set(hdr, 1);
    await sendFrame(f);
    const bar = $('send-progress');
    bar.max = Math.max(size, 1); bar.value = 0;
    for (let off = 0; off < size; off += FILE_CHUNK) {
      const chunk = await readChunk(off, Math.min(size, off + FILE_CHUNK));
      await sendMessage(chunk);
      bar.value = Math.min(size, off + FILE_CHUNK);
      $('send-label').textContent = `${name}: ${fmtBytes(bar.value)} / ${fmtBytes(size)}`;
    }
    if (size === 0) $('send-label').textContent = `${name}: empty`;
    if (endAfter) await sendFrame(Uint8Array.of(F_EOS));
    app.sentFiles++;
    note(`Sent ${name} (${fmtBytes(size)})` + (endAfter ? '; your stream has ended.' : '.'));
    if (endAfter) disableSending();
  });
}

function endStream() {
  if (app.ended) return Promise.resolve();
  app.ended = true;
  disableSending();
  return queue(() => sendFrame(Uint8Array.of(F_EOS)));
}

function disableSending() {
  $('chat-input').disabled = true;
  $('file-input').disabled = true;
  $('btn-end').disabled = true;
}

function onFrame(data) {
  if (typeof data === 'string' || data.byteLength === 0) {
    return protocolError('the peer sent a text or empty message: it does not speak peer\'s framing');
  }
  const b = new Uint8Array(data);
  const t = b[0];
  if (t === F_DATA || t === F_MORE) {
    if (app.peerEnded) return protocolError('data after the end of the stream');
    partial.push(b.subarray(1));
    if (t === F_DATA) {
      const msg = concat(partial);
      partial = [];
      onMessage(msg);
    }
  } else if (t === F_EOS) {
    app.peerEnded = true;
    onPeerEnd();
  } else if (t === F_CLOSE) {
    note('The other side closed the connection.');
    setState('closed', 'closed by the other side');
    teardown();
  } else if (t === F_FILE) {
    try {
      const h = JSON.parse(new TextDecoder().decode(b.subarray(1)));
      incomingFile = { name: String(h.name || 'file'), type: String(h.type || ''),
        size: Math.max(0, Number(h.size) || 0), got: 0, chunks: [] };
      $('recv-progress').max = Math.max(incomingFile.size, 1);
      $('recv-progress').value = 0;
      if (incomingFile.size === 0) finishFile();
    } catch {
      incomingFile = null; // an unreadable announcement: the bytes stay in the stream
    }
  } else if (t < F_IGNORABLE) {
    protocolError(`unknown frame type 0x${t.toString(16)}`);
  } // other ignorable types: skipped
}

function onMessage(msg) {
  if (incomingFile) {
    incomingFile.chunks.push(msg);
    incomingFile.got += msg.length;
    $('recv-progress').value = incomingFile.got;
    $('recv-label').textContent = `${incomingFile.name}: ${fmtBytes(incomingFile.got)} / ${fmtBytes(incomingFile.size)}`;
    if (incomingFile.got >= incomingFile.size) finishFile();
    return;
  }
  app.stream.push(msg);
  app.streamBytes += msg.length;
  let text = null;
  if (msg.length <= 4096) {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(msg); } catch { text = null; }
  }
  if (text !== null) {
    text = text.replace(/\r?\n$/, '');
    app.chat.push({ from: 'peer', text });
    addChat('peer', text);
  } else {
    $('recv-progress').max = 1; $('recv-progress').value = 0;
    $('recv-label').textContent = `stream: ${fmtBytes(app.streamBytes)} received`;
  }
}

function finishFile() {
  const f = incomingFile;
  incomingFile = null;
  const bytes = concat(f.chunks);
  app.files.push({ name: f.name, type: f.type, bytes });
  offerDownload(f.name, bytes, f.type);
  $('recv-progress').value = $('recv-progress').max;
  note(`Received ${f.name} (${fmtBytes(bytes.length)}).`);
}

function onPeerEnd() {
  if (incomingFile) {
    note(`The file ${incomingFile.name} was cut short (${fmtBytes(incomingFile.got)} of ${fmtBytes(incomingFile.size)}).`);
    incomingFile = null;
  }
  if (app.streamBytes > 0 && app.stream.some((m) => m.length > 4096)) {
    offerDownload('received.bin', concat(app.stream), 'application/octet-stream');
  }
  note(`The other side ended its stream (${fmtBytes(app.streamBytes)} outside files).`);
}

function protocolError(why) {
  fail('protocol', `The connection was closed: ${why}.`);
}

// ---- UI helpers -----------------------------------------------------------

function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function addChat(cls, text) {
  const li = document.createElement('li');
  li.className = cls;
  li.textContent = text;
  $('chat-log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

function note(text) {
  app.chat.push({ from: 'info', text });
  addChat('info', text);
}

function offerDownload(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type: type || 'application/octet-stream' }));
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.textContent = `Save ${name} (${fmtBytes(bytes.length)})`;
  li.append(a);
  $('downloads').append(li);
}

// ---- Camera scanning ------------------------------------------------------

let scanStream = null, scanTimer = null;

async function startScan() {
  clearError();
  if (!navigator.mediaDevices?.getUserMedia) {
    return showError('camera', 'This page cannot use the camera here: browsers allow it only on HTTPS or ' +
      'http://localhost. Paste the code or open the link instead.');
  }
  try {
    scanStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (err) {
    return showError('camera', `The camera is not available (${err.name}). Paste the code or open the link instead.`);
  }
  const video = $('scan-video');
  video.srcObject = scanStream;
  $('scanner').hidden = false;
  await video.play().catch(() => {});
  const canvas = $('scan-canvas');
  const g = canvas.getContext('2d', { willReadFrequently: true });
  setState(app.state === 'offering' ? 'offering' : 'scanning', app.state === 'offering' ? 'scanning for the answer' : 'scanning');
  scanTimer = setInterval(() => {
    if (!video.videoWidth || typeof window.jsQR !== 'function') return;
    const w = Math.min(video.videoWidth, 960);
    const h = Math.round(video.videoHeight * w / video.videoWidth);
    canvas.width = w; canvas.height = h;
    g.drawImage(video, 0, 0, w, h);
    const img = g.getImageData(0, 0, w, h);
    const hit = window.jsQR(img.data, w, h, { inversionAttempts: 'attemptBoth' });
    if (hit && hit.data) {
      stopScan();
      app.scanned = hit.data;
      useCode(hit.data);
    }
  }, 200);
}

function stopScan() {
  clearInterval(scanTimer);
  scanTimer = null;
  if (scanStream) for (const t of scanStream.getTracks()) t.stop();
  scanStream = null;
  $('scanner').hidden = true;
  if (app.state === 'scanning') setState('idle', 'ready');
}

// ---- Wiring ---------------------------------------------------------------

function wire() {
  $('btn-offer').onclick = () => createOffer();
  $('btn-serve').onclick = () => pairWithServe();
  $('btn-use').onclick = () => useCode($('code-input').value);
  $('btn-scan').onclick = () => startScan();
  $('btn-scan-stop').onclick = () => stopScan();
  $('btn-end').onclick = () => endStream();
  $('btn-hangup').onclick = () => hangup();
  $('chat-form').onsubmit = (ev) => {
    ev.preventDefault();
    const v = $('chat-input').value;
    $('chat-input').value = '';
    sendChat(v).catch((err) => note(`Not sent: ${err.message}`));
  };
  $('file-input').onchange = () => {
    const file = $('file-input').files[0];
    if (!file) return;
    sendFile(file.name, file.type, file.size,
      async (a, b) => new Uint8Array(await file.slice(a, b).arrayBuffer()), $('file-eos').checked)
      .catch((err) => note(`File not sent: ${err.message}`));
    $('file-input').value = '';
  };
  for (const b of document.querySelectorAll('button[data-copy]')) {
    b.onclick = async () => {
      const el = $(b.dataset.copy);
      el.select();
      try { await navigator.clipboard.writeText(el.value); b.textContent = 'Copied'; } catch { document.execCommand?.('copy'); }
    };
  }
  $('base-input').onchange = () => { if (app.myCode && app.role === 'offerer') showMine(app.myCode, 'offer'); };
}

function hangup() {
  if (dc && dc.readyState === 'open') {
    try { dc.send(Uint8Array.of(F_CLOSE)); } catch { /* closing anyway */ }
  }
  setState('closed', 'disconnected');
  note('You closed the connection.');
  setTimeout(teardown, 100);
}

// Test and automation hooks (the browser tests drive the page through them
// and through the DOM).
Object.assign(app, {
  createOffer, useCode, pairWithServe, sendChat, endStream, hangup,
  sendBytes: (name, bytes, endAfter = true) =>
    sendFile(name, 'application/octet-stream', bytes.length, async (a, b) => bytes.subarray(a, b), endAfter),
  streamAll: () => concat(app.stream),
  qrVersion: (text) => makeQR(text).version,
});

async function main() {
  wire();
  $('base-input').value = params.get('base') || '';
  const { secret, code } = splitFragment(fragmentOf(location.href));
  if (secret || code) {
    // A code is single-use, and the secret is not for the address bar.
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (secret) keepSecret(secret);
  else serveSecret = storedSecret();
  app.server = await probeServer();
  if (app.server) {
    $('btn-serve').hidden = false;
    if (!$('base-input').value && app.server.base) $('base-input').value = app.server.base;
  }
  setState('idle', 'ready');
  if (code) await useCode(code);
}

main().catch((err) => fail('internal', `The page failed: ${err.message}`));
