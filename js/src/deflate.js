// The deterministic fixed-Huffman DEFLATE compressor of SPEC.md §4.7 and a
// bounded RFC 1951 inflater with a preset dictionary.

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;

// RFC 1951 §3.2.5 length and distance code tables.
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

class BitWriter {
  constructor(cap) { this.buf = new Uint8Array(Math.max(16, cap)); this.len = 0; this.acc = 0; this.n = 0; }
  bits(v, n) { // LSB first
    this.acc |= v << this.n;
    this.n += n;
    while (this.n >= 8) {
      if (this.len === this.buf.length) { const b = new Uint8Array(this.buf.length * 2); b.set(this.buf); this.buf = b; }
      this.buf[this.len++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }
  code(c, n) { // Huffman code, most significant bit first
    let r = 0;
    for (let i = 0; i < n; i++) r = (r << 1) | ((c >> i) & 1);
    this.bits(r, n);
  }
  finish() { if (this.n > 0) this.bits(0, 8 - this.n); return this.buf.slice(0, this.len); }
}

function writeLitLen(w, sym) {
  if (sym < 144) w.code(0x30 + sym, 8);
  else if (sym < 256) w.code(0x190 + sym - 144, 9);
  else if (sym < 280) w.code(sym - 256, 7);
  else w.code(0xc0 + sym - 280, 8);
}

function writeMatch(w, len, dist) {
  let i = LEN_BASE.length - 1;
  while (LEN_BASE[i] > len) i--;
  if (len === 258) i = 28;
  writeLitLen(w, 257 + i);
  if (LEN_EXTRA[i]) w.bits(len - LEN_BASE[i], LEN_EXTRA[i]);
  let j = DIST_BASE.length - 1;
  while (DIST_BASE[j] > dist) j--;
  w.code(j, 5);
  if (DIST_EXTRA[j]) w.bits(dist - DIST_BASE[j], DIST_EXTRA[j]);
}

const HASH_BITS = 15;

/**
 * compress returns the raw DEFLATE stream of input with dict as history,
 * exactly as SPEC.md §4.7 specifies (one fixed-Huffman block, longest match
 * with the smallest distance, one-step lazy evaluation).
 * @param {Uint8Array} input
 * @param {Uint8Array} dict
 */
export function compress(input, dict) {
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
  const w = new BitWriter(input.length + 16);
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE 01
  let p = 0;
  let cur = input.length > 0 ? longest(0) : null;
  while (p < input.length) {
    if (cur === null) {
      writeLitLen(w, input[p]);
      p++;
      cur = p < input.length ? longest(p) : null;
      continue;
    }
    if (p + 1 < input.length) {
      const next = longest(p + 1);
      if (next !== null && next[0] > cur[0]) {
        writeLitLen(w, input[p]);
        p++;
        cur = next;
        continue;
      }
    }
    writeMatch(w, cur[0], cur[1]);
    p += cur[0];
    cur = p < input.length ? longest(p) : null;
  }
  writeLitLen(w, 256);
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
  // Over-subscription check.
  let left = 1;
  for (let i = 1; i < 16; i++) { left <<= 1; left -= counts[i]; if (left < 0) throw new InflateError('over-subscribed Huffman code'); }
  return { counts, symbols };
}

let FIXED_LIT = null, FIXED_DIST = null;
function fixedTables() {
  if (!FIXED_LIT) {
    const l = new Uint8Array(288);
    l.fill(8, 0, 144); l.fill(9, 144, 256); l.fill(7, 256, 280); l.fill(8, 280, 288);
    FIXED_LIT = buildHuffman(l);
    FIXED_DIST = buildHuffman(new Uint8Array(30).fill(5));
  }
  return [FIXED_LIT, FIXED_DIST];
}

const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

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
