// The retry schedule and the end of a session of src/peer/redial.js
// (IDENTITY.md §5 and §8.1, as ref/peer's redial.go): attempts back off
// from 1 s doubling to 30 s and start that far apart (back to back after
// a longer attempt), never past the budget; only a close by either side
// ends a session at once; a Peer's reconnectTimeout is range-checked; and
// (restart.js) a pair that mixes ICE generations is not a connected restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../src/peer/redial.js';
import { PeerError } from '../src/peer/errors.js';

test('the pause doubles from 1 s up to 30 s', () => {
  const seq = [R.RETRY_FIRST];
  while (seq.length < 8) seq.push(R.nextDelay(seq.at(-1)));
  assert.deepEqual(seq, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(R.RECONNECT_TIMEOUT, 300000);
});

test('attempts start delay apart, back to back after a long one, within the budget', () => {
  assert.equal(R.pauseBefore(0, 4000, 1000, 1e9), 3000); // a short attempt: wait the rest
  assert.equal(R.pauseBefore(0, 4000, 9000, 1e9), 0); // it took longer than the pause
  assert.equal(R.pauseBefore(0, 4000, 1000, 2500), 1500); // the budget ends first
  assert.equal(R.pauseBefore(0, 4000, 3000, 2500), 0);
});

test('a close by either side ends a session; a loss does not', () => {
  for (const [cls, leaving] of [['closed', true], ['peer-closed', true], ['unreachable', false], ['connect', false], ['protocol', false], ['channel-closed', false]]) {
    assert.equal(R.isLeaving(new PeerError(cls, cls)), leaving, cls);
  }
});

test('Peer.open refuses a reconnectTimeout outside 1 s..24 h', async () => {
  const { Peer } = await import('../src/peer/peer.js');
  for (const v of [999, 86400001, NaN, '5000']) {
    await assert.rejects(Peer.open({ persist: false, reconnectTimeout: v }), RangeError, String(v));
  }
});

test('a restarted pair of our new candidate and the peer\'s old one is not connected', async () => {
  const { mixedGeneration } = await import('../src/peer/restart.js');
  assert.equal(mixedGeneration('new', 'NEW', 'new', 'OLD'), true); // Chromium's pair in the race with Firefox
  assert.equal(mixedGeneration('new', 'NEW', 'new', 'NEW'), false); // both of the new generation
  assert.equal(mixedGeneration('new', 'NEW', 'old', 'OLD'), false); // the pair kept through the restart
  assert.equal(mixedGeneration('new', 'NEW', undefined, undefined), false); // Firefox reports no ufrags
});
