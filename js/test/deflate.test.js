// Unit tests of the dynamic-Huffman block of SPEC.md §4.7: package-merge code
// lengths (against a Huffman code and an exhaustive search), the tie rule,
// the run-length coding of the code lengths, canonical codes, and the
// compressor's choice and header, checked by re-deriving the block from the
// tokens read back out of the stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { compress, codeLengths, runLengths, atLeastTwo, canonical } from '../src/deflate.js';
import { SDP_DICTIONARY } from '../src/dict.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function rng(seed) { // xorshift32, fixed seed: failures replay
  let s = seed >>> 0 || 1;
  return (n) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
}

// huffman returns the cost Σ f·len of an unlimited Huffman code for the
// non-zero frequencies, and its depth.
function huffman(freq) {
  let nodes = freq.filter((f) => f > 0).map((w) => ({ w, d: 0 }));
  let cost = 0;
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.w - b.w);
    const [a, b] = nodes.splice(0, 2);
    cost += a.w + b.w;
    nodes.push({ w: a.w + b.w, d: Math.max(a.d, b.d) + 1 });
  }
  return { cost, depth: nodes[0].d };
}

// bruteCost returns the least cost of lengths 1..limit with a Kraft sum of
// at most 1, by exhaustive search.
function bruteCost(freq, limit) {
  const fs = freq.filter((f) => f > 0);
  let best = Infinity;
  const walk = (i, kraft, cost) => {
    if (kraft > 1 || cost >= best) return;
    if (i === fs.length) { best = cost; return; }
    for (let l = 1; l <= limit; l++) walk(i + 1, kraft + 2 ** -l, cost + fs[i] * l);
  };
  walk(0, 0, 0);
  return best;
}

// check asserts that lengths are a complete prefix code of at most limit
// bits over exactly the symbols of non-zero frequency, and returns its cost.
function check(freq, lengths, limit) {
  let kraft = 0, cost = 0;
  for (let s = 0; s < freq.length; s++) {
    const l = lengths[s];
    assert.equal(l > 0, freq[s] > 0, `symbol ${s}: frequency ${freq[s]}, length ${l}`);
    assert.ok(l <= limit, `symbol ${s}: length ${l} over ${limit}`);
    if (l > 0) { kraft += 2 ** -l; cost += freq[s] * l; }
  }
  assert.equal(kraft, 1, `Kraft sum of ${freq}`);
  return cost;
}

test('codeLengths: a Huffman code when it fits, the best limited code otherwise', () => {
  const r = rng(314);
  let limited = 0, brute = 0;
  for (let iter = 0; iter < 2000; iter++) {
    let n = 2 + r(40), limit = 15;
    if (iter % 3 === 0) { n = 2 + r(7); limit = 3 + r(2); n = Math.min(n, 2 ** limit); }
    const freq = new Array(n + r(5)).fill(0);
    // Skewed frequencies (powers of two) make deep Huffman trees.
    for (let k = 0; k < n; k++) freq[r(freq.length)] += 1 + r(2 ** r(14));
    atLeastTwo(freq);
    const lengths = codeLengths(freq, limit);
    const cost = check(freq, lengths, limit);
    const h = huffman(freq);
    if (h.depth <= limit) assert.equal(cost, h.cost, `freq ${freq} limit ${limit}: not a Huffman code`);
    else {
      limited++;
      if (freq.filter((f) => f > 0).length <= 8) { brute++; assert.equal(cost, bruteCost(freq, limit), `freq ${freq} limit ${limit}`); }
    }
  }
  assert.ok(limited >= 100 && brute >= 50, `only ${limited} limited cases, ${brute} searched`);
});

test('codeLengths: the 15-bit and 7-bit limits bind', () => {
  const fib = [1, 1];
  while (fib.length < 25) fib.push(fib.at(-1) + fib.at(-2));
  const l15 = codeLengths(fib, 15);
  assert.equal(Math.max(...l15), 15);
  assert.ok(huffman(fib).depth > 15);
  check(fib, l15, 15);
  const f19 = fib.slice(0, 19);
  const l7 = codeLengths(f19, 7);
  assert.equal(Math.max(...l7), 7);
  check(f19, l7, 7);
  assert.equal(bruteCost([1, 1, 2, 3, 5, 8], 3), check([1, 1, 2, 3, 5, 8], codeLengths([1, 1, 2, 3, 5, 8], 3), 3));
});

test('codeLengths: ties give the longer code to the smaller symbol', () => {
  // SPEC.md §4.7: frequencies 1, 1, 1 give lengths 2, 2, 1.
  assert.deepEqual(Array.from(codeLengths([1, 1, 1], 15)), [2, 2, 1]);
  assert.deepEqual(Array.from(codeLengths([0, 1, 0, 1, 1], 15)), [0, 2, 0, 2, 1]);
  assert.deepEqual(Array.from(codeLengths([1, 1], 15)), [1, 1]);
  assert.deepEqual(Array.from(codeLengths([4, 4, 4, 4, 4], 15)), [3, 3, 2, 2, 2]);
  // Leaves by frequency, then symbol: symbol 2 (frequency 1) is deepest.
  assert.deepEqual(Array.from(codeLengths([2, 2, 1], 15)), [2, 1, 2]);
  // A leaf goes before a package of the same weight: the package {0, 1}
  // (weight 2) after leaves 2 and 3 (weight 2) gives 2, 2, 2, 2, where
  // the package first would give 3, 3, 2, 1 (of the same cost).
  assert.deepEqual(Array.from(codeLengths([1, 1, 2, 2], 15)), [2, 2, 2, 2]);
  assert.deepEqual(Array.from(codeLengths([1, 2, 1, 1], 15)), [2, 2, 2, 2]);
  assert.throws(() => codeLengths([0, 7, 0], 15));
});

test('atLeastTwo gives frequency 1 to the smallest unused symbols', () => {
  const f = (a) => { const c = a.slice(); atLeastTwo(c); return c; };
  assert.deepEqual(f([0, 0, 0]), [1, 1, 0]);
  assert.deepEqual(f([0, 0, 5]), [1, 0, 5]);
  assert.deepEqual(f([5, 0, 0]), [5, 1, 0]);
  assert.deepEqual(f([0, 3, 0, 4]), [0, 3, 0, 4]);
});

const expand = (items, seq) => {
  const out = [];
  for (const [s, rep] of items) {
    if (s < 16) { assert.equal(rep, 0); out.push(s); } else if (s === 16) {
      assert.ok(rep >= 3 && rep <= 6 && out.length > 0); for (let i = 0; i < rep; i++) out.push(out.at(-1));
    } else {
      assert.ok(s === 17 ? rep >= 3 && rep <= 10 : rep >= 11 && rep <= 138); for (let i = 0; i < rep; i++) out.push(0);
    }
  }
  assert.deepEqual(out, Array.from(seq));
};

test('runLengths codes the code lengths greedily from the left', () => {
  const rep = (v, k) => new Array(k).fill(v);
  // The example: [0×11, 5×8, 0, 0, 7, 7, 7, 0, 0, 0].
  const seq = [...rep(0, 11), ...rep(5, 8), 0, 0, 7, 7, 7, 0, 0, 0];
  assert.deepEqual(runLengths(seq), [[18, 11], [5, 0], [16, 6], [5, 0], [0, 0], [0, 0], [7, 0], [7, 0], [7, 0], [17, 3]]);
  assert.deepEqual(runLengths(rep(0, 140)), [[18, 138], [0, 0], [0, 0]]);
  assert.deepEqual(runLengths(rep(0, 141)), [[18, 138], [17, 3]]);
  assert.deepEqual(runLengths(rep(0, 150)), [[18, 138], [18, 12]]);
  assert.deepEqual(runLengths(rep(0, 10)), [[17, 10]]);
  assert.deepEqual(runLengths(rep(0, 2)), [[0, 0], [0, 0]]);
  assert.deepEqual(runLengths(rep(3, 4)), [[3, 0], [16, 3]]);
  assert.deepEqual(runLengths(rep(3, 3)), [[3, 0], [3, 0], [3, 0]]);
  assert.deepEqual(runLengths(rep(3, 9)), [[3, 0], [16, 6], [3, 0], [3, 0]]);
  assert.deepEqual(runLengths(rep(3, 10)), [[3, 0], [16, 6], [16, 3]]);
  assert.deepEqual(runLengths(rep(3, 14)), [[3, 0], [16, 6], [16, 6], [3, 0]]);
  const r = rng(7);
  for (let i = 0; i < 500; i++) {
    const s = [];
    while (s.length < 1 + r(320)) { const v = r(3) ? 0 : r(16); for (let k = r(r(2) ? 5 : 160); k >= 0; k--) s.push(v); }
    expand(runLengths(s), s);
  }
});

test('canonical gives the codes of RFC 1951 §3.2.2', () => {
  // The RFC's example: lengths (3, 3, 3, 3, 3, 2, 4, 4) for A..H.
  const codes = canonical([3, 3, 3, 3, 3, 2, 4, 4]);
  const msb = (c, n) => { let r = 0; for (let i = 0; i < n; i++) r = (r << 1) | ((c >> i) & 1); return r.toString(2).padStart(n, '0'); };
  assert.deepEqual(Array.from(codes, (c, s) => msb(c, [3, 3, 3, 3, 3, 2, 4, 4][s])), ['010', '011', '100', '101', '110', '00', '1110', '1111']);
});

// ---- The block, read back: tokens, frequencies and header. ----

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const CL_EXTRA = { 16: 2, 17: 3, 18: 7 };
const FIXED_LIT = Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8));

// decoder returns a function reading one symbol of the canonical code of
// lengths (computed here independently, most significant bit first).
function decoder(lengths, bit) {
  const map = new Map();
  let code = 0;
  for (let l = 1; l <= 15; l++) {
    for (let s = 0; s < lengths.length; s++) if (lengths[s] === l) map.set(`${l}:${code++}`, s);
    code <<= 1;
  }
  return () => {
    let c = 0;
    for (let l = 1; l <= 15; l++) { c = (c << 1) | bit(); const s = map.get(`${l}:${c}`); if (s !== undefined) return s; }
    throw new Error('bad code');
  };
}

// readBlock parses the single final block of a stream compress made.
function readBlock(data) {
  let pos = 0;
  const bit = () => { assert.ok(pos < data.length * 8, 'stream ends early'); const b = (data[pos >> 3] >> (pos & 7)) & 1; pos++; return b; };
  const bits = (n) => { let v = 0; for (let i = 0; i < n; i++) v |= bit() << i; return v; };
  assert.equal(bits(1), 1, 'BFINAL');
  const type = bits(2);
  const blk = { type, litFreq: new Array(286).fill(0), distFreq: new Array(30).fill(0), extraBits: 0 };
  let lit, dist;
  if (type === 1) {
    lit = decoder(FIXED_LIT, bit); dist = decoder(new Array(30).fill(5), bit);
  } else {
    assert.equal(type, 2, 'BTYPE');
    blk.hlit = bits(5) + 257; blk.hdist = bits(5) + 1; blk.hclen = bits(4) + 4;
    blk.clLen = new Array(19).fill(0);
    for (let i = 0; i < blk.hclen; i++) blk.clLen[CL_ORDER[i]] = bits(3);
    const cl = decoder(blk.clLen, bit);
    blk.items = [];
    const seq = [];
    while (seq.length < blk.hlit + blk.hdist) {
      const s = cl();
      const rep = s === 16 ? 3 + bits(2) : s === 17 ? 3 + bits(3) : s === 18 ? 11 + bits(7) : 0;
      blk.items.push([s, rep]);
      for (let i = 0; i < (s < 16 ? 1 : rep); i++) seq.push(s < 16 ? s : s === 16 ? seq.at(-1) : 0);
    }
    assert.equal(seq.length, blk.hlit + blk.hdist, 'a repeat runs past the lengths');
    blk.seq = seq;
    blk.litLen = seq.slice(0, blk.hlit); blk.distLen = seq.slice(blk.hlit);
    lit = decoder(blk.litLen, bit); dist = decoder(blk.distLen, bit);
  }
  for (;;) {
    const s = lit();
    blk.litFreq[s]++;
    if (s === 256) break;
    if (s < 256) continue;
    blk.extraBits += LEN_EXTRA[s - 257]; bits(LEN_EXTRA[s - 257]);
    const d = dist();
    blk.distFreq[d]++;
    blk.extraBits += DIST_EXTRA[d]; bits(DIST_EXTRA[d]);
  }
  assert.equal(Math.ceil(pos / 8), data.length, 'bytes after the block');
  for (let i = pos; i < data.length * 8; i++) assert.equal((data[i >> 3] >> (i & 7)) & 1, 0, 'padding bits');
  return blk;
}

// specBlock derives, from the frequencies of the tokens, the dynamic
// block's header and both blocks' sizes in bytes, by SPEC.md §4.7 a–e.
function specBlock(litFreq, distFreq, extraBits) {
  const lf = litFreq.slice(), df = distFreq.slice();
  atLeastTwo(lf); atLeastTwo(df);
  const litAll = Array.from(codeLengths(lf, 15)), distAll = Array.from(codeLengths(df, 15));
  let hlit = 286; while (hlit > 257 && litAll[hlit - 1] === 0) hlit--;
  let hdist = 30; while (hdist > 1 && distAll[hdist - 1] === 0) hdist--;
  const seq = [...litAll.slice(0, hlit), ...distAll.slice(0, hdist)];
  const items = runLengths(seq);
  const clFreq = new Array(19).fill(0);
  for (const [s] of items) clFreq[s]++;
  atLeastTwo(clFreq);
  const clLen = Array.from(codeLengths(clFreq, 7));
  let hclen = 19; while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] === 0) hclen--;
  let dyn = 3 + 5 + 5 + 4 + 3 * hclen + extraBits, fixed = 3 + extraBits;
  for (const [s] of items) dyn += clLen[s] + (CL_EXTRA[s] || 0);
  for (let s = 0; s < 286; s++) { dyn += litFreq[s] * litAll[s]; fixed += litFreq[s] * FIXED_LIT[s]; }
  for (let s = 0; s < 30; s++) { dyn += distFreq[s] * distAll[s]; fixed += distFreq[s] * 5; }
  return { hlit, hdist, hclen, seq, items, clLen, dynBytes: Math.ceil(dyn / 8), fixedBytes: Math.ceil(fixed / 8) };
}

test('compress: the shorter block, built from the tokens by the rules of §4.7', () => {
  assert.deepEqual(Array.from(compress(new Uint8Array(0), SDP_DICTIONARY)), [0x03, 0x00]);
  const te = new TextEncoder();
  const corpus = join(root, 'testdata', 'corpus');
  const inputs = readdirSync(corpus).filter((f) => f.endsWith('.sdp')).slice(0, 40)
    .map((f) => readFileSync(join(corpus, f), 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''))
    .map((t) => te.encode(t));
  inputs.push(te.encode('v=0'), te.encode('a=x\n'.repeat(3)), new Uint8Array(300).fill(7), Uint8Array.of(1, 2, 3, 4));
  const r = rng(2718);
  for (let i = 0; i < 60; i++) {
    const b = new Uint8Array(1 + r(i % 10 === 0 ? 20000 : 800));
    const a = 1 + r(i % 3 ? 8 : 256);
    for (let k = 0; k < b.length; k++) b[k] = 40 + r(a);
    inputs.push(b);
  }
  const seen = { 1: 0, 2: 0 };
  for (const input of inputs) {
    for (const dict of [SDP_DICTIONARY, new Uint8Array(0)]) {
      const c = compress(input, dict);
      assert.deepEqual(Buffer.from(inflateRawSync(c, dict.length ? { dictionary: dict } : {})), Buffer.from(input));
      const blk = readBlock(c);
      const want = specBlock(blk.litFreq, blk.distFreq, blk.extraBits);
      seen[blk.type]++;
      if (blk.type === 1) {
        assert.equal(c.length, want.fixedBytes);
        assert.ok(want.fixedBytes <= want.dynBytes, `fixed block of ${want.fixedBytes} bytes, dynamic ${want.dynBytes}`);
        continue;
      }
      assert.ok(want.dynBytes < want.fixedBytes, `dynamic block of ${want.dynBytes} bytes, fixed ${want.fixedBytes}`);
      assert.equal(c.length, want.dynBytes);
      assert.deepEqual([blk.hlit, blk.hdist, blk.hclen], [want.hlit, want.hdist, want.hclen], 'HLIT, HDIST, HCLEN');
      assert.deepEqual(blk.seq, want.seq, 'code lengths');
      assert.deepEqual(blk.clLen, want.clLen, 'code-length code lengths');
      assert.deepEqual(blk.items, want.items, 'run-length coding');
      expand(blk.items, blk.seq);
    }
  }
  assert.ok(seen[1] >= 5 && seen[2] >= 50, `blocks seen: ${JSON.stringify(seen)}`);
});
