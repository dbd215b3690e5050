// The marker 0x13 of the A/V skeleton (SPEC.md §14.4, §14.8), as
// codec/avmids_test.go holds the Go side: the list of a session line
// `a=group:BUNDLE <list>` is the marker only when it is every media
// section's mid in order; rendering writes the mids back, fails outside
// part 0 or on a bad mid, and stops at the SDP limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSDP } from '../src/sdp.js';
import { extractSkeleton, renderSkeleton } from '../src/avskeleton.js';

const POLICY = { maxCandidates: 0, dropTCPActive: false, dropTCP: false, keepComponent2: false, dropIPv6: false, dropMDNS: false, dropPrivate: false };

// midsSDP returns a description of one audio section for each of mids,
// each with that mid (none for ''), and the session line bundle.
function midsSDP(bundle, ...mids) {
  let s = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' + bundle;
  mids.forEach((m, i) => {
    s += 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n';
    if (i === 0) {
      s += 'a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\na=fingerprint:sha-256 ' +
        Array(32).fill('AB').join(':') + '\r\n';
    }
    if (m !== '') s += `a=mid:${m}\r\n`;
    s += 'a=rtpmap:111 opus/48000/2\r\n';
  });
  return s;
}

// rejectLast gives the last media section the port 0 (rejected, out of the BUNDLE group).
function rejectLast(sdp) {
  const k = sdp.lastIndexOf('m=audio 9 ');
  return sdp.slice(0, k) + 'm=audio 0 ' + sdp.slice(k + 'm=audio 9 '.length);
}

const skeleton = (sdp) => extractSkeleton(parseSDP(sdp), POLICY);
const withoutOrigin = (s) => s.replace(/^o=.*$/m, '');

test('0x13 stands for every mid in order, and renders them back', () => {
  for (const [name, sdp, marked] of [
    ['every mid in order', midsSDP('a=group:BUNDLE 0 1\r\n', '0', '1'), true],
    ['named mids', midsSDP('a=group:BUNDLE audio video\r\n', 'audio', 'video'), true],
    ['another order', midsSDP('a=group:BUNDLE 1 0\r\n', '0', '1'), false],
    ['a section left out', midsSDP('a=group:BUNDLE 0\r\n', '0', '1'), false],
    ['a section without a=mid', midsSDP('a=group:BUNDLE 0\r\n', '0', ''), false],
    ['two spaces', midsSDP('a=group:BUNDLE 0  1\r\n', '0', '1'), false],
    ['a rejected section left out', rejectLast(midsSDP('a=group:BUNDLE 0\r\n', '0', '1')), true],
    ['a rejected section in the group', rejectLast(midsSDP('a=group:BUNDLE 0 1\r\n', '0', '1')), false],
  ]) {
    const sk = skeleton(sdp);
    assert.ok(sk !== null, name);
    assert.equal(sk.parts[0][4] === 'a=group:BUNDLE \x13', marked, `${name}: ${JSON.stringify(sk.parts[0][4])}`);
    assert.equal(withoutOrigin(renderSkeleton(sk.parts, sk, 1 << 20, -1)), withoutOrigin(sdp), name);
  }
});

test('0x13 fails outside part 0 and on a bad mid, and stops at the limit', () => {
  const base = skeleton(midsSDP('a=group:BUNDLE 0 1\r\n', '0', '1'));
  const render = (change) => {
    const sk = { ...base, parts: base.parts.map((p) => [...p]) };
    change(sk);
    return () => renderSkeleton(sk.parts, sk, 64 << 10, -1);
  };
  const many = 'a=group:BUNDLE ' + '\x13'.repeat(100000);
  assert.throws(render((sk) => sk.parts[1].push('a=x:\x13')), { name: 'MalformedError' });
  assert.throws(render((sk) => { sk.parts[2][2] = 'a=mid:a b'; }), { name: 'MalformedError' });
  assert.throws(render((sk) => { sk.parts[2][2] = 'a=mid:'; }), { name: 'MalformedError' });
  assert.throws(render((sk) => { sk.parts[0][4] = many; }), { name: 'LimitError' });
  const noMids = render((sk) => {
    sk.parts[0][4] = many;
    for (let i = 1; i < sk.parts.length; i++) sk.parts[i] = sk.parts[i].filter((l) => !l.startsWith('a=mid:'));
  });
  assert.match(noMids(), /^a=group:BUNDLE \r$/m);
});
