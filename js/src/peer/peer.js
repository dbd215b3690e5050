// Peer: a browser peer with an identity (IDENTITY.md) over PeerConnection:
// an Ed25519 key and a DTLS certificate kept in IndexedDB (so the ID
// survives a reload), the HELLO handshake on every connection, the store of
// known peers, reconnect codes, and introductions through a connected peer
// (§6: relay, refuse, invite), as introducer, as the introduced and as the
// one who asks; a session outlives its connection (§8.1: redial.js).
import { formatText, parseText } from '../index.js';
import { PeerConnection } from './connection.js';
import { Emitter } from './emitter.js';
import { PeerError } from './errors.js';
import { bytesOf } from './channel.js';
import { ReplayCache, WorkLimit, expiredIntroduced, MAX_INTRODUCED_BY, MAX_PENDING_PER_SOURCE, MAX_PENDING_TOTAL } from './bounds.js';
import {
  Identity, checkHello, decodeMessage, dataMessage, idText, idShort, parseID, toReconnect, reconnectHint,
  resolveReconnect, MSG, idOf, verifySigned, relayMessage, refuseMessage, refusalClass, REFUSE,
  KIND_OFFER, KIND_ANSWER,
} from './identity.js';
import { watchRestart, onReply, acceptRestart, randomNonce, restartOnce, initiator, relays, less } from './sessionrestart.js';
import { lost, leave, RECONNECT_TIMEOUT } from './redial.js';

const DAY = 86400000;
// A certificate is asked for a year and renewed when less than 30 days
// remain (IDENTITY.md §2, as ref/peer); browsers may cap the lifetime.
const CERT_LIFETIME = 365 * DAY, CERT_RENEW = 30 * DAY;

// --- Stores: IndexedDB in a browser, memory elsewhere ---

class MemoryStore {
  constructor() { this.self = null; this.peers = new Map(); }
  async getSelf() { return this.self; }
  async putSelf(v) { this.self = v; }
  async allPeers() { return [...this.peers.values()]; }
  async putPeer(r) { this.peers.set(r.idText, r); }
  async deletePeer(t) { this.peers.delete(t); }
}

function request(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

class IDBStore {
  static async open(name) {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore('self');
      r.result.createObjectStore('peers', { keyPath: 'idText' });
    };
    const s = new IDBStore();
    s.db = await request(r);
    return s;
  }

  async tx(store, mode, fn) {
    const t = this.db.transaction(store, mode);
    const out = await request(fn(t.objectStore(store)));
    await new Promise((resolve, reject) => { t.oncomplete = resolve; t.onerror = () => reject(t.error); t.onabort = () => reject(t.error); });
    return out;
  }

  getSelf() { return this.tx('self', 'readonly', (s) => s.get('self')); }
  putSelf(v) { return this.tx('self', 'readwrite', (s) => s.put(v, 'self')); }
  allPeers() { return this.tx('peers', 'readonly', (s) => s.getAll()); }
  putPeer(r) { return this.tx('peers', 'readwrite', (s) => s.put(r)); }
  deletePeer(t) { return this.tx('peers', 'readwrite', (s) => s.delete(t)); }
}

// sha256Fingerprint reads the sha-256 a=fingerprint of an SDP as 32 bytes.
function sha256Fingerprint(sdp) {
  const m = /^a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\s*$/mi.exec(sdp || '');
  if (!m) throw new PeerError('auth', 'peer: no sha-256 fingerprint in the description');
  return Uint8Array.from(m[1].split(':'), (x) => parseInt(x, 16));
}

const sameBytes = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Session is a verified peer (IDENTITY.md §8.1: one per ID) on its current
 * connection. Events: 'data' (Uint8Array), 'close' (PeerError: the
 * session ended), 'reconnecting' (PeerError: the connection passed the
 * dead-peer deadline, or was lost), 'redialing' (attempt number: a fresh
 * connection is being made, redial.js) and 'reconnected' (an ICE restart
 * connected, sessionrestart.js, or a fresh connection replaced the lost
 * one).
 */
export class Session extends Emitter {
  constructor(peer, conn, id, key) {
    super();
    this.peer = peer;
    /** The PeerConnection under this session. */
    this.conn = conn;
    /** The peer's verified ID (32 bytes), its text and short forms. */
    this.id = id;
    this.idText = idText(id);
    this.idShort = idShort(id);
    this.key = key;
    /** restarting: from 'reconnecting' to 'reconnected': the connection is being restarted (IDENTITY.md §8.2) or replaced (§8.1). */
    this.restarting = false;
    /** lostAt: when 'reconnecting' began (ms), 0 when connected: the retry budget counts from it. */
    this.lostAt = 0;
    /** lowOffer: the connection was offered by the lower ID (§8.1's glare rule). */
    this.lowOffer = false;
    /** offering: a restart offer of ours awaits its answer (§8.2's glare rule, sessionrestart.js). */
    this.offering = false;
  }

  /**
   * restart runs one ICE restart of this session's connection now, its
   * signed offer carried by another connected peer (IDENTITY.md §8.2),
   * and resolves once it connected. The connection must be restartable
   * (made through an introduction). Restarts of an unreachable session
   * run by themselves on the initiator.
   */
  restart() {
    if (!this.conn.options.restartable) return Promise.reject(new PeerError('state', 'peer: a connection made from codes carried by hand is never restarted'));
    return restartOnce(this.peer, this);
  }

  /** send sends an application message (IDENTITY.md data message). */
  send(data) {
    return this.conn.send(dataMessage(bytesOf(data)));
  }

  /** close ends the session: its connection closes; a session waiting for a connection is left at once. */
  close() {
    if (this.conn.reason) {
      leave(this.peer, this, new PeerError('closed', 'peer: closed by this side'));
      return Promise.resolve();
    }
    return this.conn.close();
  }
}

/**
 * Pairing is one connection of a Peer through codes, as PeerConnection:
 * offer() or connect(code); its session resolves once HELLO verified the
 * peer (and rejects with 'auth' for an impostor).
 */
export class Pairing {
  constructor(peer, options = {}) {
    this.peer = peer;
    /** expect: the IDs (text form) this connection must reach (a reconnection); empty: anyone. */
    this.expect = (options.expect ? [].concat(options.expect) : []).map((t) => parseID(t));
    this.introducer = options.introducer; // the ID text of the introducer, for an introduction
    this.conn = new PeerConnection({ ...peer.connOptions, ...options.conn, certificates: [peer.certificate] });
    let ok, no;
    this.session = new Promise((res, rej) => { ok = res; no = rej; });
    this.session.catch(() => {});
    this.conn.on('close', (reason) => no(reason));
    this._ok = ok;
    this._first = null; // the peer's first message: its HELLO
    this._later = []; // messages after it, until HELLO is verified
    this._sess = null;
    this.conn.channel.on('message', (m) => this._message(m));
    this.conn.on('connect', () => {
      // HELLO within the handshake timeout (ref/peer: 15 s), or auth.
      const t = setTimeout(() => this.conn._fail('auth', 'peer: no HELLO from the peer in time'), peer.handshakeTimeout);
      this.session.then(() => clearTimeout(t), () => clearTimeout(t));
      this._hello().catch((err) => this.conn._fail(err.class || 'auth', err.message));
    });
  }

  /**
   * offer makes the offer's code. For one expected peer that remembers our
   * certificate it is a reconnect code (IDENTITY.md §4: about 40% smaller).
   */
  async offer() {
    const text = await this.conn.offer();
    if (this.expect.length !== 1) return text;
    const rec = await this.peer._record(idText(this.expect[0]));
    if (!rec || !sameBytes(rec.sentFingerprint, this.peer.fingerprint)) return text;
    const rc = toReconnect(this.conn.offerCode, this.peer.id, this.peer.fingerprint);
    return rc ? formatText(rc, this.conn.options.form) : text;
  }

  /** connect answers an offer's code (full or reconnect) or completes with the answer's. */
  async connect(code) {
    let bytes = code instanceof Uint8Array ? code : parseText(code);
    if (reconnectHint(bytes)) {
      const recs = await this.peer.remembered();
      const pool = this.expect.length ? recs.filter((r) => this.expect.some((e) => sameBytes(e, r.id))) : recs;
      const cands = resolveReconnect(bytes, pool);
      if (!this.expect.length) this.expect = cands.map((c) => c.id);
      bytes = cands[0].code;
    }
    return this.conn.connect(bytes);
  }

  async _hello() {
    const pc = this.conn.pc;
    if (!pc.localDescription || !pc.remoteDescription) {
      throw new PeerError('closed', 'peer: the connection closed before its handshake');
    }
    const local = sha256Fingerprint(pc.localDescription.sdp), remote = sha256Fingerprint(pc.remoteDescription.sdp);
    const offerer = this.conn.role === 'offerer';
    const [fpO, fpA] = offerer ? [local, remote] : [remote, local];
    this._fps = { fpO, fpA, local, remote, peerRole: offerer ? 1 : 0 };
    await this.conn.send(await this.peer.identity.hello(offerer ? 0 : 1, fpO, fpA, []));
    if (this._first) this._verify();
  }

  _message(m) {
    if (!this._sess) {
      if (this._first) this._later.push(m);
      else {
        this._first = m;
        if (this._fps) this._verify();
      }
      return;
    }
    let msg;
    try {
      msg = decodeMessage(m);
    } catch (err) {
      this.conn._fail('protocol', err.message);
      return;
    }
    if (msg.type === MSG.data) {
      this._sess.emit('data', msg.payload);
      this.peer.emit('data', this._sess, msg.payload);
    } else if (msg.type === MSG.refuse) {
      this.peer._control(this._sess, msg).catch((err) => this.peer.emit('error', err));
    } else if (!msg.ignored) {
      // A relay or an invitation starts an exchange: beyond the bound of
      // those under way (§9), it is dropped (and reported).
      const sess = this._sess, peer = this.peer;
      if (!peer._work.run(sess.idText, () => peer._control(sess, msg), (err) => peer.emit('error', err))) {
        peer.emit('rejected', new PeerError('too-many', `peer: ${MAX_PENDING_PER_SOURCE} exchanges under way from ${sess.idShort}, or ${MAX_PENDING_TOTAL} in all: a message dropped`), null, sess);
      }
    }
  }

  async _verify() {
    // Once: the peer's HELLO may arrive while ours is being sent, and both
    // _hello and _message then reach here.
    if (this._verifying) return;
    this._verifying = true;
    const { fpO, fpA, local, remote, peerRole } = this._fps;
    try {
      const r = await checkHello(this._first, peerRole, fpO, fpA, this.peer.id, this.expect);
      const now = Date.now();
      const t = idText(r.id);
      const old = await this.peer._record(t);
      await this.peer.store.putPeer({ ...old, idText: t, id: r.id, key: r.key, fingerprint: remote, sentFingerprint: local,
        firstSeen: old?.firstSeen || now, lastSeen: now, chosen: old?.chosen || !this.introducer, introducer: this.introducer || old?.introducer,
        addrs: r.addrs });
      if (this.conn.reason) return; // closed during the checks
      const ev = this._attach(r, t);
      if (!ev) return;
      const sess = this._sess;
      this.conn.on('close', (reason) => lost(this.peer, sess, this.conn, reason));
      watchRestart(this.peer, sess);
      if (ev !== 'replaced') {
        sess.emit(ev);
        this.peer.emit(ev, sess);
      }
      this._ok(sess);
      for (const m of this._later.splice(0)) this._message(m);
    } catch (err) {
      this.conn._fail(err.class || 'auth', err.message);
    }
  }
}

Pairing.prototype._attach = attach;

/**
 * attach makes this verified connection (HELLO result r, peer t) the
 * connection of the session with t (IDENTITY.md §8.1), creating it, and
 * returns the event to report: 'joined' (a new session), 'reconnected'
 * (it replaces a lost or restarting connection), 'replaced' (it replaces
 * a live one: no event), or null when the live connection offered by the
 * lower ID wins the glare rule over it (it then closes 2 s later). A
 * replaced connection that is still open closes 2 s later too: the peer
 * may not have replaced it yet, and its close would look like a departure.
 */
function attach(r, t) {
  const peer = this.peer;
  const lowOffer = this.conn.role === 'offerer' ? less(peer.id, r.id) : less(r.id, peer.id);
  let sess = peer.sessions.get(t), ev = 'joined';
  if (!sess) {
    sess = new Session(peer, this.conn, r.id, r.key);
    peer.sessions.set(t, sess);
  } else {
    const old = sess.conn;
    if (!old.reason && !sess.restarting && sess.lowOffer && !lowOffer) {
      // Closed 2 s later, as a replaced one: the peer may have verified
      // this connection first and not yet the winner, and a close now
      // would look like a departure to it ('left', then 'joined' again).
      setTimeout(() => this.conn.close(), 2000);
      return null;
    }
    ev = sess.restarting ? 'reconnected' : 'replaced';
    sess.conn = this.conn;
    if (!old.reason) setTimeout(() => old.close(), 2000);
  }
  sess.lowOffer = lowOffer;
  sess.restarting = false;
  sess.lostAt = 0;
  this._sess = sess;
  return ev;
}

/**
 * Peer is this browser's identity and the peers it knows. Events:
 * 'joined' (Session: HELLO verified), 'data' (Session, Uint8Array),
 * 'left' (Session, PeerError), 'rejected' (PeerError, author ID text or
 * null, Session: an introduction offered to us and refused),
 * 'reconnecting' (Session, PeerError: a connection made through an
 * introduction passed the dead-peer deadline and is being restarted, or
 * a connection was lost), 'reconnected' (Session: the same connection
 * connected again, or a fresh one replaced it), 'restart-failed'
 * (Session, PeerError: one of our restarts failed), 'redialing' (Session,
 * attempt: we ask a connected peer to introduce us again, redial.js) and
 * 'redial-failed' (Session, PeerError: that attempt failed). A session
 * with no connection for reconnectTimeout is 'left' ('no-route').
 */
export class Peer extends Emitter {
  /**
   * open loads this browser's identity from IndexedDB (database `name`,
   * default 'peer-sdp'), or creates it: a non-extractable Ed25519 key and a
   * DTLS certificate, renewed when less than 30 days remain. persist false
   * keeps everything in memory. reconnectTimeout (ms, default 5 min, range
   * 1 s..24 h) is the retry budget of a lost session (IDENTITY.md §5).
   * Other options go to each PeerConnection.
   */
  static async open({ name = 'peer-sdp', persist = true, maxPeers = 64, handshakeTimeout = 15000, reconnectTimeout = RECONNECT_TIMEOUT, ...connOptions } = {}) {
    if (!(maxPeers >= 1 && maxPeers <= 4096)) throw new RangeError(`peer: maxPeers ${maxPeers} out of range [1, 4096]`);
    if (!(Number.isFinite(reconnectTimeout) && reconnectTimeout >= 1000 && reconnectTimeout <= 86400000)) throw new RangeError(`peer: reconnectTimeout ${reconnectTimeout} out of range [1 s, 24 h]`);
    if (!(handshakeTimeout >= 1000 && handshakeTimeout <= 600000)) throw new RangeError(`peer: handshakeTimeout ${handshakeTimeout} out of range [1 s, 10 min]`);
    const store = persist && typeof indexedDB !== 'undefined' ? await IDBStore.open(name) : new MemoryStore();
    let self = await store.getSelf();
    let identity;
    if (self) {
      identity = new Identity(self.privateKey, self.publicKey);
    } else {
      identity = await Identity.generate();
      self = { privateKey: identity.privateKey, publicKey: identity.publicKey };
    }
    if (!self.certificate || self.certificate.expires - Date.now() < CERT_RENEW) {
      self.certificate = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: CERT_LIFETIME });
    }
    await store.putSelf(self);
    const p = new Peer();
    p.store = store;
    p.identity = identity;
    p.certificate = self.certificate;
    p.connOptions = connOptions;
    p.maxPeers = maxPeers;
    p.handshakeTimeout = handshakeTimeout;
    p.reconnectTimeout = reconnectTimeout;
    p._inflight = 0; // introductions being answered
    p._replay = new ReplayCache(); // signed codes accepted: each once (§9)
    p._work = new WorkLimit(); // exchanges under way that connected peers started (§9)
    const fp = self.certificate.getFingerprints().find((f) => f.algorithm === 'sha-256');
    p.fingerprint = Uint8Array.from(fp.value.split(':'), (x) => parseInt(x, 16));
    p.sessions = new Map(); // ID text -> Session
    p._pending = new Map(); // nonce -> our introduction waiting for its answer
    p._restarts = new Map(); // nonce -> our restart offer waiting for its answer (§8.2)
    return p;
  }

  get id() { return this.identity.id; }
  get idText() { return this.identity.idText; }
  get idShort() { return this.identity.idShort; }

  _relays(sess) { return relays(this, sess); }

  _initiator(sess) { return initiator(this, sess); }

  /** pair starts a connection through codes (see Pairing); expect: ID(s) it must reach. */
  pair(options) { return new Pairing(this, options); }

  /**
   * remembered lists the known peers: {idText, id, key, fingerprint,
   * sentFingerprint, firstSeen, lastSeen, chosen, introducer}. A peer met
   * through an introduction is forgotten 30 days after it was last seen,
   * unless it has a session (§5).
   */
  async remembered() {
    const out = [], now = Date.now();
    for (const r of await this.store.allPeers()) {
      if (expiredIntroduced(r, now) && !this.sessions.has(r.idText)) await this.store.deletePeer(r.idText);
      else out.push(r);
    }
    return out;
  }

  forget(idTextOf) { return this.store.deletePeer(idTextOf); }

  async _record(t) { return (await this.remembered()).find((r) => r.idText === t); }

  /**
   * introduce connects to the peer `to` (ID text) through a connected peer
   * `via` (a Session or an ID text; default: any other session), with no
   * code shown (IDENTITY.md §6): the offer and answer travel signed by their
   * authors. Returns the Pairing; its session rejects with the class of a
   * refusal ('no-route', 'refused', ...).
   */
  introduce(to, { via } = {}) {
    const sess = typeof via === 'string' ? this.sessions.get(via) : via || [...this.sessions.values()].find((x) => x.idText !== to && !x.conn.reason);
    if (!sess) throw new PeerError('no-route', `peer: no connected peer to introduce ${to}`);
    const pairing = new Pairing(this, { expect: to, introducer: sess.idText, conn: { restartable: true } });
    const toID = parseID(to);
    const nonce = randomNonce();
    this._pending.set(String(nonce), { pairing, to: toID, via: sess });
    pairing.conn.closed.then(() => this._pending.delete(String(nonce)));
    (async () => {
      await pairing.conn.offer();
      const signed = await this.identity.signCode(KIND_OFFER, toID, pairing.conn.offerCode);
      await sess.conn.send(relayMessage(0, toID, nonce, signed));
    })().catch((err) => pairing.conn._fail(err.class || 'no-route', err.message));
    return pairing;
  }

  // control handles §6's messages from the session sess.
  async _control(sess, m) {
    const forTo = m.to && sameBytes(m.to, this.id);
    if (m.type === MSG.invite) {
      const t = idText(m.peer);
      const had = this.sessions.get(t);
      if ((!had || had.conn.reason) && !sameBytes(m.peer, this.id) && !await this._mayAccept(sess, t)) await this.introduce(t, { via: sess }).session.catch(() => {});
      return;
    }
    if (m.type !== MSG.relay && m.type !== MSG.refuse && m.type !== MSG.restart) return;
    if (!forTo) {
      // As the introducer: forward once (hops 0 -> 1), or refuse with no-route.
      if (m.hops !== 0) return;
      const target = this.sessions.get(idText(m.to));
      const fwd = m.type === MSG.refuse ? refuseMessage(1, m.to, m.nonce, m.reason) : relayMessage(1, m.to, m.nonce, m.signed, m.type);
      if (target && !target.restarting) await target.conn.send(fwd);
      else if (m.type !== MSG.refuse) await sess.conn.send(refuseMessage(1, sess.id, m.nonce, REFUSE['no-route']));
      return;
    }
    // A restart (§8.2): the reply to ours, or an offer to answer.
    if (m.type === MSG.restart && m.signed.kind === KIND_OFFER) return acceptRestart(this, sess, m);
    if ((m.type === MSG.refuse || m.signed.kind === KIND_ANSWER) && onReply(this, sess, m)) return;
    // A refusal or an answer is taken once, from the introducer the offer
    // went through.
    const now = Math.floor(Date.now() / 1000);
    if (m.type === MSG.refuse || m.signed.kind === KIND_ANSWER) {
      const p = this._pending.get(String(m.nonce));
      if (!p || p.via !== sess) return;
      this._pending.delete(String(m.nonce));
      if (m.type === MSG.refuse) {
        p.pairing.conn._fail(refusalClass(m.reason), `peer: the introduction was refused (reason ${m.reason})`);
        return;
      }
      try {
        await verifySigned(m.signed, this.id, KIND_ANSWER, now, p.to);
        this._replay.once(m.signed, idText(p.to), now);
        await p.pairing.connect(m.signed.code);
      } catch (err) {
        p.pairing.conn._fail(err.class || 'protocol', err.message);
      }
      return;
    }
    // An offer for us through sess.
    const author = m.signed.key.length === 32 ? idOf(m.signed.key) : null;
    // refuse answers the author with the reason of err's class and reports
    // it as 'rejected' (ref/peer's Rejected event).
    const refuse = (err) => {
      this.emit('rejected', err, author && idText(author), sess);
      return author && sess.conn.send(refuseMessage(0, author, m.nonce, REFUSE[err.class] || REFUSE.other));
    };
    try {
      await verifySigned(m.signed, this.id, KIND_OFFER, now);
      const t = idText(author);
      const no = await this._mayAccept(sess, t);
      if (no) return refuse(no);
      // A signed offer is accepted once (a replay is expired), and the
      // sessions and introductions under way stay within maxPeers.
      this._replay.once(m.signed, t, now);
      if (!this.sessions.has(t) && this.sessions.size + this._inflight >= this.maxPeers) return refuse(new PeerError('too-many', `peer: ${this.maxPeers} peers (maxPeers)`));
      this._inflight++;
      const pairing = new Pairing(this, { expect: t, introducer: sess.idText, conn: { restartable: true } });
      pairing.session.then(() => this._inflight--, () => this._inflight--);
      await pairing.connect(m.signed.code);
      const signed = await this.identity.signCode(KIND_ANSWER, author, pairing.conn.localCode);
      await sess.conn.send(relayMessage(0, author, m.nonce, signed));
    } catch (err) {
      await refuse(err.class ? err : new PeerError('protocol', err.message));
    }
  }

  // mayAccept returns why the peer t may not be introduced through sess
  // (a PeerError 'refused'), or null. A known peer comes through anyone; a
  // stranger only through an introducer this user paired with by code
  // (ref/peer's IntroductionsFromChosen), and while fewer than 16 peers
  // it introduced are remembered (§5).
  async _mayAccept(sess, t) {
    const recs = await this.remembered();
    if (recs.some((r) => r.idText === t)) return null;
    if (!recs.find((r) => r.idText === sess.idText)?.chosen) {
      return new PeerError('refused', `peer: a stranger introduced by ${sess.idShort}, not a peer paired by code`);
    }
    const n = recs.filter((r) => !r.chosen && r.introducer === sess.idText).length;
    if (n >= MAX_INTRODUCED_BY) return new PeerError('refused', `peer: ${n} peers introduced by ${sess.idShort} are remembered already`);
    return null;
  }
}
