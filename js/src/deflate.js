// The deterministic DEFLATE compressor of SPEC.md §4.7 (one final block,
// fixed- or dynamic-Huffman) and a bounded RFC 1951 inflater with a preset
// dictionary.

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;

// RFC 1951 §3.2.5 length and distance code tables.
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

const MAX_BITS = 15; // longest literal/length or distance code
const MAX_CL_BITS = 7; // longest code of the code-length alphabet
const NUM_LITLEN = 286;
const NUM_DIST = 30;
const NUM_CL = 19;
// The order of the code-length alphabet's lengths in the header (RFC 1951 §3.2.7).
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// LEN_SYM[l] is the index i (symbol 257 + i) of match length l, 3 ≤ l ≤ 258
// (258 is symbol 285, never 284).
const LEN_SYM = new Uint8Array(MAX_MATCH + 1);
for (let i = 0; i < LEN_BASE.length; i++) LEN_SYM.fill(i, LEN_BASE[i], i + 1 < LEN_BASE.length ? LEN_BASE[i + 1] : MAX_MATCH + 1);
// DIST_SYM[d - 1] for d ≤ 256, DIST_SYM[256 + ((d - 1) >> 7)] above.
const DIST_SYM = new Uint8Array(512);
for (let j = 0; j < DIST_BASE.length; j++) {
  const hi = j + 1 < DIST_BASE.length ? DIST_BASE[j + 1] - 1 : WINDOW;
  for (let d = DIST_BASE[j]; d <= hi; d++) DIST_SYM[d <= 256 ? d - 1 : 256 + ((d - 1) >> 7)] = j;
}
const distSym = (d) => DIST_SYM[d <= 256 ? d - 1 : 256 + ((d - 1) >> 7)];

class BitWriter {
  constructor(cap) { this.buf = new Uint8Array(Math.max(16, cap)); this.len = 0; this.acc = 0; this.n = 0; }
  bits(v, n) { // LSB first; n ≤ 16
    this.acc |= v << this.n;
    this.n += n;
    while (this.n >= 8) {
      if (this.len === this.buf.length) { const b = new Uint8Array(this.buf.length * 2); b.set(this.buf); this.buf = b; }
      this.buf[this.len++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }
  finish() { if (this.n > 0) this.bits(0, 8 - this.n); return this.buf.slice(0, this.len); }
}

/**
 * atLeastTwo gives frequency 1 to the smallest symbols of frequency 0 until
 * at least two symbols have a non-zero frequency (SPEC.md §4.7 step a).
 * @param {Int32Array|number[]} freq modified in place
 */
export function atLeastTwo(freq) {
  let used = 0;
  for (let s = 0; s < freq.length; s++) if (freq[s] > 0) used++;
  for (let s = 0; used < 2 && s < freq.length; s++) if (freq[s] === 0) { freq[s] = 1; used++; }
}

/**
 * codeLengths returns the code length of every symbol for a code of at most
 * limit bits minimising the sum of freq[s]·length[s]: the package-merge
 * algorithm of SPEC.md §4.7 step b, ties broken as it says. At least two
 * frequencies must be non-zero, and at most 2^limit.
 * @param {ArrayLike<number>} freq
 * @param {number} limit
 * @returns {Uint8Array}
 */
export function codeLengths(freq, limit) {
  const lengths = new Uint8Array(freq.length);
  const leaves = [];
  for (let s = 0; s < freq.length; s++) if (freq[s] > 0) leaves.push(s);
  const n = leaves.length;
  if (n < 2 || n > 2 ** limit) throw new Error(`codeLengths: ${n} symbols for a limit of ${limit} bits`);
  // The leaves by frequency, then by symbol: nodes 0..n-1. Packages are the
  // nodes after them, made of two earlier nodes (left[x], right[x]).
  leaves.sort((a, b) => freq[a] - freq[b] || a - b);
  const weight = leaves.map((s) => freq[s]);
  const left = new Array(n).fill(-1), right = new Array(n).fill(-1);
  let cur = leaves.map((_, i) => i);
  for (let k = 1; k < limit; k++) {
    // Pair the items in order, then merge the packages into the leaves by
    // weight, a leaf before a package of the same weight.
    const next = [];
    let li = 0;
    for (let i = 0; i + 1 < cur.length; i += 2) {
      const w = weight[cur[i]] + weight[cur[i + 1]];
      while (li < n && weight[li] <= w) next.push(li++);
      weight.push(w); left.push(cur[i]); right.push(cur[i + 1]);
      next.push(weight.length - 1);
    }
    while (li < n) next.push(li++);
    cur = next;
  }
  // The first 2n-2 items of the last list: how many times each node occurs
  // in them, packages unfolded from the last made to the first (a package
  // only holds earlier nodes); a leaf's count is its symbol's length.
  const count = new Int32Array(weight.length);
  for (let i = 0; i < 2 * n - 2; i++) count[cur[i]]++;
  for (let x = weight.length - 1; x >= n; x--) {
    count[left[x]] += count[x];
    count[right[x]] += count[x];
  }
  for (let i = 0; i < n; i++) lengths[leaves[i]] = count[i];
  return lengths;
}

const CL_EXTRA = { 16: 2, 17: 3, 18: 7 };
const CL_REPEAT_BASE = { 16: 3, 17: 3, 18: 11 };

/**
 * runLengths codes a sequence of code lengths with the code-length alphabet,
 * greedily from the left (SPEC.md §4.7 step d): a list of [symbol, repeat],
 * repeat being the count symbols 16, 17 and 18 stand for (0 for 0..15).
 * @param {ArrayLike<number>} seq
 * @returns {Array<[number, number]>}
 */
export function runLengths(seq) {
  const out = [];
  for (let i = 0; i < seq.length;) {
    const v = seq[i];
    let r = 1;
    while (i + r < seq.length && seq[i + r] === v) r++;
    if (v === 0 && r >= 11) {
      const k = Math.min(r, 138);
      out.push([18, k]); i += k;
    } else if (v === 0 && r >= 3) {
      out.push([17, r]); i += r;
    } else if (v !== 0 && r >= 4) {
      out.push([v, 0]); i++;
      for (let m = r - 1; m >= 3;) {
        const k = Math.min(m, 6);
        out.push([16, k]); i += k; m -= k;
      }
    } else {
      out.push([v, 0]); i++;
    }
  }
  return out;
}

/**
 * canonical returns the codes of RFC 1951 §3.2.2 for lengths, bit-reversed
 * so that BitWriter.bits writes them most significant bit first.
 * @param {ArrayLike<number>} lengths
 * @returns {Uint16Array}
 */
export function canonical(lengths) {
  const count = new Uint16Array(MAX_BITS + 1);
  for (let s = 0; s < lengths.length; s++) count[lengths[s]]++;
  count[0] = 0;
  const next = new Uint16Array(MAX_BITS + 1);
  for (let b = 1, c = 0; b <= MAX_BITS; b++) { c = (c + count[b - 1]) << 1; next[b] = c; }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s];
    if (l === 0) continue;
    let c = next[l]++, r = 0;
    for (let i = 0; i < l; i++) { r = (r << 1) | (c & 1); c >>= 1; }
    codes[s] = r;
  }
  return codes;
}

// The fixed Huffman codes of RFC 1951 §3.2.6.
const FIXED_LIT_LEN = new Uint8Array(288);
FIXED_LIT_LEN.fill(8, 0, 144); FIXED_LIT_LEN.fill(9, 144, 256); FIXED_LIT_LEN.fill(7, 256, 280); FIXED_LIT_LEN.fill(8, 280, 288);
const FIXED_LIT_CODE = canonical(FIXED_LIT_LEN);
const FIXED_DIST_LEN = new Uint8Array(NUM_DIST).fill(5);
const FIXED_DIST_CODE = canonical(FIXED_DIST_LEN);

/**
 * dynamicBlock plans the dynamic-Huffman block from the frequencies of the
 * tokens (SPEC.md §4.7 steps a–e); .bits is its size without the extra bits
 * of lengths and distances, which the fixed block has too.
 */
function dynamicBlock(litFreq, distFreq) {
  const lf = Int32Array.from(litFreq), df = Int32Array.from(distFreq);
  atLeastTwo(lf);
  atLeastTwo(df);
  const litAll = codeLengths(lf, MAX_BITS), distAll = codeLengths(df, MAX_BITS);
  let hlit = NUM_LITLEN;
  while (hlit > 257 && litAll[hlit - 1] === 0) hlit--;
  let hdist = NUM_DIST;
  while (hdist > 1 && distAll[hdist - 1] === 0) hdist--;
  const litLen = litAll.subarray(0, hlit), distLen = distAll.subarray(0, hdist);
  const seq = new Uint8Array(hlit + hdist);
  seq.set(litLen); seq.set(distLen, hlit);
  const items = runLengths(seq);
  const clFreq = new Int32Array(NUM_CL);
  for (const [s] of items) clFreq[s]++;
  atLeastTwo(clFreq);
  const clLen = codeLengths(clFreq, MAX_CL_BITS);
  let hclen = NUM_CL;
  while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] === 0) hclen--;
  let bits = 3 + 5 + 5 + 4 + 3 * hclen;
  for (const [s] of items) bits += clLen[s] + (CL_EXTRA[s] || 0);
  for (let s = 0; s < NUM_LITLEN; s++) bits += litFreq[s] * litAll[s];
  for (let s = 0; s < NUM_DIST; s++) bits += distFreq[s] * distAll[s];
  return { bits, litLen, distLen, items, clLen, hclen };
}

function writeTokens(w, toks, nt, litCode, litLen, distCode, distLen) {
  for (let i = 0; i < nt; i++) {
    const t = toks[i];
    if (t < 256) { w.bits(litCode[t], litLen[t]); continue; }
    const len = t >>> 16, dist = t & 0xffff;
    const ls = LEN_SYM[len], ds = distSym(dist);
    w.bits(litCode[257 + ls], litLen[257 + ls]);
    if (LEN_EXTRA[ls]) w.bits(len - LEN_BASE[ls], LEN_EXTRA[ls]);
    w.bits(distCode[ds], distLen[ds]);
    if (DIST_EXTRA[ds]) w.bits(dist - DIST_BASE[ds], DIST_EXTRA[ds]);
  }
  w.bits(litCode[256], litLen[256]);
}

const HASH_BITS = 15;

/**
 * tokenize returns the parse of SPEC.md §4.7 steps 2–4 (longest match with
 * the smallest distance, one-step lazy evaluation) as tokens: a literal is
 * its byte, a match (L, d) is L << 16 | d.
 * @returns {[Int32Array, number]} the tokens and their number
 */
function tokenize(input, dict) {
  if (dict.length > WINDOW) dict = dict.subarray(dict.length - WINDOW);
  const n = dict.length;
  const W = new Uint8Array(n + input.length);
  W.set(dict); W.set(input, n);
  const end = W.length;
  // Hash chains over every position of W with 3 bytes available.
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(end);
  const hash = (q) => (((W[q] << 10) ^ (W[q + 1] << 5) ^ W[q + 2]) & ((1 << HASH_BITS) - 1));
  let inserted = 0; // positions < inserted are in the chains
  const insertUpTo = (q) => {
    for (; inserted < q && inserted + 2 < end; inserted++) {
      const h = hash(inserted);
      prev[inserted] = head[h];
      head[h] = inserted;
    }
    if (inserted < q) inserted = q;
  };
  // longest returns [L, d] at input position p, or null.
  const longest = (p) => {
    const q = n + p;
    const maxL = Math.min(MAX_MATCH, input.length - p);
    if (maxL < MIN_MATCH) return null;
    insertUpTo(q);
    const limit = q - Math.min(WINDOW, q);
    let bestL = 0, bestD = 0;
    for (let c = head[hash(q)]; c >= limit && c >= 0; c = prev[c]) {
      if (W[c + bestL] !== W[q + bestL] || W[c] !== W[q] || W[c + 1] !== W[q + 1] || W[c + 2] !== W[q + 2]) continue;
      let l = 3;
      while (l < maxL && W[c + l] === W[q + l]) l++;
      if (l > bestL) { bestL = l; bestD = q - c; if (l === maxL) break; }
    }
    return bestL >= MIN_MATCH ? [bestL, bestD] : null;
  };
  const toks = new Int32Array(input.length);
  let nt = 0;
  let p = 0;
  let cur = input.length > 0 ? longest(0) : null;
  while (p < input.length) {
    if (cur === null) {
      toks[nt++] = input[p];
      p++;
      cur = p < input.length ? longest(p) : null;
      continue;
    }
    if (p + 1 < input.length) {
      const next = longest(p + 1);
      if (next !== null && next[0] > cur[0]) {
        toks[nt++] = input[p];
        p++;
        cur = next;
        continue;
      }
    }
    toks[nt++] = (cur[0] << 16) | cur[1];
    p += cur[0];
    cur = p < input.length ? longest(p) : null;
  }
  return [toks, nt];
}

/**
 * compress returns the raw DEFLATE stream of input with dict as history,
 * exactly as SPEC.md §4.7 specifies: the parse (longest match with the
 * smallest distance, one-step lazy evaluation) in one final block, the
 * dynamic-Huffman block of the parse's frequencies when it has fewer bytes
 * than the fixed-Huffman one, otherwise the fixed-Huffman block.
 * @param {Uint8Array} input
 * @param {Uint8Array} dict
 */
export function compress(input, dict) {
  const [toks, nt] = tokenize(input, dict);
  // Frequencies, and the size of the fixed block; the extra bits of lengths
  // and distances are the same in both blocks.
  const litFreq = new Int32Array(NUM_LITLEN), distFreq = new Int32Array(NUM_DIST);
  let fixedBits = 3 + FIXED_LIT_LEN[256], extraBits = 0;
  for (let i = 0; i < nt; i++) {
    const t = toks[i];
    if (t < 256) { litFreq[t]++; fixedBits += FIXED_LIT_LEN[t]; continue; }
    const ls = LEN_SYM[t >>> 16], ds = distSym(t & 0xffff);
    litFreq[257 + ls]++; distFreq[ds]++;
    fixedBits += FIXED_LIT_LEN[257 + ls] + 5;
    extraBits += LEN_EXTRA[ls] + DIST_EXTRA[ds];
  }
  litFreq[256]++;
  const fixedBytes = (fixedBits + extraBits + 7) >> 3;
  // An empty input (no tokens) always gives the fixed block: 03 00.
  const dyn = nt > 0 ? dynamicBlock(litFreq, distFreq) : null;
  if (dyn === null || ((dyn.bits + extraBits + 7) >> 3) >= fixedBytes) {
    const w = new BitWriter(fixedBytes);
    w.bits(1 | 1 << 1, 3); // BFINAL = 1, BTYPE = 01
    writeTokens(w, toks, nt, FIXED_LIT_CODE, FIXED_LIT_LEN, FIXED_DIST_CODE, FIXED_DIST_LEN);
    return w.finish();
  }
  const { litLen, distLen, items, clLen, hclen } = dyn;
  const clCode = canonical(clLen);
  const w = new BitWriter((dyn.bits + extraBits + 7) >> 3);
  w.bits(1 | 2 << 1, 3); // BFINAL = 1, BTYPE = 10
  w.bits(litLen.length - 257, 5);
  w.bits(distLen.length - 1, 5);
  w.bits(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) w.bits(clLen[CL_ORDER[i]], 3);
  for (const [s, rep] of items) {
    w.bits(clCode[s], clLen[s]);
    if (s >= 16) w.bits(rep - CL_REPEAT_BASE[s], CL_EXTRA[s]);
  }
  writeTokens(w, toks, nt, canonical(litLen), litLen, canonical(distLen), distLen);
  return w.finish();
}

/** InflateError reports an invalid stream; `limit` is set when the output limit was hit. */
export class InflateError extends Error {
  constructor(msg, limit = false) { super(msg); this.limit = limit; }
}

function buildHuffman(lengths) {
  // Canonical Huffman decoding table: counts per length and symbols in order.
  const counts = new Uint16Array(16);
  for (const l of lengths) counts[l]++;
  counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + counts[i - 1];
  const symbols = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) symbols[offs[lengths[s]]++] = s;
  // An over-subscribed code is invalid, and so is an incomplete one
  // unless it has no code or a single code of length 1 (SPEC.md §4.7: as
  // zlib and Go's compress/flate decide).
  let left = 1, codes = 0;
  for (let i = 1; i < 16; i++) {
    left <<= 1; left -= counts[i]; codes += counts[i];
    if (left < 0) throw new InflateError('over-subscribed Huffman code');
  }
  if (left > 0 && !(codes === 0 || (codes === 1 && counts[1] === 1))) throw new InflateError('incomplete Huffman code');
  return { counts, symbols };
}

let FIXED_LIT = null, FIXED_DIST = null;
function fixedTables() {
  if (!FIXED_LIT) {
    FIXED_LIT = buildHuffman(FIXED_LIT_LEN);
    // All 32 five-bit distance codes (RFC 1951 §3.2.6: a complete code),
    // 30 and 31 rejected where decoded.
    FIXED_DIST = buildHuffman(new Uint8Array(32).fill(5));
  }
  return [FIXED_LIT, FIXED_DIST];
}

/**
 * inflate decompresses a raw DEFLATE stream with dict as history. It throws
 * InflateError when the stream is invalid, ends early, has bytes after its
 * final block, or would produce more than maxOut bytes (then with
 * .limit = true, before writing past the limit).
 */
export function inflate(data, dict, maxOut) {
  if (dict.length > WINDOW) dict = dict.subarray(dict.length - WINDOW);
  const base = dict.length;
  let out = new Uint8Array(base + Math.min(maxOut, Math.max(1024, data.length * 4)));
  out.set(dict);
  let op = base;
  let pos = 0, acc = 0, nb = 0;
  const bit = () => {
    if (nb === 0) {
      if (pos >= data.length) throw new InflateError('unexpected end of stream');
      acc = data[pos++]; nb = 8;
    }
    const b = acc & 1; acc >>= 1; nb--; return b;
  };
  const bits = (n) => { let v = 0; for (let i = 0; i < n; i++) v |= bit() << i; return v; };
  const decodeSym = (t) => {
    let code = 0, first = 0, index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bit();
      const count = t.counts[len];
      if (code - count < first) return t.symbols[index + (code - first)];
      index += count; first += count; first <<= 1; code <<= 1;
    }
    throw new InflateError('invalid Huffman code');
  };
  const ensure = (k) => {
    if (op - base + k > maxOut) throw new InflateError('output over the limit', true);
    if (op + k > out.length) {
      const b = new Uint8Array(Math.min(base + maxOut, Math.max(out.length * 2, op + k)));
      b.set(out.subarray(0, op)); out = b;
    }
  };
  let final = 0;
  do {
    final = bit();
    const type = bits(2);
    if (type === 0) {
      acc = 0; nb = 0;
      if (pos + 4 > data.length) throw new InflateError('unexpected end of stream');
      const len = data[pos] | (data[pos + 1] << 8), nlen = data[pos + 2] | (data[pos + 3] << 8);
      pos += 4;
      if ((len ^ 0xffff) !== nlen) throw new InflateError('stored block length mismatch');
      if (pos + len > data.length) throw new InflateError('unexpected end of stream');
      ensure(len);
      out.set(data.subarray(pos, pos + len), op); op += len; pos += len;
      continue;
    }
    let lit, dist;
    if (type === 1) [lit, dist] = fixedTables();
    else if (type === 2) {
      const hlit = bits(5) + 257, hdist = bits(5) + 1, hclen = bits(4) + 4;
      const cl = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) cl[CL_ORDER[i]] = bits(3);
      const clt = buildHuffman(cl);
      const lens = new Uint8Array(hlit + hdist);
      for (let i = 0; i < hlit + hdist;) {
        const s = decodeSym(clt);
        if (s < 16) { lens[i++] = s; continue; }
        let rep, val = 0;
        if (s === 16) { if (i === 0) throw new InflateError('repeat with no previous length'); val = lens[i - 1]; rep = 3 + bits(2); }
        else if (s === 17) rep = 3 + bits(3);
        else rep = 11 + bits(7);
        if (i + rep > hlit + hdist) throw new InflateError('too many code lengths');
        lens.fill(val, i, i + rep); i += rep;
      }
      if (lens[256] === 0) throw new InflateError('no end-of-block code');
      lit = buildHuffman(lens.subarray(0, hlit));
      dist = buildHuffman(lens.subarray(hlit));
    } else throw new InflateError('invalid block type');
    for (;;) {
      const s = decodeSym(lit);
      if (s < 256) { ensure(1); out[op++] = s; continue; }
      if (s === 256) break;
      const li = s - 257;
      if (li >= 29) throw new InflateError('invalid length symbol');
      const len = LEN_BASE[li] + bits(LEN_EXTRA[li]);
      const ds = decodeSym(dist);
      if (ds >= 30) throw new InflateError('invalid distance symbol');
      const d = DIST_BASE[ds] + bits(DIST_EXTRA[ds]);
      if (d > op) throw new InflateError('distance beyond the history');
      ensure(len);
      for (let i = 0; i < len; i++, op++) out[op] = out[op - d];
    }
  } while (!final);
  if (pos !== data.length) throw new InflateError('bytes after the final block');
  return out.slice(base, op);
}
