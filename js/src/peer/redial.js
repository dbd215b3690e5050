// A session whose connection is lost, and its reconnection with a fresh
// connection (IDENTITY.md §8.1, within §5's retry budget), as ref/peer's
// (ref/peer/redial.go): a connection that ends for another reason than a
// close (this side's or the peer's) leaves its session 'reconnecting' (a
// restart already reported it, §8.2: no second event); the initiator
// (sessionrestart.js's initiator: a browser listens nowhere, so the side
// that would dial is the lower ID, or the browser that remembers a Go
// peer's addresses) asks its other connected peers to introduce it again
// (§6: the only path a browser has to a peer it is not connected to),
// the most recently joined first, backing off from RETRY_FIRST doubling
// to RETRY_MAX; the other side waits for that connection. The fresh
// connection's HELLO (Pairing) replaces the session's connection: same
// Session, 'reconnected'. After reconnectTimeout with no connection the
// session is 'left' ('no-route').
import { PeerError } from './errors.js';

/** RETRY_FIRST: the first pause between reconnection attempts, ms (ref/peer's DefaultRetryInterval). */
export const RETRY_FIRST = 1000;
/** RETRY_MAX: the longest pause between attempts, ms (ref/peer's maxRetryInterval). */
export const RETRY_MAX = 30000;
/** RECONNECT_TIMEOUT: the default retry budget, ms (ref/peer's DefaultReconnectTimeout, IDENTITY.md §5). */
export const RECONNECT_TIMEOUT = 5 * 60000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** nextDelay is the pause after one of delay: doubled, at most RETRY_MAX. */
export function nextDelay(delay) {
  return Math.min(2 * delay, RETRY_MAX);
}

/**
 * pauseBefore is how long to wait before the next attempt, when the one
 * that failed started at start and the pause was delay (the attempts start
 * delay apart, or back to back when one took longer), within the budget
 * that ends at end.
 */
export function pauseBefore(start, delay, now, end) {
  return Math.max(0, Math.min(start + delay, end) - now);
}

/** isLeaving reports whether a connection that closed with reason ends its session: a close by either side. */
export const isLeaving = (reason) => reason.class === 'closed' || reason.class === 'peer-closed';

// waiting reports whether sess is its peer's session and has no connection.
const waiting = (peer, sess) => peer.sessions.get(sess.idText) === sess && !!sess.conn.reason;

/**
 * markReconnecting puts sess in the reconnecting state with err and
 * reports it, unless it is in it already (false). The retry budget starts
 * here.
 */
export function markReconnecting(peer, sess, err) {
  if (sess.restarting) return false;
  sess.restarting = true;
  sess.lostAt = Date.now();
  sess.emit('reconnecting', err);
  peer.emit('reconnecting', sess, err);
  return true;
}

/**
 * lost handles the end of conn, the connection of sess, with reason: a
 * close by either side ends the session ('left'); any other loss keeps it
 * and reconnects (redialLoop).
 */
export function lost(peer, sess, conn, reason) {
  if (peer.sessions.get(sess.idText) !== sess || sess.conn !== conn) return;
  if (isLeaving(reason)) {
    leave(peer, sess, reason);
    return;
  }
  markReconnecting(peer, sess, reason);
  redialLoop(peer, sess).catch((err) => peer.emit('error', err));
}

/** leave ends sess: it is no longer its peer's session; 'close' and 'left' with reason. */
export function leave(peer, sess, reason) {
  if (peer.sessions.get(sess.idText) !== sess) return;
  peer.sessions.delete(sess.idText);
  sess.restarting = false;
  sess.emit('close', reason);
  peer.emit('left', sess, reason);
}

/**
 * redialLoop reconnects sess while it has no connection: on the
 * initiator, an attempt through the other connected peers (none: it
 * waits for one), then the pause of the backoff; elsewhere it waits for
 * the peer's connection. When the budget (peer.reconnectTimeout from the
 * loss) ends, the session is left with 'no-route'. Events: 'redialing'
 * (attempt number) and 'redial-failed' (PeerError) on the initiator.
 */
async function redialLoop(peer, sess) {
  const end = sess.lostAt + peer.reconnectTimeout;
  let delay = RETRY_FIRST, attempt = 0;
  while (waiting(peer, sess)) {
    const now = Date.now();
    if (now >= end) {
      leave(peer, sess, new PeerError('no-route', `peer: no connection to ${sess.idShort} within ${peer.reconnectTimeout} ms (reconnectTimeout)`));
      return;
    }
    const paths = peer._relays(sess);
    if (!paths.length || !await peer._initiator(sess)) {
      await sleep(Math.min(RETRY_FIRST, end - now));
      continue;
    }
    attempt++;
    sess.emit('redialing', attempt);
    peer.emit('redialing', sess, attempt);
    try {
      await redialOnce(peer, sess, paths);
      return;
    } catch (err) {
      if (!waiting(peer, sess)) return;
      const e = err instanceof PeerError ? err : new PeerError('no-route', err.message);
      peer.emit('redial-failed', sess, e);
    }
    await sleep(pauseBefore(now, delay, Date.now(), end));
    delay = nextDelay(delay);
  }
}

/**
 * redialOnce asks each of paths (sessions) in turn to introduce this peer
 * to sess's peer again, until one such connection verified HELLO (and so
 * replaced the session's connection). One attempt takes at most three
 * handshake timeouts (ref/peer's). Rejects with the last path's error; a
 * 'tampered' or 'auth' error ends the attempt (an attack, not a broken
 * path).
 */
async function redialOnce(peer, sess, paths) {
  const end = Date.now() + 3 * peer.handshakeTimeout;
  let last = new PeerError('no-route', `peer: no connected peer to introduce ${sess.idShort}`);
  for (const via of paths) {
    const left = end - Date.now();
    if (left <= 0 || !waiting(peer, sess)) break;
    const pairing = peer.introduce(sess.idText, { via });
    let t;
    const late = new Promise((_, no) => {
      t = setTimeout(() => {
        const err = new PeerError('connect', `peer: no connection to ${sess.idShort} through ${via.idShort} within ${left} ms`);
        pairing.conn._fail(err.class, err.message);
        no(err);
      }, left);
    });
    try {
      await Promise.race([pairing.session, late]);
      return;
    } catch (err) {
      last = err;
      if (err.class === 'tampered' || err.class === 'auth') throw err;
    } finally {
      clearTimeout(t);
    }
  }
  throw last;
}
