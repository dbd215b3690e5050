// ICE restart of a session's connection (IDENTITY.md §8.2), as ref/peer's
// (ref/peer/restart.go): connections made through introductions are
// restartable; when one passes the dead-peer deadline, the session is
// 'reconnecting' and the initiator (the side that would reconnect, §8)
// restarts ICE on the same connection, its signed restart offer carried
// by another connected peer (§6.2's relay: a browser has no direct path),
// again about every 3 s during the first half of the restart window. The
// responder answers on the author's current connection; a signed code of
// either side is accepted once; a responder whose answered restart has
// not connected after RESPONDER_FALLBACK restarts the connection itself.
// When ICE connects again, both sides
// report 'reconnected' for the same session (same connection, no new
// HELLO); when no restart connects, the connection ends and the session
// reconnects with a fresh connection (redial.js).
import { PeerError } from './errors.js';
import { markReconnecting } from './redial.js';
import { idText, idOf, verifySigned, relayMessage, refuseMessage, refusalClass, REFUSE, MSG, KIND_OFFER, KIND_ANSWER } from './identity.js';

/** RESTART_ATTEMPT: how long one restart waits for ICE to connect before the next, ms (ref/peer's restartAttempt). */
export const RESTART_ATTEMPT = 3000;
/** RESTART_RETRY: the pause between restart attempts, ms (ref/peer's default RetryInterval). */
export const RESTART_RETRY = 1000;
/**
 * RESPONDER_FALLBACK: how long a restart this side answered may stay
 * unconnected, with no newer offer from the initiator, before this side
 * restarts the connection itself, ms. A browser that offered a restart
 * may see it connected (it keeps its working pair: restart.js's probe)
 * while the answering browser does not, and then has no reason to retry.
 * Seen with a Chromium offerer and a Firefox answerer in
 * btest/intro.suite.mjs (3 runs of 4) while a Pairing could verify HELLO
 * twice (fixed), and since (1 run of 2): Chromium had selected a pair of
 * its new candidate and Firefox's old one; restart.js's mixedGeneration
 * now keeps Chromium from calling that connected (and its recheck gives
 * Chromium the pairs of the new generation again), so its initiator
 * repeats the restart if it still does not connect. Still needed:
 * Chromium may instead keep its old pair, which it cannot tell from a
 * restart connected with a Chromium peer (js/README.md, "A known browser
 * problem"), and Firefox, as the offerer, reports no ufrags at all.
 */
export const RESPONDER_FALLBACK = RESTART_ATTEMPT + RESTART_RETRY + 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowSec = () => Math.floor(Date.now() / 1000);

/** less orders two IDs as their bytes. */
export function less(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

// current reports whether sess is still its peer's session with an open
// connection (c, when given: that one).
const current = (peer, sess, c = sess.conn) => peer.sessions.get(sess.idText) === sess && sess.conn === c && !c.reason;

// reconnecting puts sess in the reconnecting state and reports it, unless
// it is in it already (false).
function reconnecting(peer, sess, why) {
  if (!current(peer, sess)) return false;
  return markReconnecting(peer, sess, new PeerError('unreachable', `peer: ${why}`));
}

// reconnected ends the reconnecting state of sess and reports it.
function reconnected(peer, sess, c) {
  if (!sess.restarting || !current(peer, sess, c)) return;
  sess.restarting = false;
  sess.lostAt = 0;
  sess.emit('reconnected');
  peer.emit('reconnected', sess);
}

/**
 * watchRestart follows the connection of a new session: on a restartable
 * one, 'unreachable' makes it reconnecting and, on the initiator, starts
 * the restarts; ICE connected again (a restart, or the path by itself)
 * makes it reconnected.
 */
export function watchRestart(peer, sess) {
  const c = sess.conn;
  if (!c.options.restartable) return;
  sess.restarting = false;
  c.on('unreachable', () => {
    if (!current(peer, sess, c) || !reconnecting(peer, sess, 'restarting ICE')) return;
    initiator(peer, sess).then((mine) => mine && restartLoop(peer, sess))
      .catch((err) => peer.emit('error', err));
  });
  c.on('reachable', () => reconnected(peer, sess, c));
  c.on('restart', () => reconnected(peer, sess, c));
}

/**
 * initiator reports whether this side restarts the connection with sess
 * (IDENTITY.md §8): the side that dials a remembered address of the other.
 * A browser listens nowhere, so the other never dials it; ref/peer counts
 * a browser as the dialler when it announced addresses (HELLO) to a
 * browser paired with it by code. Otherwise the lower ID.
 */
export async function initiator(peer, sess) {
  const rec = await peer._record(sess.idText);
  if (rec?.addrs?.length && !rec.introducer) return true;
  return less(peer.id, sess.id);
}

/**
 * relays lists the sessions that may carry a restart, or an introduction,
 * to sess: every other live session, the most recently joined first.
 */
export function relays(peer, sess) {
  return [...peer.sessions.values()].reverse().filter((s) => s !== sess && !s.restarting && !s.conn.reason);
}

// restartLoop restarts sess's connection until it connects, the
// connection ends, or half the restart window has passed.
async function restartLoop(peer, sess) {
  const c = sess.conn, end = Date.now() + c.options.restartTimeout / 2;
  while (Date.now() < end && current(peer, sess, c)) {
    try {
      await restartOnce(peer, sess);
      return;
    } catch (err) {
      if (!current(peer, sess, c)) return;
      peer.emit('restart-failed', sess, err);
    }
    if (c.reachable && !c.restarting) return; // connected again by itself
    await sleep(RESTART_RETRY);
  }
}

/**
 * restartOnce runs one ICE restart of sess's connection, its signed offer
 * carried through the first relay that brings an answer, and waits up to
 * RESTART_ATTEMPT for it to connect. Rejects with 'no-route' when no
 * other peer is connected or none carried it.
 */
export async function restartOnce(peer, sess) {
  const paths = relays(peer, sess);
  if (!paths.length) throw new PeerError('no-route', `peer: no connected peer to carry a restart to ${sess.idShort}`);
  const c = sess.conn;
  sess.offering = true; // until the answer is applied: glare (acceptRestart)
  try {
    const code = await c._restart.offer();
    const signed = await peer.identity.signCode(KIND_OFFER, sess.id, code);
    let ans = null, last = null;
    for (const via of paths) {
      try {
        ans = await carry(peer, via, sess, signed);
        break;
      } catch (err) {
        last = err;
        if (err.class === 'tampered' || err.class === 'auth' || !current(peer, sess)) throw err;
      }
    }
    if (!ans) throw last;
    const now = nowSec();
    await verifySigned(ans, peer.id, KIND_ANSWER, now, sess.id);
    peer._replay.once(ans, sess.idText, now);
    await c._restart.complete(ans.code);
  } finally {
    sess.offering = false;
  }
  let t;
  const late = new Promise((_, no) => { t = setTimeout(() => no(new PeerError('unreachable', `peer: the restart did not connect within ${RESTART_ATTEMPT} ms`)), RESTART_ATTEMPT); });
  try {
    await Promise.race([c.waitRestart(), late]);
  } finally {
    clearTimeout(t);
  }
}

// carry sends the signed restart offer to sess through the session via
// and resolves with the signed code of the reply, or rejects with the
// class of a refusal, or 'no-route' after the handshake timeout.
function carry(peer, via, sess, signed) {
  const nonce = randomNonce();
  const key = String(nonce);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      peer._restarts.delete(key);
      reject(new PeerError('no-route', `peer: no reply to the restart through ${via.idShort}`));
    }, peer.handshakeTimeout);
    peer._restarts.set(key, {
      via, to: sess.id,
      settle(err, sc) { clearTimeout(t); peer._restarts.delete(key); if (err) reject(err); else resolve(sc); },
    });
    via.conn.send(relayMessage(0, sess.id, nonce, signed, MSG.restart)).catch((err) => peer._restarts.get(key)?.settle(err));
  });
}

/**
 * onReply takes a reply for us (a restart with a signed answer, or a
 * refuse) that came through sess: true when it answered one of our
 * restarts, false when it is not one (an introduction's, maybe).
 */
export function onReply(peer, sess, m) {
  const p = peer._restarts.get(String(m.nonce));
  if (!p) return m.type === MSG.restart;
  if (p.via !== sess) return true; // a reply comes back the way the offer went
  if (m.type === MSG.refuse) p.settle(new PeerError(refusalClass(m.reason), `peer: the restart was refused (reason ${m.reason})`));
  else p.settle(null, m.signed);
  return true;
}

/**
 * acceptRestart answers a restart offer for us that came through via
 * (IDENTITY.md §8.2): the author must have a session whose connection is
 * restartable (else refuse, reason 5); the offer is accepted once; the
 * answer, signed for the author, goes back through via.
 */
export async function acceptRestart(peer, via, m) {
  const author = m.signed.key.length === 32 ? idOf(m.signed.key) : null;
  const refuse = (err) => author && via.conn.send(refuseMessage(0, author, m.nonce, REFUSE[err.class] || REFUSE.other));
  try {
    const now = nowSec();
    await verifySigned(m.signed, peer.id, KIND_OFFER, now);
    const t = idText(author);
    const s = peer.sessions.get(t);
    if (!s || s.conn.reason || !s.conn.options.restartable) {
      return refuse(new PeerError('refused', `peer: no restartable connection with ${t}`));
    }
    // Glare: restart offers crossed. The lower ID's wins (as §8.1's
    // connections): with its own offer under way, the lower ID refuses
    // the peer's; the higher ID answers it and drops its own. (Both
    // dropping their own left each side on the other's offer: different
    // credentials on the two sides, a restart that never connects.)
    if (s.offering && less(peer.id, author)) {
      return refuse(new PeerError('refused', `peer: our restart offer to ${t} crossed its own, and the lower ID's wins`));
    }
    peer._replay.once(m.signed, t, now);
    const code = await s.conn._restart.answer(m.signed.code);
    // The peer may restart before this side's own dead-peer deadline
    // (which a pending restart suspends): report the restart here too,
    // unless it connected already (during the answer's gathering: the
    // peer's checks may arrive first), which would leave the session
    // reconnecting after its 'reconnected'.
    if (s.conn.restarting) reconnecting(peer, s, 'the peer is restarting ICE');
    const at = s.offeredAt = Date.now();
    setTimeout(() => {
      if (s.offeredAt === at && s.conn.restarting && current(peer, s)) restartLoop(peer, s).catch((err) => peer.emit('error', err));
    }, RESPONDER_FALLBACK);
    const ans = await peer.identity.signCode(KIND_ANSWER, author, code);
    await via.conn.send(relayMessage(0, author, m.nonce, ans, MSG.restart));
  } catch (err) {
    await refuse(err.class ? err : new PeerError('protocol', err.message));
  }
}

/** randomNonce is a random 63-bit nonce (§6.2). */
export function randomNonce() {
  const b = crypto.getRandomValues(new Uint8Array(8));
  b[0] &= 0x7f;
  return new DataView(b.buffer).getBigUint64(0);
}
