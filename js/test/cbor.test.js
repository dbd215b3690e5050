// The one CBOR module (src/cbor.js) with the identity messages' limits
// (IDENTITY_LIMITS, as ref/peer reads them: nesting 8, 64 elements or
// pairs, core deterministic encoding with any simple or float value) beside
// the codec's (CODEC_LIMITS, SPEC.md §7 step 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOne, checkItem, encode, CODEC_LIMITS, IDENTITY_LIMITS } from '../src/cbor.js';

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const nested = (n) => Uint8Array.from([...Array(n).fill(0x81), 0x00]);
const array = (n) => Uint8Array.from([0x98, n, ...Array(n).fill(0x00)]);

function outcome(b, limits) {
  try {
    decodeOne(b, limits);
    return 'success';
  } catch (err) {
    if (err?.class) return err.class;
    throw err;
  }
}

test('identity limits: nesting 8, 64 elements, 64 pairs', () => {
  assert.equal(outcome(nested(8), IDENTITY_LIMITS), 'success');
  assert.equal(outcome(nested(9), IDENTITY_LIMITS), 'limit');
  assert.equal(outcome(nested(9), CODEC_LIMITS), 'success');
  assert.equal(outcome(array(64), IDENTITY_LIMITS), 'success');
  assert.equal(outcome(array(65), IDENTITY_LIMITS), 'limit');
  assert.equal(outcome(array(65), CODEC_LIMITS), 'success');
  const map = (n) => Uint8Array.from([0xb8, n, ...Array.from({ length: n }, (_, i) => [0x18, i + 24, 0x00]).flat()]);
  assert.equal(outcome(map(64), IDENTITY_LIMITS), 'success');
  assert.equal(outcome(map(65), IDENTITY_LIMITS), 'limit');
});

test('identity limits: floats and simple values in their preferred serialization only', () => {
  for (const [h, want] of [
    ['f93e00', 'success'], // 1.5, half
    ['fa3fc00000', 'non-canonical'], // 1.5 as a single
    ['fb3ff8000000000000', 'non-canonical'], // 1.5 as a double
    ['fa3f8ccccd', 'success'], // 1.1 as a single, exact
    ['fb3ff199999999999a', 'success'], // 1.1, double
    ['f97c00', 'success'], // +Infinity
    ['fa7f800000', 'non-canonical'],
    ['f97e00', 'success'], // NaN
    ['f97e01', 'non-canonical'],
    ['f90001', 'success'], // the smallest half subnormal
    ['f7', 'success'], // undefined
    ['f0', 'success'], // simple 16
    ['f820', 'success'], // simple 32
    ['f814', 'malformed'], // simple 20 in two bytes
    ['c100', 'malformed'], // a tag
    ['1817', 'non-canonical'], // 23 in two bytes
    ['a20100010a', 'malformed'], // a repeated key
    ['a201', 'malformed'], // truncated
  ]) assert.equal(outcome(hex(h), IDENTITY_LIMITS), want, h);
  assert.equal(outcome(hex('f93e00'), CODEC_LIMITS), 'malformed');
  assert.equal(outcome(hex('f6'), CODEC_LIMITS), 'success');
  assert.equal(outcome(hex('0000'), IDENTITY_LIMITS), 'malformed'); // bytes after the item
});

test('decodeOne gives back what encode wrote', () => {
  const v = [1, -2, 2n ** 64n - 1n, hex('0102'), 'text', [[]]];
  assert.deepEqual(decodeOne(encode(v), IDENTITY_LIMITS), v);
  assert.deepEqual(checkItem(encode(v), 0), { end: encode(v).length, nonCanon: false });
});

test('detachDigest and attachDigest: a compact code without its digest, read strictly', async () => {
  const { detachDigest, attachDigest, hasExtKey } = await import('../src/index.js');
  const { readFileSync } = await import('node:fs');
  const v = JSON.parse(readFileSync(new URL('../../vectors/compact_chrome_offer_mdns.json', import.meta.url), 'utf8'));
  const full = hex(v.bin);
  const r = detachDigest(full, -1, hex('01020304'));
  assert.ok(r);
  assert.equal(Buffer.from(r.digest).toString('hex'), v.bin.slice(-64));
  assert.ok(hasExtKey(r.code, -1) && !hasExtKey(full, -1));
  const back = attachDigest(r.code, -1, r.digest);
  assert.deepEqual([...back.mark], [1, 2, 3, 4]);
  assert.deepEqual(back.full, full);
  assert.equal(detachDigest(r.code, -1, hex('00')), null, 'a code that has the key already');
  assert.equal(detachDigest(full.subarray(0, 3), -1, hex('00')), null, 'a truncated code');
  // The mark in a non-shortest header: well formed, not canonical.
  const long = Uint8Array.from([...r.code.subarray(0, r.code.length - 5), 0x58, 4, 1, 2, 3, 4]);
  assert.ok(hasExtKey(long, -1));
  assert.throws(() => attachDigest(long, -1, r.digest), (e) => e.class === 'malformed');
  assert.throws(() => attachDigest(full, -1, r.digest), (e) => e.class === 'malformed');
});
