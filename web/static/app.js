// The peer web page: pairs two browsers, or a browser and the Go peer of
// `peer serve`, through compact codes (SPEC.md) shown as QR codes and links,
// then runs a session in a mode (chat-mode.js: chat and files) over the
// default data channel in the framing of SPEC.md §13, so that it talks to
// `peer offer`, `peer answer` and `peer serve` too.
//
// This file holds the pairing flows and the screens; codes.js reads and
// draws codes, serve-api.js speaks to peer serve, the peer library
// (vendor/peer.js, js/src/peer: PeerConnection) makes the connection, sends
// and reads frames and is the patient answerer, and a mode module owns its
// section of the page.
import * as codec from './vendor/peer-codec.js';
import { PeerConnection, patientOffer } from './vendor/peer.js';
import { Problem, codeProblem, readCode, makeQR, drawQR } from './codes.js';
import * as serve from './serve-api.js';
import { createChatMode } from './chat-mode.js';
import { createCallMode, hasMedia, INSECURE } from './call-mode.js';

const $ = (id) => document.getElementById(id);

// ---- State ----------------------------------------------------------------

// app is the page's state; tests read it (window.peerApp).
const app = {
  state: 'loading',
  role: null,       // 'offerer' | 'answerer'
  myCode: null,     // Uint8Array
  offerCode: null,  // the offer of this session (ours or theirs)
  server: null,     // {code, link, base} when peer serve, which served this page, can pair
  opened: false,    // the session's channel opened
  error: null,      // {class, message}
};
window.peerApp = app;

let conn = null;  // the PeerConnection of the current session
const mode = createChatMode(app);
const call = createCallMode(app, () => hangup());

// ---- Screens --------------------------------------------------------------

// The sections each state shows; render is the one place that decides.
// 'session' is the mode's section; a closed session keeps it, read-only.
const SCREENS = {
  loading: [],
  idle: ['start', 'read'],
  scanning: ['start', 'read'],
  gathering: ['again'],
  offering: ['mine', 'read', 'again'],
  answering: ['mine', 'again'],
  connecting: ['again'],
  connected: [mode.section],
  closed: ['again'],
  failed: ['again'],
};
const SECTIONS = ['start', 'mine', 'read', call.section, mode.section, 'again'];

function render() {
  const show = new Set(SCREENS[app.state] ?? []);
  if ((app.state === 'closed' || app.state === 'failed') && app.opened) show.add(mode.section);
  if (app.state === 'connected' && app.call.active) show.add(call.section);
  for (const id of SECTIONS) $(id).hidden = !show.has(id);
  $('session-buttons').hidden = app.state !== 'connected';
  const offering = app.state === 'offering';
  $('read-title').textContent = offering ? 'Then read its answer' : 'Or read the other side\'s code';
  $('read-hint').hidden = !offering;
  const over = app.state === 'closed' || app.state === 'failed';
  $('again-text').textContent = over && app.opened ? 'This session is over.' : over ? 'This attempt did not connect.' : '';
  $('btn-again').textContent = app.state === 'closed' || app.state === 'failed' ? 'Start again' : 'Cancel and start again';
}

function setState(state, text) {
  app.state = state;
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text ?? state;
  render();
}

// progress shows a step before the connection; it never overrides a state
// the connection reached meanwhile (the channel can open while we await).
function progress(state, text) {
  if (app.state === 'connected' || app.state === 'closed' || app.state === 'failed') return false;
  setState(state, text);
  return true;
}

// ---- Errors ---------------------------------------------------------------

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

function fail(cls, message) {
  app.failedAt = Date.now();
  showError(cls, message);
  teardown();
  setState('failed', 'failed');
}

// ---- Pairing ----------------------------------------------------------------

function baseURL() {
  const v = $('base-input').value.trim();
  return v || (location.origin + location.pathname);
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
    : 'Show this to the device that made the offer (scan it with its page), or paste the code there. This page then connects by itself.';
  $('mine-size').textContent = `${code.length} bytes, QR version ${qr.version}`;
}

// The page's settings of the connection, from its URL: ?gather=ms (the
// non-trickle bound), ?connect=ms (an offerer, after the answer), ?wait=ms
// (an answerer, for the offerer: a patient answerer can wait as long as a
// person takes to carry its answer back; a Go offer is usable for 15
// minutes), ?patient=0 (answer the old way, checking the offer's
// candidates at once: the browser gives up after ~10 s), ?drip=ms (a
// patient Firefox answerer re-adds the offer's candidates; 0: never).
const params = new URLSearchParams(location.search);
const PATIENT = params.get('patient') !== '0';
const OPTIONS = {
  patient: PATIENT,
  gatherTimeout: clampInt(params.get('gather'), 3000, 100, 60000),
  connectTimeout: clampInt(params.get('connect'), 30000, 1000, 600000),
  answerTimeout: clampInt(params.get('wait'), PATIENT ? 600000 : 120000, 5000, 3600000),
  offerTimeout: 24 * 3600000, // a browser offerer waits as long as its page stays open
  ...(params.has('drip') ? { drip: clampInt(params.get('drip'), 0, 0, 60000) } : {}),
};

function clampInt(s, def, min, max) {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : def;
}

// newSession makes the session's connection and routes its events to the
// screens and the modes; events of a connection that is no longer the
// session's (started again, hung up) are dropped.
function newSession() {
  const c = new PeerConnection(OPTIONS);
  conn = c;
  const mine = (fn) => (...args) => { if (conn === c) fn(...args); };
  c.on('connect', mine(onOpen));
  c.on('data', mine((m) => mode.message(m)));
  c.channel.on('extension', mine((t, payload) => mode.extension(t, payload)));
  c.on('end', mine(() => mode.peerEnd()));
  c.on('track', mine((track) => call.track(track)));
  c.on('error', mine((err) => { if (err.class === 'message-too-large') mode.note(`A message was too large and was dropped (${err.message}).`); }));
  c.on('close', mine((reason) => closedBy(c, reason)));
  c.pc.addEventListener('connectionstatechange', mine(() => {
    if (c.pc.connectionState === 'disconnected' && app.state === 'connected') {
      setState('connected', 'connected (network interrupted, waiting…)');
    }
  }));
  return c;
}

// closedBy tells the person why the connection c ended (reason: its
// PeerError). An ICE failure is told apart from a timer that ran out by the
// browser's state, which the library reports before it closes the browser's
// connection.
function closedBy(c, reason) {
  const why = reason.message.replace(/^peer: (protocol error: )?/, '');
  if (reason.class === 'protocol') {
    return fail('protocol', `The other side broke the protocol (${why}), so the connection was closed.`);
  }
  if (app.state === 'connected') {
    if (reason.class === 'peer-closed') return ended('The other side closed the connection.', 'closed by the other side');
    if (reason.class === 'unreachable') return ended('The connection was lost.', 'disconnected');
    return ended('The connection was closed.', 'disconnected');
  }
  if (c.pc.connectionState === 'failed') {
    return fail('connect', 'The connection failed: the two devices found no network path to each other ' +
      '(are they on the same network? mDNS names resolve only on the same LAN).');
  }
  if (reason.class === 'connect' && c.role === 'answerer') {
    return fail('timeout', 'Timed out: the other side did not use this answer in time. Start again with a new offer.');
  }
  if (reason.class === 'connect') {
    return fail('timeout', 'Timed out: no connection within ' + (OPTIONS.connectTimeout / 1000) +
      ' s. The devices may not reach each other, or the answer came too late (make a new offer).');
  }
  if (reason.class === 'offer-expired') return fail('timeout', 'Timed out: no answer came. Make a new offer.');
  return fail(reason.class, `The connection ended before it opened: ${why}.`);
}

// made records the session's code once the library made it.
function made(c) {
  app.localSDP = c.pc.localDescription.sdp;
  app.myCode = c.localCode;
  return c.localCode;
}

// refusal fails with what the codec or the browser said while this side's
// code was made (nothing when the session is no longer c's: started again
// meanwhile). A codec error is this browser's description that does not
// encode; any other, the browser refusing the other side's description.
function refusal(c, err, what) {
  if (conn !== c) return null;
  if (err?.class) return fail(err.class, `Could not encode this browser's ${what}: ${err.message}`);
  return fail('invalid-sdp', `This browser refused the ${what === 'answer' ? 'offer' : 'description'}: ${err?.message ?? err}`);
}

async function createOffer() {
  clearError();
  resetSession();
  app.role = 'offerer';
  setState('gathering', 'gathering network addresses…');
  const c = newSession();
  if ($('call-toggle').checked) await call.prepare(c, true);
  if (conn !== c) return null; // started again meanwhile
  try {
    await c.offer();
  } catch (err) {
    return refusal(c, err, 'offer');
  }
  const code = made(c);
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
  const c = newSession();
  app.patient = PATIENT && patientOffer(desc) !== desc;
  // An offer with audio or video is a call: the camera and microphone go
  // into the answer (a person who opened a call's link joins it).
  if (hasMedia(desc.sdp)) {
    setState('gathering', 'answering a video call: asking for the camera and microphone…');
    await call.prepare(c, false);
    if (conn !== c) return null;
  }
  try {
    await c.connect(offerCode);
  } catch (err) {
    return refusal(c, err, 'answer');
  }
  const code = made(c);
  app.answeredAt = Date.now(); // ICE checks run from here on
  if (serve.isServerOffer(app.server, offerCode)) {
    app.withServe = true;
    progress('connecting', 'sending the answer to peer serve…');
    try {
      await serve.postText('api/answer', codec.formatText(code, 'qr'));
    } catch (err) {
      return fail(err.class, `peer serve refused the answer: ${err.message}`);
    }
    progress('connecting', 'connecting to peer serve…');
    return code;
  }
  showMine(code, 'answer');
  progress('answering', 'waiting for the other side to read the answer');
  return code;
}

async function applyAnswer(code) {
  const c = conn;
  try {
    await c.connect(code);
  } catch (err) {
    if (conn !== c) return null;
    if (err?.class) throw codeProblem(err);
    return fail('invalid-sdp', `This browser refused the answer: ${err.message}`);
  }
  progress('connecting', 'connecting…');
}

// useCode handles a code from paste, camera or fragment.
async function useCode(text) {
  clearError();
  text = (text || '').trim();
  if (!text) return showError('foreign', 'Paste or scan a code first.');
  if (!app.server && await refusedServeLink(text)) return;
  try {
    if (app.role === 'offerer' && app.state === 'offering') {
      const r = readCode(text, app.offerCode);
      if (r.desc.type !== 'answer') {
        throw new Problem('role', 'This is an offer, but this page is waiting for an answer to its own offer. ' +
          'Scan the answer the other device shows, or start again to answer that offer instead.');
      }
      return await applyAnswer(r.code);
    }
    if (['connected', 'connecting', 'answering'].includes(app.state)) {
      throw new Problem('role', 'This page is already in a session; start again (or open another tab) to begin another.');
    }
    const r = readCode(text);
    if (r.desc.type !== 'offer') {
      throw new Problem('role', 'This is an answer, but this page has no offer waiting for it. ' +
        'Open it on the page that made the offer.');
    }
    return await answerOffer(r.code, r.desc);
  } catch (err) {
    if (err instanceof Problem) return showError(err.class, err.message);
    throw err;
  }
}

// pairWithServe: this page offers, the Go peer of `peer serve` answers.
async function pairWithServe() {
  const code = await createOffer();
  if (!code) return;
  app.withServe = true;
  progress('connecting', 'asking peer serve to answer…');
  let j;
  try {
    j = await serve.postText('api/offer', codec.formatText(code, 'qr'));
  } catch (err) {
    return fail(err.class, `peer serve refused the offer: ${err.message}`);
  }
  try {
    const r = readCode(j.code, app.offerCode);
    return await applyAnswer(r.code);
  } catch (err) {
    const p = err instanceof Problem ? err : codeProblem(err);
    return fail(p.class, p.message);
  }
}

function onOpen() {
  clearError();
  app.opened = true;
  setState('connected', 'connected');
  mode.note(app.withServe
    ? 'Connected to peer serve on the computer: what you send comes out on its stdout, what it reads on stdin shows here.'
    : 'Connected. Messages and files go directly to the other device.');
  mode.start(conn.channel, !app.call.active);
  if (app.call.active) call.start();
}

// ended: the session is over (closed by either side or lost).
function ended(why, status) {
  if (app.state !== 'connected') return;
  mode.note(why);
  teardown();
  setState('closed', status);
}

// hangup closes the session: CLOSE at once (the other side sees it within
// a second), then the connection.
function hangup() {
  if (!conn || app.state !== 'connected') return;
  const c = conn;
  conn = null;
  c.close();
  mode.note('You closed the connection.');
  mode.stop();
  call.stop();
  setState('closed', 'disconnected');
}

function teardown() {
  stopScan();
  mode.stop();
  call.stop();
  const c = conn;
  conn = null;
  c?.close();
}

function resetSession() {
  teardown();
  app.role = null; app.myCode = null; app.offerCode = null; app.opened = false; app.withServe = false;
  mode.reset();
  call.reset();
}

// startAgain returns to the start screen, as a fresh page would show it
// (received files stay offered for download).
async function startAgain() {
  clearError();
  resetSession();
  setState('idle', 'ready');
  await refreshServe();
}

// ---- peer serve -------------------------------------------------------------

// refreshServe asks peer serve (with the pairing secret this tab holds)
// whether the page can pair with its Go peer, and says why not.
async function refreshServe() {
  if (!serve.hasSecret()) return;
  showServe(await serve.probe());
}

function showServe(p) {
  app.server = p?.offer ?? null;
  app.serveStatus = p?.offer ? 'ready' : p?.busy ? 'busy' : p?.stale ? 'stale' : null;
  $('btn-serve').hidden = !app.server;
  const note = $('serve-note');
  note.hidden = !p?.busy && !p?.stale;
  note.textContent = p?.busy
    ? 'peer serve is paired with another page right now. When that one hangs up, peer serve shows a new link: open it to pair with the peer on this computer.'
    : 'The link you opened is from an earlier pairing of peer serve (a link pairs once). Open the link it shows now to pair with the peer on this computer.';
  if (app.server && !$('base-input').value && app.server.base) $('base-input').value = app.server.base;
}

// refusedServeLink takes the pairing secret of a link to this page (peer
// serve's, pasted or scanned). When that pairing is over or taken,
// answering its offer would lead nowhere: it says why (once) and returns
// true.
async function refusedServeLink(text) {
  const p = await serve.adoptLink(text);
  if (!p) return false;
  showServe(p);
  if (p.offer || !app.serveStatus) return false;
  sayServeRefusal();
  return true;
}

// sayServeRefusal shows why peer serve cannot pair as an error, instead of
// the note (said once).
function sayServeRefusal() {
  $('serve-note').hidden = true;
  showError('state', $('serve-note').textContent);
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
  if (app.state === 'offering') setState('offering', 'scanning for the answer');
  else setState('scanning', 'scanning');
  scanTimer = setInterval(() => {
    if (!video.videoWidth || typeof window.jsQR !== 'function') return;
    const w = Math.min(video.videoWidth, 960);
    const h = Math.round(video.videoHeight * w / video.videoWidth);
    canvas.width = w; canvas.height = h;
    g.drawImage(video, 0, 0, w, h);
    const hit = window.jsQR(g.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'attemptBoth' });
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
  $('btn-hangup').onclick = () => hangup();
  $('btn-again').onclick = () => startAgain();
  for (const b of document.querySelectorAll('button[data-copy]')) {
    b.onclick = async () => {
      const el = $(b.dataset.copy);
      el.select();
      try { await navigator.clipboard.writeText(el.value); b.textContent = 'Copied'; } catch { document.execCommand?.('copy'); }
    };
  }
  $('call-toggle').onchange = () => {
    const insecure = $('call-toggle').checked && !navigator.mediaDevices?.getUserMedia;
    $('call-secure').textContent = insecure ? INSECURE : '';
    $('call-secure').hidden = !insecure;
  };
  $('base-input').onchange = () => { if (app.myCode && app.role === 'offerer') showMine(app.myCode, 'offer'); };
  // Closing the tab hangs up at once (the peer would otherwise wait for
  // its dead-peer deadline): peer serve then pairs again.
  window.addEventListener('pagehide', () => { if (conn && app.state === 'connected') conn.close(); });
}

// Test and automation hooks (the browser tests drive the page through them
// and through the DOM).
Object.assign(app, {
  createOffer, useCode, pairWithServe, hangup, startAgain,
  sendChat: mode.sendChat, endStream: mode.endStream,
  sendBytes: (name, bytes, endAfter = true) =>
    mode.sendFile(name, 'application/octet-stream', bytes.length, async (a, b) => bytes.subarray(a, b), endAfter),
  // sendRawFrame sends a frame as it is, outside the framing's rules (the
  // tests play a peer that breaks them).
  sendRawFrame: async (bytes) => {
    await conn.channel.flush(0);
    conn.channel.dc.send(Uint8Array.from(bytes));
  },
  streamAll: () => codec.cbor.concatBytes(app.stream),
  qrVersion: (text) => makeQR(text).version,
  callStats: () => call.stats(conn?.pc),
  peerConnection: () => conn?.pc,
  setMuted: call.setMuted, setCameraOff: call.setCameraOff,
});

async function main() {
  wire();
  $('base-input').value = new URLSearchParams(location.search).get('base') || '';
  const { secret, code } = serve.splitFragment(serve.fragmentOf(location.href));
  if (secret || code) {
    // A code is single-use, and the secret is not for the address bar.
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (secret) serve.keepSecret(secret);
  else serve.restoreSecret();
  setState('idle', 'ready');
  await refreshServe();
  if (!code) return;
  if (secret && !app.server && app.serveStatus) return sayServeRefusal(); // its pairing is over or taken
  await useCode(code);
}

main().catch((err) => fail('internal', `The page failed: ${err.message}`));
