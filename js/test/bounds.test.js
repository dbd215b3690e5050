// The bounds of src/peer/bounds.js (IDENTITY.md §5, §9), as ref/peer's
// guard.go: the replay cache accepts a signed code once, holds it until it
// could no longer be accepted, and refuses beyond 256 codes of one author
// or 4096 in all; the work limit allows 4 exchanges per source and 32 in
// all; an introduced peer is forgotten 30 days after it was last seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../src/peer/bounds.js';
import { SIGNED_CODE_LIFETIME } from '../src/peer/identity.js';

const sc = (n, time) => ({ sig: Uint8Array.from({ length: 64 }, (_, i) => (i < 4 ? (n >> (8 * i)) & 255 : 7)), time: BigInt(time) });
const cls = (f) => { try { f(); return 'ok'; } catch (e) { return e.class; } };

test('a signed code is accepted once, until its lifetime has passed', () => {
  const r = new B.ReplayCache();
  const now = 1_800_000_000;
  assert.equal(cls(() => r.once(sc(1, now), 'a', now)), 'ok');
  assert.equal(cls(() => r.once(sc(1, now), 'a', now + 1)), 'expired');
  assert.equal(cls(() => r.once(sc(1, now), 'b', now + SIGNED_CODE_LIFETIME)), 'expired', 'another author does not make it new');
  assert.equal(cls(() => r.once(sc(1, now), 'a', now + SIGNED_CODE_LIFETIME + 1)), 'ok', 'past its lifetime it could not be accepted anyway');
  assert.equal(r.seen.size, 1);
  assert.equal(r.perAuthor.get('a'), 1);
});

test('the replay cache refuses beyond 256 codes of an author and 4096 in all (too-many), until they expire', () => {
  const r = new B.ReplayCache();
  const now = 1_800_000_000;
  for (let i = 0; i < B.REPLAY_PER_AUTHOR; i++) r.once(sc(i, now), 'a', now);
  assert.equal(cls(() => r.once(sc(100000, now), 'a', now)), 'too-many');
  assert.equal(cls(() => r.once(sc(100000, now), 'b', now)), 'ok', 'another author still has room');
  let n = B.REPLAY_PER_AUTHOR + 1;
  for (let i = 0; n < B.REPLAY_CAPACITY; i++, n++) r.once(sc(200000 + i, now), `x${i % 100}`, now);
  assert.equal(cls(() => r.once(sc(900000, now), 'c', now)), 'too-many');
  assert.equal(cls(() => r.once(sc(900000, now + SIGNED_CODE_LIFETIME + 1), 'c', now + SIGNED_CODE_LIFETIME + 1)), 'ok', 'the expired are swept');
  assert.equal(r.seen.size, 1);
});

test('at most 4 exchanges per source and 32 in all are under way', async () => {
  const w = new B.WorkLimit();
  const gates = [];
  const start = (src) => w.run(src, () => new Promise((r) => gates.push(r)), assert.fail);
  for (let i = 0; i < B.MAX_PENDING_PER_SOURCE; i++) assert.ok(start('a'));
  assert.equal(start('a'), false, 'the fifth of one source is dropped');
  for (let i = 0; w.total < B.MAX_PENDING_TOTAL; i++) assert.ok(start(`s${i >> 2}`));
  assert.equal(start('new'), false, 'beyond 32 in all, dropped');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(gates.length, B.MAX_PENDING_TOTAL, 'each one that was allowed runs');
  gates.shift()(); // one of a's ends
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(w.total, B.MAX_PENDING_TOTAL - 1);
  assert.ok(start('a'), 'a may start one again');
  let failed = null;
  await new Promise((r) => setTimeout(r, 0));
  for (const g of gates.splice(0)) g();
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(w.run('b', () => { throw new Error('boom'); }, (e) => { failed = e.message; }));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(failed, 'boom', 'a failure is reported');
  assert.equal(w.total, 0, 'and its slot given back');
  assert.equal(w.per.size, 0);
});

test('an introduced peer is forgotten 30 days after it was last seen; a chosen one never', () => {
  const now = Date.now();
  const old = now - B.INTRODUCED_LIFETIME;
  assert.equal(B.expiredIntroduced({ introducer: 'b', chosen: false, lastSeen: old }, now), true);
  assert.equal(B.expiredIntroduced({ introducer: 'b', chosen: false, lastSeen: old + 1 }, now), false);
  assert.equal(B.expiredIntroduced({ introducer: 'b', chosen: true, lastSeen: old }, now), false);
  assert.equal(B.expiredIntroduced({ chosen: true, lastSeen: 0 }, now), false);
});
