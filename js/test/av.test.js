// The compact audio/video form (heads 18/19): the API around answers
// (needs-offer, binding), and the decoder's bounds on hostile codes built
// here from real ones (an inflate bomb in the text, markers that expand
// past the SDP limit, a small SDP limit): each ends in its error class, and
// the description a decoder accepts is never over its limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as api from '../src/index.js';
import { readItem, Writer } from '../src/cbor.js';
import { compress } from '../src/deflate.js';
import { textDictionary } from '../src/avcode.js';
import { putVarint } from '../src/avedits.js';

const av = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'av', 'batch1');
const sdp = (f) => readFileSync(join(av, f), 'utf8');
const classOf = (fn) => {
  try { fn(); } catch (e) {
    if (e instanceof api.CodecError) return e.class;
    throw e;
  }
  return 'success';
};

const offer = api.encode({ type: 'offer', sdp: sdp('chromium-avdata-offer-to-chromium.sdp') });
const answer = api.encode({ type: 'answer', sdp: sdp('chromium-avdata-answer-to-chromium.sdp') }, offer);
const other = api.encode({ type: 'offer', sdp: sdp('firefox-avdata-offer-to-chromium.sdp') });

function items(code) {
  const out = [];
  for (let off = 0; off < code.length;) { const it = readItem(code, off); out.push(it.value); off = it.end; }
  return out;
}

function build(values) {
  const w = new Writer();
  for (const v of values) w.value(v);
  return w.result();
}

// insertPart is the edits of one part that inserts n lines on the empty base.
function insertPart(n) {
  const e = [0];
  putVarint(e, (2 * (n - 1)) * 4 + 2); // INSERT n: m = 2(n − 1)
  e.push(3);
  return e;
}

// withParts returns code with its edits and text replaced: its edits with
// its last part's COPY END written (the end of the edits implies it) and
// extraEdits appended, and a text of lines.
function withParts(code, extraEdits, lines) {
  const v = items(code);
  v[5] = Uint8Array.from([...v[5], 7, ...extraEdits]);
  const text = new TextEncoder().encode(lines.map((l) => l + '\n').join(''));
  v[6] = compress(text, textDictionary(null));
  return build(v);
}

test('A/V heads: offers are 18, answers 19', () => {
  assert.equal(offer[0], 18);
  assert.equal(answer[0], 19);
});

test('an A/V answer decodes with its offer, and only with it', () => {
  const d = api.decode(answer, { offer });
  assert.equal(d.type, 'answer');
  assert.throws(() => api.decode(answer), (e) => e instanceof api.NeedsOfferError && e.class === 'needs-offer');
  assert.equal(classOf(() => api.decode(answer, { offer: other })), 'binding');
  assert.equal(classOf(() => api.checkBinding(answer, offer)), 'success');
  assert.equal(classOf(() => api.checkBinding(answer, other)), 'binding');
  assert.ok(api.equivalent({ type: 'answer', sdp: sdp('chromium-avdata-answer-to-chromium.sdp') }, d));
});

test('an answer to a data-channel offer is coded without offer parts', () => {
  const dc = api.encode({ type: 'offer', sdp: sdp('pion-data-offer-to-chromium.sdp') });
  const a = api.encode({ type: 'answer', sdp: sdp('chromium-avdata-answer-to-chromium.sdp') }, dc);
  assert.equal(a[0], 19);
  assert.equal(api.decode(a, { offer: dc }).type, 'answer');
});

test('an inflate bomb in the text item is limit', () => {
  const lines = Array.from({ length: 4000 }, () => 'a=' + 'x'.repeat(60));
  const code = withParts(offer, insertPart(lines.length), lines);
  assert.ok(code.length < 2000, `${code.length} bytes`);
  assert.equal(classOf(() => api.decode(code)), 'limit');
});

test('markers that expand past the SDP limit are limit while rendering', () => {
  // 150 lines of 100 digest markers: 46 KB of skeleton, 1.4 MB rendered.
  const lines = Array.from({ length: 150 }, () => 'a=x:' + '\x060'.repeat(100));
  const code = withParts(offer, insertPart(lines.length), lines);
  assert.equal(classOf(() => api.decode(code)), 'limit');
  assert.equal(classOf(() => api.decode(code, { maxSDPBytes: 16 << 20 })), 'non-canonical');
});

test('a small SDP limit refuses what exceeds it, in both directions', () => {
  assert.equal(classOf(() => api.decode(offer, { maxSDPBytes: 1024 })), 'limit');
  assert.equal(classOf(() => api.encode({ type: 'offer', sdp: sdp('chromium-avdata-offer-to-chromium.sdp') }, null, { maxSDPBytes: 4096 })), 'limit');
});

test('an unknown profile is unsupported, never misread', () => {
  const v = items(offer);
  const e = [...v[5], 7]; // its last part's COPY END written, then one more part
  putVarint(e, 2 + 1000);
  e.push(3);
  v[5] = Uint8Array.from(e);
  assert.equal(classOf(() => api.decode(build(v))), 'unsupported');
});

test('at most 64 media sections take the A/V form; more the residual form', () => {
  const head = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n';
  const of = (n) => api.encode({ type: 'offer', sdp: head + Array.from({ length: n }, (_, i) => `m=audio 0 RTP/AVP 0\r\na=mid:${i}\r\n`).join('') });
  assert.equal(of(64)[0], 18);
  assert.equal(of(65)[0], 16);
  assert.equal(api.decode(of(65)).type, 'offer');
});

test('one line of markers past the SDP limit is limit, counted marker by marker', () => {
  // ids[0] of 10000 characters, and one inserted line of 20000 references
  // to it: 60 KB of skeleton, 200 MB if it were rendered.
  const v = items(offer);
  v[4] = ['x'.repeat(10000), ...v[4].slice(1)];
  const code0 = build(v);
  const code = withParts(code0, insertPart(1), ['a=x:' + '\x0f0'.repeat(20000)]);
  assert.equal(classOf(() => api.decode(code)), 'limit');
});
