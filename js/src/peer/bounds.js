// What others can make a browser Peer spend (IDENTITY.md §5 and §9), with
// ref/peer's bounds: each signed code is accepted once, from a replay
// cache of bounded size; the exchanges that connected peers start are
// bounded per peer and in all; an introducer makes a peer remember a
// bounded number of strangers, each forgotten 30 days after it was last
// seen.
import { PeerError } from './errors.js';
import { SIGNED_CODE_LIFETIME } from './identity.js';

/** Exchanges under way that one connected peer started (its relays, invitations, refusals to forward). */
export const MAX_PENDING_PER_SOURCE = 4;
/** Exchanges under way that all connected peers started. */
export const MAX_PENDING_TOTAL = 32;
/** Signed codes remembered as accepted, in all and of one author. */
export const REPLAY_CAPACITY = 4096, REPLAY_PER_AUTHOR = 256;
/** Strangers one introducer can make a peer remember at a time (§5). */
export const MAX_INTRODUCED_BY = 16;
/** How long an introduced peer is remembered after it was last seen (§5), ms. */
export const INTRODUCED_LIFETIME = 30 * 86400000;

/**
 * ReplayCache remembers the signed codes accepted (by their signature,
 * which covers the whole signing input) until they could no longer be
 * accepted anyway: SIGNED_CODE_LIFETIME after their time.
 */
export class ReplayCache {
  constructor() {
    this.seen = new Map(); // signature (binary string) -> {until, author}
    this.perAuthor = new Map();
  }

  /**
   * once records the signed code sc of author (ID text) as accepted at
   * now (Unix seconds), or throws PeerError 'expired' when it was accepted
   * before, 'too-many' when the cache is full (for the author or in all).
   */
  once(sc, author, now) {
    const key = String.fromCharCode(...sc.sig);
    const e = this.seen.get(key);
    if (e && now < e.until) throw new PeerError('expired', 'peer: the signed code was accepted once already');
    if (this.seen.size >= REPLAY_CAPACITY || (this.perAuthor.get(author) || 0) >= REPLAY_PER_AUTHOR) this._sweep(now);
    if (this.seen.size >= REPLAY_CAPACITY || (this.perAuthor.get(author) || 0) >= REPLAY_PER_AUTHOR) {
      throw new PeerError('too-many', `peer: too many signed codes accepted in ${SIGNED_CODE_LIFETIME} s`);
    }
    if (e) this._drop(key, e);
    // sc.time is within the lifetime of now (verifySigned), so it is a safe number.
    this.seen.set(key, { until: Number(sc.time) + SIGNED_CODE_LIFETIME + 1, author });
    this.perAuthor.set(author, (this.perAuthor.get(author) || 0) + 1);
  }

  _sweep(now) {
    for (const [k, e] of this.seen) if (now >= e.until) this._drop(k, e);
  }

  _drop(k, e) {
    this.seen.delete(k);
    const n = this.perAuthor.get(e.author) - 1;
    if (n > 0) this.perAuthor.set(e.author, n); else this.perAuthor.delete(e.author);
  }
}

/** WorkLimit counts the exchanges under way that connected peers started. */
export class WorkLimit {
  constructor() { this.per = new Map(); this.total = 0; }

  /**
   * run runs the async f for source (an ID text) when it may start one
   * more exchange and resolves true when it did; false: the bound of the
   * source or of all is reached and f did not run (the message is dropped).
   */
  run(source, f, onError) {
    const n = this.per.get(source) || 0;
    if (n >= MAX_PENDING_PER_SOURCE || this.total >= MAX_PENDING_TOTAL) return false;
    this.per.set(source, n + 1);
    this.total++;
    Promise.resolve().then(f).catch(onError).finally(() => {
      const m = this.per.get(source) - 1;
      if (m > 0) this.per.set(source, m); else this.per.delete(source);
      this.total--;
    });
    return true;
  }
}

/** expiredIntroduced: an introduced peer not seen for INTRODUCED_LIFETIME, to forget. */
export function expiredIntroduced(rec, now = Date.now()) {
  return !rec.chosen && !!rec.introducer && now - (rec.lastSeen || 0) >= INTRODUCED_LIFETIME;
}
