// PeerConnection: two peers connected through codes (SPEC.md) on the
// browser's RTCPeerConnection, with the default channel and framing of
// SPEC.md §13, so that it interoperates with ref/ (Go) and the web page.
import { encode, decode, formatText, parseText } from '../index.js';
import { Emitter } from './emitter.js';
import { Channel, KEEPALIVE } from './channel.js';
import { PeerError } from './errors.js';
import { Restart, localSetup } from './restart.js';

const LABEL = 'peer'; // the default channel: negotiated, id 0, ordered, reliable
const KEEPALIVE_MS = 2000; // FRAMING.md §2: KEEPALIVE after this long without sending

// DEFAULTS are ref/'s (ref/config.go) except answerTimeout: a browser
// answerer is patient (see patientOffer) and waits as long as a Go offer
// stays usable for a person carrying the answer back.
export const DEFAULTS = Object.freeze({
  gatherTimeout: 2000,
  offerTimeout: 15 * 60000,
  answerTimeout: 10 * 60000,
  connectTimeout: 30000,
  deadPeerTimeout: 10000,
  maxMessageSize: 16 << 20,
  restartTimeout: 15000,
});

const RANGES = {
  gatherTimeout: [1, 60000],
  offerTimeout: [1000, 24 * 3600000],
  answerTimeout: [5000, 3600000],
  connectTimeout: [1000, 3600000],
  deadPeerTimeout: [5000, 3600000],
  maxMessageSize: [1, 1 << 30],
  restartTimeout: [1000, 3600000],
};

// settings validates options: the defaults above, and ranges as ref/'s.
function settings(o) {
  const s = { form: 'qr', patient: true, iceServers: [], policy: undefined, closeOnPageHide: true, restartable: false, ...o };
  for (const [k, [lo, hi]] of Object.entries(RANGES)) {
    if (s[k] === undefined) s[k] = DEFAULTS[k];
    if (!(Number.isFinite(s[k]) && s[k] >= lo && s[k] <= hi)) {
      throw new RangeError(`peer: options.${k} ${s[k]} out of range [${lo}, ${hi}]`);
    }
  }
  if (!['qr', 'link', 'bin'].includes(s.form)) throw new RangeError(`peer: options.form ${s.form}`);
  if (s.drip === undefined) s.drip = isGecko() ? 3000 : 0;
  return s;
}

// consented reports whether pc's ICE agent has consent to send (RFC 7675):
// its checks are answered.
const consented = (pc) => pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';

function isGecko() {
  return typeof navigator !== 'undefined' && /\bFirefox\//.test(navigator.userAgent || '');
}

// patientOffer returns the offer without its candidates, or desc itself
// when that cannot work (an ice-lite offerer sends no checks).
//
// An answerer given the offer's candidates checks them at once, and an
// offerer that has no answer yet may answer none (ref/ does not; Firefox
// and Chromium do): after a fixed number of unanswered checks the
// browsers fail those pairs (Chromium ~15 s, Firefox ~11 s), too soon for
// a person carrying the answer back. Chromium checks again when the
// offerer's own checks arrive, so a patient Chromium answerer applies the
// whole offer and waits its ICE failure out (waitsOut). Firefox does
// not: a patient Firefox answerer applies the offer without candidates
// and sends no checks; when the offerer applies the answer it checks our
// candidates, we learn its address as a peer-reflexive candidate and
// connect. Firefox also needs drip.
export function patientOffer(desc) {
  if (/^a=ice-lite\s*$/m.test(desc.sdp)) return desc;
  const sdp = desc.sdp.split(/(?<=\n)/).filter((l) => !/^a=(candidate:|end-of-candidates)/.test(l)).join('');
  return { type: desc.type, sdp };
}

// drip keeps a patient Firefox answerer alive: Firefox fails an ICE agent
// 5 s into its checks when no pair is left that has not failed. Every ms it
// adds the offer's candidates again under new foundations, so one pair is
// always being checked; until over() says so.
function drip(pc, desc, ms, over) {
  const cands = desc.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  if (!cands.length || !ms) return;
  const mid = (desc.sdp.match(/^a=mid:(\S+)/m) || [])[1] || '0';
  let n = 0;
  const tick = () => {
    if (over()) return;
    n++;
    for (const l of cands) {
      const candidate = l.slice(2).replace(/^candidate:(\S+)/, `candidate:$1d${n}`);
      pc.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 }).catch(() => {});
    }
    setTimeout(tick, ms);
  };
  setTimeout(tick, ms);
}

// serverAnswer makes this answerer the DTLS server (a=setup:passive), so
// that the offerer, the client, starts the handshake when it has the
// answer. An answerer that checks the offer's candidates at once is
// connected early to an offerer that answers checks before it has the
// answer; as the client it would send its ClientHello then, and an
// offerer that drops it (Firefox) waits for the next one, sent after a
// backoff doubling from 50 ms to 60 s: a late answer would connect up to
// a minute after it arrived.
function serverAnswer(desc) {
  return { type: desc.type, sdp: desc.sdp.replace(/^a=setup:active(\r?)$/gm, 'a=setup:passive$1') };
}

// gathered resolves when ICE gathering completes, or after ms
// (non-trickle: the code carries the candidates gathered by then).
function gathered(pc, ms) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// leaving holds the connections to close when the page goes away. A
// browser tears a closed tab's connections down without a word, so its
// peers would learn of it only at their dead-peer deadline; on pagehide
// each sends CLOSE (FRAMING.md §5) and closes, and its peers see the close
// at once. options.closeOnPageHide false leaves a connection out.
const leaving = new Set();
let pageHideHooked = false;

function closeOnPageHide(conn) {
  if (typeof addEventListener !== 'function') return; // not a page (a worker keeps its own)
  if (!pageHideHooked) {
    pageHideHooked = true;
    addEventListener('pagehide', () => { for (const c of [...leaving]) c._leave(); });
  }
  leaving.add(conn);
  conn.closed.then(() => leaving.delete(conn));
}

function codeBytes(code) {
  return code instanceof Uint8Array ? code : parseText(code);
}

/**
 * PeerConnection connects this browser to one other peer through two codes.
 *
 *   offerer:  const code = await conn.offer();  (show it) … await conn.connect(answer)
 *   answerer: const answer = await conn.connect(offer);  (show it)
 *
 * Events: 'connect' (the default channel is open), 'data' (Uint8Array, a
 * message on the default channel), 'end' (the peer's end of stream on it),
 * 'channel' (Channel, opened by the peer), 'track' (track, streams),
 * 'error' (PeerError), 'close' (PeerError: why; fires once); with
 * options.restartable, 'unreachable' (the dead-peer deadline passed: a
 * restart may begin within options.restartTimeout), 'reachable' (ICE
 * connected again after it) and 'restart' (count: an ICE restart
 * connected).
 */
export class PeerConnection extends Emitter {
  constructor(options = {}) {
    super();
    this.options = settings(options);
    const cfg = { iceServers: this.options.iceServers };
    if (this.options.iceTransportPolicy) cfg.iceTransportPolicy = this.options.iceTransportPolicy;
    if (this.options.bundlePolicy) cfg.bundlePolicy = this.options.bundlePolicy;
    if (this.options.certificates) cfg.certificates = this.options.certificates;
    /** The browser's RTCPeerConnection, for what this class does not cover. */
    this.pc = new RTCPeerConnection(cfg);
    this.role = null;
    this.state = 'new'; // new, offering, answering, connecting, open, closed
    this.reason = null;
    this.offerCode = null;
    this.localCode = null;
    this._timer = null;
    this._watch = null;
    this._channels = new Set();
    this._restart = new Restart(this);
    this._setup = null;
    this._waitsOut = false; // a patient answerer that checks at once (see _answer)
    this._sentAt = 0; // when this side last sent a frame
    this._frameAt = 0; // when the last frame arrived
    this._keepsAlive = false; // the peer sends KEEPALIVE
    this.channel = this._adopt(this.pc.createDataChannel(LABEL, { negotiated: true, id: 0, ordered: true }), true);
    this.channel.on('message', (m) => this.emit('data', m));
    this.channel.on('end', () => this.emit('end'));
    this.channel.on('open', () => this._opened());
    this.channel.on('error', (e) => this.emit('error', e));
    let openResolve, openReject, closeResolve;
    /** connected resolves when the connection opens, rejects if it closes first. */
    this.connected = new Promise((res, rej) => { openResolve = res; openReject = rej; });
    this.connected.catch(() => {});
    /** closed resolves with the reason (a PeerError) when the connection ends. */
    this.closed = new Promise((res) => { closeResolve = res; });
    this._settle = { openResolve, openReject, closeResolve };
    this.pc.addEventListener('datachannel', (e) => {
      const ch = this._adopt(e.channel, false);
      const announce = () => this.emit('channel', ch);
      if (e.channel.readyState === 'open') announce(); else ch.once('open', announce);
    });
    this.pc.addEventListener('track', (e) => this.emit('track', e.track, e.streams));
    this.pc.addEventListener('connectionstatechange', () => this._pcState());
    if (this.options.closeOnPageHide) closeOnPageHide(this);
  }

  _adopt(dc, isDefault) {
    const ch = new Channel(this, dc, isDefault);
    this._channels.add(ch);
    ch.on('close', () => this._channels.delete(ch));
    return ch;
  }

  _arm(ms, cls, message) {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._fail(cls, message), ms);
  }

  _text(code) {
    return formatText(code, this.options.form);
  }

  async _setLocal(desc) {
    await this.pc.setLocalDescription(desc);
    await gathered(this.pc, this.options.gatherTimeout);
    this._check();
    return { type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp };
  }

  _check() {
    if (this.reason) throw this.reason;
  }

  /**
   * offer makes this side the offerer and resolves with its code, in the
   * text form of options.form ('qr' by default: P:…; 'link': P-…; 'bin').
   * Pass the answer's code to connect() within options.offerTimeout.
   */
  async offer() {
    this._check();
    if (this.state !== 'new') throw new PeerError('state', `peer: offer() on a connection that is ${this.state}`);
    this.state = 'offering';
    this.role = 'offerer';
    const desc = await this._setLocal(await this.pc.createOffer());
    const code = encode(desc, undefined, { policy: this.options.policy });
    this.offerCode = this.localCode = code;
    this._arm(this.options.offerTimeout, 'offer-expired', 'peer: the offer expired before its answer arrived');
    return this._text(code);
  }

  /**
   * connect takes the other side's code in any form (text, link or bytes).
   * Given an offer on a new connection, it answers: it resolves with the
   * answer's code to show, and the connection opens when the offerer
   * applies it (options.answerTimeout). Given the answer on an offerer, it
   * applies it and resolves with null; the connection opens within
   * options.connectTimeout. A code that does not decode throws its
   * CodecError; an answer to another offer 'binding' (the offer stays
   * usable); the wrong kind of code PeerError 'code'.
   */
  async connect(code) {
    this._check();
    const bytes = codeBytes(code);
    if (this.state === 'offering' && this.localCode) return this._complete(bytes);
    if (this.state !== 'new') throw new PeerError('state', `peer: connect() on a connection that is ${this.state}`);
    const desc = decode(bytes);
    if (desc.type !== 'offer') throw new PeerError('code', 'peer: an answer\'s code where an offer\'s was expected');
    return this._answer(bytes, desc);
  }

  async _answer(offerCode, desc) {
    this.state = 'answering';
    this.role = 'answerer';
    this.offerCode = offerCode;
    // A patient answerer in Chromium checks the offer's candidates at
    // once, as an impatient one: an offerer that answers checks before it
    // has the answer (Chromium, Firefox) is connected before the answer
    // is made, which ends our gathering early (the answer is ready as
    // soon as without codes); an ICE failure before the answer arrives is
    // waited out (_pcState). Firefox holds them back (patientOffer).
    const gecko = isGecko();
    const remote = this.options.patient && gecko ? patientOffer(desc) : desc;
    this._waitsOut = this.options.patient && !gecko;
    await this.pc.setRemoteDescription(remote);
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(this._waitsOut ? serverAnswer(answer) : answer);
    if (remote !== desc) drip(this.pc, desc, this.options.drip, () => this.state !== 'answering');
    this._arm(this.options.answerTimeout, 'connect', 'peer: no connection: the offerer did not apply the answer in time, or no candidate pair works');
    await gathered(this.pc, this.options.gatherTimeout);
    this._check();
    const local = { type: 'answer', sdp: this.pc.localDescription.sdp };
    this.localCode = encode(local, offerCode, { policy: this.options.policy });
    return this._text(this.localCode);
  }

  async _complete(bytes) {
    const desc = decode(bytes, { offer: this.offerCode });
    if (desc.type !== 'answer') throw new PeerError('code', 'peer: an offer\'s code where an answer\'s was expected');
    this.state = 'connecting';
    this._arm(this.options.connectTimeout, 'connect', 'peer: no connection: no candidate pair works');
    await (this._remote = this.pc.setRemoteDescription(desc));
    return null;
  }

  /**
   * restartOffer starts an ICE restart of the open connection and resolves
   * with the restart offer's code (in options.form), for the peer's
   * restartAnswer() (a browser, or ref.Conn.RestartAnswer with
   * Config.RestartableICE), over any path but this connection's. The
   * dead-peer deadline is suspended: the restart must connect within
   * options.restartTimeout, else the connection closes 'unreachable'. A new
   * restartOffer() replaces a pending one. PeerError 'state' unless open;
   * 'unreachable' when the offer gathered no candidate within
   * options.gatherTimeout (it is rolled back: offer again later).
   */
  async restartOffer() {
    return this._text(await this._restart.offer());
  }

  /**
   * restartAnswer applies the peer's restart offer (any form) and resolves
   * with the answer's code, for the peer's completeRestart(). ICE checks
   * start at once. It replaces a restart offer of ours still pending
   * (glare: the caller decides which side's to accept). PeerError 'code'
   * for an answer's code or an offer with the current credentials.
   */
  async restartAnswer(code) {
    return this._text(await this._restart.answer(codeBytes(code)));
  }

  /**
   * completeRestart applies the restart answer's code; ICE checks start
   * then. It does not wait: see waitRestart(). An answer to another offer
   * throws the codec's 'binding' error (the offer stays pending).
   */
  async completeRestart(code) {
    await this._restart.complete(codeBytes(code));
    return null;
  }

  /** waitRestart resolves when the pending restart has connected (at once when none is); rejects with the reason if the connection ends. */
  waitRestart() { return this._restart.wait(); }

  /** restarts is the number of ICE restarts that have connected. */
  get restarts() { return this._restart.count; }

  /** restarting: a restart began and has not connected yet. */
  get restarting() { return this._restart.pending; }

  /** reachable: false from 'unreachable' until ICE connects again. */
  get reachable() { return !this._restart.unreachable; }

  /** send sends one message on the default channel (see Channel.send). */
  send(data) { return this.channel.send(data); }

  /** end sends the end of stream on the default channel. */
  end() { return this.channel.end(); }

  /** addTrack adds a media track before offer() or connect(offer). */
  addTrack(track, ...streams) {
    if (this.state !== 'new') throw new PeerError('state', 'peer: tracks are added before the codes are made');
    return this.pc.addTrack(track, ...streams);
  }

  /**
   * addTransceiver adds a media transceiver (a track or a kind, e.g.
   * 'video' with {direction: 'recvonly'} to receive without sending)
   * before offer() or connect(offer).
   */
  addTransceiver(trackOrKind, init) {
    if (this.state !== 'new') throw new PeerError('state', 'peer: transceivers are added before the codes are made');
    return this.pc.addTransceiver(trackOrKind, init);
  }

  /**
   * openChannel opens another channel (RTCDataChannelInit: ordered,
   * maxRetransmits, ...; never id 0). The peer sees a 'channel' event.
   */
  openChannel(label, init = {}) {
    if (init.negotiated && init.id === 0) throw new RangeError('peer: stream id 0 is the default channel');
    this._check();
    return this._adopt(this.pc.createDataChannel(label, init), false);
  }

  /** channels lists the open channels, the default one first. */
  get channels() { return [...this._channels]; }

  /**
   * close ends the connection: CLOSE on the default channel (the peer sees
   * it well within 1 s), a moment for it to leave, then the browser's
   * close (DTLS close_notify). Data not yet delivered may be lost: await
   * channel.flush() first. Resolves when closed; idempotent.
   */
  async close() {
    if (this.reason) return;
    const sent = this.channel._sendClose();
    this._finish(new PeerError('closed', 'peer: closed'));
    if (sent) {
      const dc = this.channel.dc, t0 = Date.now();
      while (dc.readyState === 'open' && dc.bufferedAmount > 0 && Date.now() - t0 < 30) {
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    this.pc.close();
  }

  // leave closes as the page goes away: CLOSE, then the default channel's
  // close (a stream reset, sent after the CLOSE). Not the browser's
  // close: it aborts SCTP at once, often before the CLOSE has left, and
  // an abort alone is a lost peer (reconnecting), not a closed one, for a
  // Go peer. The browser tears the rest down with the page.
  _leave() {
    if (this.reason) return;
    this.channel._sendClose();
    this._finish(new PeerError('closed', 'peer: closed: the page went away'));
    try { this.channel.dc.close(); } catch { /* closed meanwhile */ }
  }

  _opened() {
    if (this.reason || this.state === 'open') return;
    // A busy page may see the channel open before its offerer's
    // setRemoteDescription(answer) resolves: 'connect' waits for it, so
    // that both descriptions are there for whoever reads them (HELLO).
    if (!this.pc.remoteDescription && this._remote) {
      this._remote.then(() => this._opened(), () => {});
      return;
    }
    this.state = 'open';
    this._setup = localSetup(this.pc, this.role);
    clearTimeout(this._timer);
    // The first KEEPALIVE at once: the peer learns that we send them.
    if (this.channel._keepalive()) this._sentAt = Date.now();
    this._startWatch();
    this._settle.openResolve();
    this.emit('connect');
  }

  // startWatch runs the connection's one timer, every second (and at the
  // dead-peer deadline): it sends
  // KEEPALIVE when this side sent nothing for KEEPALIVE_MS (FRAMING.md
  // §2), and it declares the peer unreachable when nothing at all
  // arrived for options.deadPeerTimeout: no frame on any channel, and no
  // change in the statistics (data, ICE checks or their responses).
  // Firefox counts no STUN in its statistics (an idle connection whose
  // peer is ICE-controlled, as a Go peer answering a Firefox offer, showed
  // none for 16 s, and changes that are no traffic after a cut): a peer
  // that sends KEEPALIVE is heard through its frames alone; from one that never did (an older peer), a silent peer is
  // unreachable in Firefox only once Firefox's own consent checks (RFC
  // 7675) failed too (ICE 'disconnected' or 'failed', about 10-12 s after
  // a cut, measured).
  _startWatch() {
    const gecko = isGecko();
    let last = -1, heard = Date.now(), frames = this._frameAt;
    const poll = async () => {
      if (this.reason) return;
      let sig = 0;
      try {
        const stats = await this.pc.getStats();
        stats.forEach((r) => {
          if (r.type === 'candidate-pair' || r.type === 'transport') {
            sig += (r.bytesReceived || 0) + (r.packetsReceived || 0) + (r.requestsReceived || 0) +
              (r.responsesReceived || 0) + (r.consentRequestsReceived || 0) + (r.lastPacketReceivedTimestamp || 0);
          }
        });
      } catch { /* closed meanwhile */ }
      if (this.reason) return;
      const now = Date.now();
      // A change in the statistics is not always traffic (Firefox adds
      // and drops candidate pairs as its checks fail after a cut): from a
      // peer that sends KEEPALIVE, only its frames count.
      const statsMoved = sig !== last && !this._keepsAlive, framed = this._frameAt !== frames;
      if (statsMoved || framed) {
        if (last !== -1) this._restart.heard();
        heard = statsMoved ? now : Math.max(heard, this._frameAt);
      }
      last = sig;
      frames = this._frameAt;
      if (now - this._sentAt >= KEEPALIVE_MS && this.channel._keepalive()) this._sentAt = now;
      const waitConsent = gecko && !this._keepsAlive && consented(this.pc);
      if (now - heard >= this.options.deadPeerTimeout && !waitConsent) {
        if (!this.options.restartable) {
          this._fail('unreachable', `peer: nothing received for ${this.options.deadPeerTimeout} ms`);
          return;
        }
        this._restart.deadline();
      }
      // Every second, and at the deadline itself: heard is the exact
      // time of the last frame from a peer that sends KEEPALIVE.
      const due = heard + this.options.deadPeerTimeout - Date.now();
      this._watch = setTimeout(poll, due > 0 ? Math.min(1000, due) : 1000);
    };
    this._watch = setTimeout(poll, 1000);
  }

  // heardFrame notes a frame of type t received on any channel: the peer
  // is alive, and one that sends KEEPALIVE is heard without statistics.
  _heardFrame(t) {
    this._frameAt = Date.now();
    if (t === KEEPALIVE) this._keepsAlive = true;
  }

  _pcState() {
    const s = this.pc.connectionState;
    if (s !== 'failed' || this.reason) return;
    // waitsOut: a patient answerer's checks of the offer's candidates fail
    // when the answer is late (Chromium: ~15 s after the offer); the
    // offerer's checks make ICE connect again once it applies the answer
    // (measured with a Go offerer: 20 s, btest/go.suite.mjs; 90 s and
    // 200 s, web/test/wait.test.mjs). Until answerTimeout. A DTLS failure
    // (ICE connected) still ends it.
    if (this.state === 'answering' && this._waitsOut && !consented(this.pc)) return;
    if (this.state === 'open' && this.options.restartable) {
      // A restart can recover a failed ICE transport: the restart's
      // deadline, or the hold past the dead-peer deadline, ends it.
      if (!this._restart.pending) this._restart.deadline();
      return;
    }
    if (this.state === 'open') this._fail('unreachable', 'peer: ICE failed');
    else this._fail('connect', 'peer: no connection: ICE or DTLS failed');
  }

  _peerClosed() {
    if (this.reason) return;
    this._finish(new PeerError('peer-closed', 'peer: closed by the peer'));
    this.pc.close();
  }

  // defaultClosed: the default channel closed with no CLOSE frame: the
  // peer ended SCTP (FRAMING.md §5), unless ICE had no consent then
  // (Firefox ends the association itself when ICE fails, during a restart
  // too): then the path is lost.
  _defaultClosed() {
    if (this.reason) return;
    if (!consented(this.pc)) this._fail('unreachable', `peer: the browser ended the association (ICE ${this.pc.iceConnectionState})`);
    else this._peerClosed();
  }

  _protocol(what) {
    this._fail('protocol', `peer: protocol error: ${what}`);
  }

  _fail(cls, message) {
    if (this.reason) return;
    const err = new PeerError(cls, message);
    this.emit('error', err);
    this._finish(err);
    this.pc.close();
  }

  // finish ends the connection with reason (the first one wins).
  _finish(reason) {
    if (this.reason) return;
    this.reason = reason;
    this.state = 'closed';
    clearTimeout(this._timer);
    clearTimeout(this._watch);
    this._restart.end(reason);
    for (const ch of this._channels) ch._abandon(reason.class === 'peer-closed' && ch.ended ? null : reason);
    this._settle.openReject(reason);
    this._settle.closeResolve(reason);
    this.emit('close', reason);
  }
}
