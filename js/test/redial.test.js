// The retry schedule and the end of a session of src/peer/redial.js
// (IDENTITY.md §5 and §8.1, as ref/peer's redial.go): attempts back off
// from 1 s doubling to 30 s and start that far apart (back to back after
// a longer attempt), never past the budget; only a close by either side
// ends a session at once; a Peer's reconnectTimeout is range-checked; and
// (restart.js) a pair that mixes ICE generations is not a connected restart,
// and a restart offer without a candidate is not sent.
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

test('a recheck gives the answer\'s candidates again, of the next generation and the highest local preference', async () => {
  const { candidatesOf } = await import('../src/peer/restart.js');
  const sdp = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n' +
    'a=candidate:1 1 udp 2130706175 192.0.2.2 36200 typ host generation 0\r\n' +
    'a=candidate:2 1 udp 1694498559 198.51.100.7 4000 typ srflx raddr 0.0.0.0 rport 0\r\n' +
    'a=ice-ufrag:Mm2c\r\na=mid:0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\n' +
    'a=candidate:3 2 udp 16777214 203.0.113.9 5000 typ relay raddr 0.0.0.0 rport 0\r\n';
  assert.deepEqual(candidatesOf(sdp, 3), [
    { candidate: 'candidate:1 1 udp 2130706431 192.0.2.2 36200 typ host generation 3', sdpMid: '0', sdpMLineIndex: 0 },
    { candidate: 'candidate:2 1 udp 1694498815 198.51.100.7 4000 typ srflx raddr 0.0.0.0 rport 0 generation 3', sdpMid: '0', sdpMLineIndex: 0 },
    { candidate: 'candidate:3 2 udp 16777214 203.0.113.9 5000 typ relay raddr 0.0.0.0 rport 0 generation 3', sdpMid: '1', sdpMLineIndex: 1 },
  ]);
});

test('a restart offer\'s code without a candidate is told from one with', async () => {
  const { hasCandidate } = await import('../src/peer/restart.js');
  const { encode } = await import('../src/index.js');
  const { readFileSync } = await import('node:fs');
  const sdp = readFileSync(new URL('../../testdata/stacks/chromium-offer-turn-plain.sdp', import.meta.url), 'utf8');
  assert.equal(hasCandidate(encode({ type: 'offer', sdp })), true);
  const none = sdp.split(/(?<=\n)/).filter((l) => !/^a=(candidate:|end-of-candidates)/.test(l)).join('');
  assert.equal(hasCandidate(encode({ type: 'offer', sdp: none })), false); // gathered nothing within gatherTimeout
});
