// ICE restart (RFC 8445 §2.4) of an open PeerConnection through codes, as
// ref/'s (ref/restart.go): either side calls restartOffer(), the other
// side's restartAnswer(offer) answers, and completeRestart(answer) applies
// the answer. The connection, its channels and the DTLS and SCTP
// associations stay; only the ICE credentials and candidates are new. A
// browser cannot set its own ICE credentials: each restart offer carries
// new ones the browser chose (createOffer({iceRestart: true})).
import { encode, decode } from '../index.js';
import { PeerError } from './errors.js';

// iceParams returns the ufrag of an SDP (the first a=ice-ufrag).
function ufragOf(sdp) {
  return (/^a=ice-ufrag:(\S+)/m.exec(sdp || '') || [])[1] || '';
}

// localSetup returns this side's DTLS role as an a=setup value of the
// established connection ('active': DTLS client, 'passive': server), read
// from the negotiated answer. It never changes during a connection.
export function localSetup(pc, role) {
  const answer = role === 'offerer' ? pc.currentRemoteDescription : pc.currentLocalDescription;
  const setup = (/^a=setup:(\w+)/m.exec(answer?.sdp || '') || [])[1];
  if (role === 'answerer') return setup === 'passive' ? 'passive' : 'active';
  return setup === 'passive' ? 'active' : 'passive';
}

// keepRole rewrites a restart offer's a=setup:actpass into the role that
// keeps ours. RFC 8842 §5.3 has the answerer keep its DTLS role, and
// Chromium and pion do; Firefox answers actpass with active even when it
// is the DTLS server, which its peer then refuses ("Failed to set SSL
// role"). Offered the complement of our role, every browser answers ours.
function keepRole(sdp, setup) {
  const want = setup === 'active' ? 'passive' : 'active';
  return sdp.replace(/^a=setup:actpass(\r?)$/gm, `a=setup:${want}$1`);
}

// setLocal applies a restart's local description and resolves with it
// once the new gathering has ended (or options.gatherTimeout). Right after
// setLocalDescription a browser may still report the previous gathering
// as complete (Firefox does): the end is the null icecandidate event, or
// the state 'complete' after 'gathering' (Firefox sends no null event).
async function setLocal(c, desc) {
  const pc = c.pc;
  let end;
  const ended = new Promise((resolve) => {
    let began = false;
    const t = setTimeout(done, c.options.gatherTimeout);
    function done() {
      clearTimeout(t);
      pc.removeEventListener('icecandidate', cand);
      pc.removeEventListener('icegatheringstatechange', state);
      resolve();
    }
    function cand(e) { if (!e.candidate) done(); }
    function state() {
      if (pc.iceGatheringState === 'gathering') began = true;
      else if (began && pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icecandidate', cand);
    pc.addEventListener('icegatheringstatechange', state);
    end = done;
  });
  try {
    await pc.setLocalDescription(desc);
  } catch (err) {
    end();
    throw err;
  }
  await ended;
  c._check();
  return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
}

// RECHECK is how long a restart's selected pair may be of mixed
// generations before Restart.recheck, ms.
export const RECHECK = 1000;

// Restart holds the restart state of one PeerConnection.
export class Restart {
  constructor(conn) {
    this.conn = conn;
    this.pending = false; // a restart began and has not connected
    this.count = 0; // restarts that connected
    this.offerCode = null; // our restart offer awaiting its answer
    this.timer = null; // the restart's deadline, or the hold past the dead-peer deadline
    this.poll = null;
    this.waiters = [];
    this.unreachable = false; // past the dead-peer deadline, not connected again
    this.gen = 0; // bumped when a restart offer of ours is dropped (rollback)
    this.applying = Promise.resolve(); // our restart offer until it is made: applied, its gathering ended (or failed)
    this.remotes = []; // the peer's ufrags, as the ICE agent numbers their generations
  }

  // check throws unless a restart may begin now.
  check() {
    const c = this.conn;
    c._check();
    if (c.state !== 'open') throw new PeerError('state', `peer: ICE restart on a connection that is ${c.state}`);
  }

  // begin suspends the dead-peer watch and arms the restart's deadline.
  begin() {
    const c = this.conn;
    clearTimeout(c._watch);
    clearTimeout(this.timer);
    this.pending = true;
    this.rx = null;
    this.mixed = 0; // when the probe first saw a pair of mixed generations
    this.rechecked = false;
    if (!this.remotes.length) this.remotes.push(ufragOf(c.pc.currentRemoteDescription?.sdp));
    this.before = undefined;
    selectedPair(c.pc).then((p) => { if (this.before === undefined) this.before = p?.id ?? null; });
    const ms = c.options.restartTimeout;
    this.timer = setTimeout(() => c._fail('unreachable', `peer: the ICE restart did not connect within ${ms} ms`), ms);
    clearTimeout(this.poll);
    this.poll = setTimeout(() => this.probe(), 200);
  }

  async rollback() {
    const pc = this.conn.pc;
    this.gen++;
    if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
    this.offerCode = null;
  }

  async offer() {
    this.check();
    const c = this.conn;
    let applied;
    this.applying = new Promise((resolve) => { applied = resolve; });
    let gen, code;
    try {
      await this.rollback(); // an earlier restart offer never answered
      gen = this.gen;
      // The peer's restart offer is being answered (glare): it wins.
      if (c.pc.signalingState !== 'stable') throw new PeerError('state', 'peer: a restart offer of the peer\'s is being answered (glare)');
      const was = this.pending; // an earlier restart, applied, not connected
      this.begin();
      const desc = await setLocal(c, await c.pc.createOffer({ iceRestart: true }));
      code = encode(desc, undefined, { policy: c.options.policy });
      if (gen === this.gen && !hasCandidate(code)) {
        await this.rollback();
        if (!was) this.drop();
        throw new PeerError('unreachable', `peer: the restart offer gathered no ICE candidate within ${c.options.gatherTimeout} ms (no network or TURN server yet)`);
      }
    } finally {
      applied();
    }
    // The peer's restart offer, answered meanwhile (glare), dropped ours:
    // its code would restart the peer towards credentials we no longer have.
    if (gen !== this.gen) throw new PeerError('state', 'peer: our restart offer was dropped for the peer\'s (glare)');
    this.offerCode = code;
    return code;
  }

  async answer(offerCode) {
    this.check();
    const c = this.conn;
    const desc = decode(offerCode);
    if (desc.type !== 'offer') throw new PeerError('code', 'peer: an answer\'s code where a restart offer\'s was expected');
    if (ufragOf(desc.sdp) === ufragOf(c.pc.currentRemoteDescription?.sdp)) {
      throw new PeerError('code', 'peer: a restart offer with the current ICE credentials (not a restart, or a replay)');
    }
    // Glare: the peer's restart offer wins over ours, once ours is made.
    // Answering while it is being made would leave it applied after the
    // answer (new credentials the peer never gets), or its gathering's end
    // (Chromium's null candidate) would end the answer's, whose code would
    // then carry no candidate.
    await this.applying;
    await this.rollback();
    this.begin();
    await c.pc.setRemoteDescription({ type: 'offer', sdp: keepRole(desc.sdp, c._setup) });
    const desc2 = await setLocal(c, await c.pc.createAnswer());
    this.applied();
    return encode(desc2, offerCode, { policy: c.options.policy });
  }

  async complete(answerCode) {
    const c = this.conn;
    c._check();
    if (!this.offerCode || c.pc.signalingState !== 'have-local-offer') {
      throw new PeerError('state', 'peer: completeRestart() without a pending restart offer');
    }
    const desc = decode(answerCode, { offer: this.offerCode });
    if (desc.type !== 'answer') throw new PeerError('code', 'peer: an offer\'s code where a restart answer\'s was expected');
    await c.pc.setRemoteDescription(desc);
    this.applied();
    this.offerCode = null;
  }

  // applied numbers the peer's ufrag of the remote description applied.
  applied() {
    const u = ufragOf(this.conn.pc.currentRemoteDescription?.sdp);
    if (u && this.remotes.at(-1) !== u) this.remotes.push(u);
  }

  // recheck runs while the selected pair is of mixed generations (our new
  // candidate, the peer's old one; mixedGeneration). Chromium selects
  // such a pair as soon as it has its restart offer (the peer's old ICE
  // agent answers), and may then never check a pair of the new
  // generation: its statistics show them 'waiting', with requests
  // received and none sent (seen with Chromium 156 as the offerer, with a
  // Chromium answerer in most restarts). Its ICE controller prunes a pair
  // no better than the selected one on the same network: one whose
  // remote candidate it learnt from the peer's checks before the answer
  // (peer-reflexive, of a lower priority), or whose priority the code
  // made lower (candidatesOf); a pruned pair is checked again only when
  // the selected one fails, and the mixed one does not. After RECHECK ms
  // of that, recheck gives the ICE agent the answer's candidates again,
  // of the generation after the peer's current one (this.remotes), for
  // which Chromium makes new pairs in place of the pruned ones; it checks
  // them and selects one (of the younger generation, at an equal
  // priority). Once a restart.
  recheck() {
    const pc = this.conn.pc;
    if (!this.mixed) this.mixed = Date.now();
    if (this.rechecked || Date.now() - this.mixed < RECHECK) return;
    this.rechecked = true;
    for (const cand of candidatesOf(pc.currentRemoteDescription.sdp, this.remotes.length)) {
      pc.addIceCandidate(cand).catch(() => {});
    }
  }

  // probe polls, while a restart is pending, until it has connected: both
  // descriptions applied, ICE connected, and a selected candidate pair
  // other than the one before the restart, or the same one (Chromium keeps
  // a working pair through a restart) once it has received something
  // since: the path works either way. A pair of our new candidate with
  // one of the peer's old generation is not connected (mixedGeneration;
  // recheck, if it stays selected), unless a pair of both new ufrags has
  // received data (fresh: the peer's new ICE agent sends to ours).
  async probe() {
    clearTimeout(this.poll);
    const c = this.conn, pc = c.pc;
    if (!this.pending || c.reason) return;
    if (pc.signalingState === 'stable' && ['connected', 'completed'].includes(pc.iceConnectionState)) {
      const local = ufragOf(pc.currentLocalDescription?.sdp), remote = ufragOf(pc.currentRemoteDescription?.sdp);
      const p = await selectedPair(pc, local, remote);
      if (p?.fresh) {
        this.connected();
        return;
      }
      if (p && mixedGeneration(local, remote, p.localUfrag, p.remoteUfrag)) this.recheck();
      else if (p) {
        const rx = (p.packetsReceived || 0) + (p.responsesReceived || 0) + (p.requestsReceived || 0) + (p.bytesReceived || 0);
        if ((this.before !== undefined && p.id !== this.before) || (this.rx && (this.rx.id !== p.id || rx > this.rx.n))) {
          this.connected();
          return;
        }
        if (!this.rx) this.rx = { id: p.id, n: rx };
      }
    }
    this.poll = setTimeout(() => this.probe(), 200);
  }

  // settle ends the pending restart: its deadline and probe stop, and the
  // dead-peer watch runs again.
  settle() {
    this.pending = false;
    clearTimeout(this.timer);
    clearTimeout(this.poll);
    this.timer = null;
    this.conn._startWatch();
  }

  connected() {
    const c = this.conn;
    if (c.reason || !this.pending) return;
    this.count++;
    this.settle();
    if (this.unreachable) {
      this.unreachable = false;
      c.emit('reachable');
    }
    c.emit('restart', this.count);
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  // deadline runs at the dead-peer deadline of a restartable connection:
  // 'unreachable', then a hold of restartTimeout for a restart to begin
  // (or the path to come back by itself, which the watch sees).
  deadline() {
    const c = this.conn;
    if (this.pending || c.reason || this.unreachable) return;
    this.unreachable = true;
    this.holdEnd = Date.now() + c.options.restartTimeout;
    this.hold();
    c.emit('unreachable');
  }

  // hold arms the wait past the dead-peer deadline, until holdEnd.
  hold() {
    const c = this.conn;
    this.timer = setTimeout(() => c._fail('unreachable',
      `peer: nothing received for ${c.options.deadPeerTimeout} ms (and no ICE restart within ${c.options.restartTimeout} ms)`),
    Math.max(0, this.holdEnd - Date.now()));
  }

  // drop ends a restart whose offer was rolled back unsent (hasCandidate)
  // when no earlier one is pending (that one stays pending): as before
  // begin, the dead-peer watch runs and an unreachable connection waits
  // out the rest of its hold; a working path is 'reachable' again, not a
  // restart.
  drop() {
    this.settle();
    if (this.unreachable) this.hold();
  }

  // heard runs when the watch hears the peer again while unreachable.
  heard() {
    if (!this.unreachable || this.pending) return;
    this.unreachable = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.conn.emit('reachable');
  }

  wait() {
    const c = this.conn;
    if (c.reason) return Promise.reject(c.reason);
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  end(reason) {
    clearTimeout(this.timer);
    clearTimeout(this.poll);
    for (const w of this.waiters.splice(0)) w.reject(reason);
  }
}

/**
 * mixedGeneration reports whether a selected candidate pair joins one of
 * our candidates of the current ICE generation (ufrag local) with one of
 * the peer's of an earlier generation (not its current ufrag remote): as
 * soon as Chromium has its restart offer it pairs its new candidates with
 * the peer's old ones, which Firefox's old ICE agent still answers; when
 * it selects such a pair it never nominates one of Firefox's new agent,
 * and Firefox's side of the restart never connects (btest/restart.suite:
 * 1 to 3 restarts in 10 offered by Chromium to Firefox; diagnosed from
 * Chromium's candidate statistics, which carry each candidate's
 * usernameFragment). Unknown ufrags (Firefox's statistics have none) are
 * not mixed.
 */
export function mixedGeneration(local, remote, pairLocal, pairRemote) {
  return !!pairLocal && !!pairRemote && pairLocal === local && pairRemote !== remote;
}

// selectedPair returns the selected candidate pair (the transport's in
// Chromium, the one marked selected in Firefox), or null; with the ufrags
// of its candidates when the browser reports them (localUfrag,
// remoteUfrag), and fresh: whether a pair of our ufrag local and the
// peer's remote (both current) has received data, which only the peer's
// new ICE agent sends, whichever pair is selected.
async function selectedPair(pc, local, remote) {
  let stats;
  try { stats = await pc.getStats(); } catch { return null; }
  let pair = null, fresh = false;
  const ufrag = (id) => stats.get(id)?.usernameFragment;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId) || pair;
    if (r.type === 'candidate-pair' && r.bytesReceived > 0 && local && ufrag(r.localCandidateId) === local && ufrag(r.remoteCandidateId) === remote) fresh = true;
  });
  if (!pair) stats.forEach((r) => { if (r.type === 'candidate-pair' && r.selected) pair = r; });
  if (!pair || pair.state !== 'succeeded') return null;
  return { ...pair, fresh, localUfrag: ufrag(pair.localCandidateId), remoteUfrag: ufrag(pair.remoteCandidateId) };
}

/**
 * hasCandidate reports whether a code carries an ICE candidate. A restart
 * offer without one is never sent (Restart.offer rolls it back and fails
 * 'unreachable'; the Peer's restartLoop offers again): made at the
 * dead-peer deadline while the network is still cut, the offer's
 * gathering (a relay allocation, with iceTransportPolicy 'relay') ends at
 * gatherTimeout with nothing, and codes carry no candidate gathered later.
 * The peer's new ICE agent then has nothing to check, and our new
 * candidate's checks to its new relay candidate are dropped by its TURN
 * server (no permission for an address it never got). Chromium, which
 * keeps its old pair once the network is back, sees such a restart
 * connected and offers no other; Firefox, which answers with a new ICE
 * agent, never connects it, and its own restart offer then (the Peer's
 * RESPONDER_FALLBACK) failed its ICE at once and ended the association
 * (btest/peermedia.suite.mjs, Chromium offering to Firefox: 3 of 3 runs
 * failed so before this rule).
 */
export function hasCandidate(code) {
  return /^a=candidate:/m.test(decode(code).sdp);
}

// candidatesOf returns the candidates of an SDP as RTCIceCandidateInit
// (without usernameFragment), their generation set to gen and their
// priority's local preference to the highest: a decoded description's
// candidate priorities follow the candidates' order in the code (the
// codec regenerates them), so of two generations the same address may
// have either the higher one; with the highest, the generation decides.
export function candidatesOf(sdp, gen) {
  const cands = [];
  let mid = null, index = -1;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) { index++; mid = null; }
    const m = /^a=mid:(\S+)/.exec(line);
    if (m) { mid = m[1]; for (const x of cands) if (x.sdpMLineIndex === index) x.sdpMid = mid; }
    const c = /^a=(candidate:\S+ \d+ \S+ )(\d+)( .*?)(?: generation \d+)?$/.exec(line);
    const prio = c && ((Number(c[2]) & 0xFF0000FF) | 0xFFFF00) >>> 0;
    if (c) cands.push({ candidate: `${c[1]}${prio}${c[3]} generation ${gen}`, sdpMid: mid, sdpMLineIndex: index });
  }
  return cands;
}
