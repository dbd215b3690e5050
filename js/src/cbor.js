// The one CBOR module of the package (RFC 8949), for the codec and for the
// identity messages of the peer layer (src/peer/identity.js): a checker, a
// reader and a deterministic writer of the subset they use.
//
// checkItem checks an item as SPEC.md §7 step 3 says (and as codec/cbor.go
// does), within limits given as a parameter: CODEC_LIMITS by default, or
// IDENTITY_LIMITS for the peer layer's messages (IDENTITY.md §3.1, as
// ref/peer reads them), which also admits every simple and floating-point
// value. readItem then reads checked items. For the codec, canonical form
// is checked by the caller by re-encoding (SPEC.md §7 step 8), together
// with the faults checkItem remembers; decodeOne refuses those faults at
// once, as the identity messages want.

import { MalformedError, LimitError, NonCanonicalError } from './errors.js';

export const MAX_NESTING = 16;
export const MAX_ARRAY = 4096;
export const MAX_MAP = 256;

/**
 * CODEC_LIMITS are SPEC.md §8's: nesting 16, 4096 array elements, 256 map
 * pairs; among simple and floating-point values only false, true and null.
 */
export const CODEC_LIMITS = Object.freeze({ nesting: MAX_NESTING, array: MAX_ARRAY, map: MAX_MAP, anySimple: false });

/**
 * IDENTITY_LIMITS are those of the identity messages (ref/peer's): nesting
 * 8, 64 array elements, 64 map pairs, and any simple or floating-point
 * value in its preferred serialization (core deterministic encoding).
 */
export const IDENTITY_LIMITS = Object.freeze({ nesting: 8, array: 64, map: 64, anySimple: true });

/**
 * itemHeader reads the initial byte and argument of the item at b[off]:
 * {major, ai, arg, hdr} (arg a number, or a BigInt above 2^53-1), or null
 * for a truncated header, an indefinite length or a reserved value (28–31).
 */
export function itemHeader(b, off) {
  if (off >= b.length) return null;
  const ib = b[off], major = ib >> 5, ai = ib & 31;
  if (ai < 24) return { major, ai, arg: ai, hdr: 1 };
  if (ai > 27) return null;
  const n = 1 << (ai - 24);
  if (off + 1 + n > b.length) return null;
  let arg;
  if (n < 8) {
    arg = 0;
    for (let i = 1; i <= n; i++) arg = arg * 256 + b[off + i];
  } else {
    let v = 0n;
    for (let i = 1; i <= 8; i++) v = (v << 8n) | BigInt(b[off + i]);
    arg = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  return { major, ai, arg, hdr: 1 + n };
}

function argOver(arg, max) { return typeof arg === 'bigint' || arg > max; }

/**
 * nonShortest reports whether the argument of a header (itemHeader's) is
 * not in its shortest form. For major type 7 the additional information
 * says the kind of value, not a length: checkItem judges it.
 */
export function nonShortest({ major, ai, arg }) {
  return major !== 7 && ((ai === 24 && arg < 24) || (ai === 25 && arg <= 0xff) || (ai === 26 && arg <= 0xffff) ||
    (ai === 27 && !argOver(arg, 0xffffffff)));
}

/**
 * checkItem checks the item at b[off] as SPEC.md §7 step 3 says, depth-first
 * in wire order, the first fault deciding: malformed (truncated, indefinite
 * length, reserved value, tag, a simple or float value other than false,
 * true and null unless limits.anySimple, text that is not UTF-8, equal map
 * keys) or limit (nesting over limits.nesting levels where an array or map
 * item is level 1, an array over limits.array items, a map over limits.map
 * pairs, decided from the header). It returns {end, nonCanon}: nonCanon
 * notes a non-shortest argument or float, or unsorted map keys, which are
 * reported as non-canonical only at step 8.
 */
export function checkItem(b, off, limits = CODEC_LIMITS) {
  const c = { b, pos: off, nonCanon: false, limits };
  checkValue(c, 0);
  return { end: c.pos, nonCanon: c.nonCanon };
}

function checkHead(c) {
  const h = itemHeader(c.b, c.pos);
  if (h === null) {
    if (c.pos < c.b.length && (c.b[c.pos] & 0x1f) >= 28) throw new MalformedError(c.pos, '', 'indefinite length or reserved value');
    throw new MalformedError(c.pos, '', 'truncated CBOR item');
  }
  if (nonShortest(h)) c.nonCanon = true;
  c.pos += h.hdr;
  return h;
}

function checkValue(c, depth) {
  const start = c.pos, lim = c.limits;
  const { major, ai, arg } = checkHead(c);
  switch (major) {
    case 0: case 1: return;
    case 2: case 3: {
      if (argOver(arg, c.b.length - c.pos)) throw new MalformedError(start, '', 'truncated CBOR item');
      if (major === 3) {
        try { td.decode(c.b.subarray(c.pos, c.pos + arg)); } catch { throw new MalformedError(c.pos, '', 'text string is not UTF-8'); }
      }
      c.pos += arg;
      return;
    }
    case 4: case 5: {
      if (depth + 1 > lim.nesting) throw new LimitError(start, '', `CBOR nesting deeper than ${lim.nesting}`);
      if (argOver(arg, major === 4 ? lim.array : lim.map)) throw new LimitError(start, '', 'CBOR array or map over its size limit');
      // While the keys ascend a repeated key can only equal the previous
      // one; from the first key out of order on they go into a set, so
      // that each key costs constant time (SPEC.md §11: linear decoding).
      let prev = null, set = null;
      const keys = [];
      for (let i = 0; i < arg; i++) {
        const k = c.pos;
        checkValue(c, depth + 1);
        if (major === 5) {
          const key = c.b.subarray(k, c.pos);
          const unsorted = prev !== null && compareBytes(prev, key) > 0;
          if (unsorted) c.nonCanon = true;
          if (set === null && unsorted) set = new Set(keys.map(bytesKey));
          if (set !== null) {
            const s = bytesKey(key);
            if (set.has(s)) throw new MalformedError(k, '', 'duplicate map key');
            set.add(s);
          } else if (prev !== null && compareBytes(prev, key) === 0) {
            throw new MalformedError(k, '', 'duplicate map key');
          }
          keys.push(key);
          prev = key;
          checkValue(c, depth + 1);
        }
      }
      return;
    }
    case 6: throw new MalformedError(start, '', 'tagged CBOR item');
    default:
      if (ai >= 20 && ai <= 22) return;
      if (!lim.anySimple) throw new MalformedError(start, '', 'only false, true and null are allowed among CBOR simple and floating-point values');
      if (ai === 24 && arg < 32) throw new MalformedError(start, '', 'simple value in two bytes below 32');
      if (ai >= 25 && !preferredFloat(c.b.subarray(start + 1, c.pos))) c.nonCanon = true;
  }
}

// preferredFloat reports whether the bytes of a float (2, 4 or 8) are its
// preferred serialization (RFC 8949 §4.1): the shortest of the three that
// keeps its value, and NaN as 0xf97e00.
function preferredFloat(b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const v = b.length === 2 ? half(dv.getUint16(0)) : b.length === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
  if (Number.isNaN(v)) return b.length === 2 && dv.getUint16(0) === 0x7e00;
  return floatWidth(v) === b.length;
}

// floatWidth is the byte width of a float's preferred serialization.
function floatWidth(v) {
  if (!Number.isFinite(v)) return 2;
  if (Math.fround(v) !== v) return 8;
  return halfBits(v) >= 0 ? 2 : 4;
}

/**
 * splitSequence splits code into its items (at most max) as SPEC.md §7 step
 * 3 says: unsigned integers and byte strings are read by their header, any
 * other item is checked by checkItem. Returns {items, nonCanon}.
 */
export function splitSequence(code, max) {
  const items = [];
  let nonCanon = false;
  for (let off = 0; off < code.length;) {
    if (items.length === max) throw new MalformedError(off, '', `more than ${max} items`);
    const h = itemHeader(code, off);
    let end;
    if (h !== null && h.major === 0) end = off + h.hdr;
    else if (h !== null && h.major === 2) {
      if (typeof h.arg === 'bigint' || h.arg > code.length - off - h.hdr) throw new MalformedError(off, '', 'truncated CBOR item');
      end = off + h.hdr + h.arg;
    } else {
      const c = checkItem(code, off);
      end = c.end;
      nonCanon = nonCanon || c.nonCanon;
    }
    items.push({ start: off, end, major: code[off] >> 5, raw: code.subarray(off, end) });
    off = end;
  }
  return { items, nonCanon };
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * readExtMap splits a checked extension map into its pairs, in wire order:
 * [{key, raw, start}] with raw the value's encoding. Keys must be integers
 * that fit int64 (SPEC.md §7 steps 4 and 5).
 */
export function readExtMap(raw, base) {
  const h = itemHeader(raw, 0);
  if (h === null || h.major !== 5) throw new MalformedError(base, 'ext', 'want a map');
  let pos = h.hdr;
  const pairs = [];
  for (let i = 0; i < h.arg; i++) {
    const k = itemHeader(raw, pos);
    if (k === null || (k.major !== 0 && k.major !== 1) || (typeof k.arg === 'bigint' && k.arg > INT64_MAX)) {
      throw new MalformedError(base + pos, 'ext', 'keys must be integers');
    }
    let key = k.arg;
    if (k.major === 1) key = typeof key === 'bigint' || key >= Number.MAX_SAFE_INTEGER ? -1n - BigInt(key) : -1 - key;
    const vstart = pos + k.hdr;
    const v = checkItem(raw, vstart);
    pairs.push({ key, raw: raw.subarray(vstart, v.end), start: base + pos });
    pos = v.end;
  }
  return pairs;
}

/** CBOR null. */
export const NULL = null;

const td = new TextDecoder('utf-8', { fatal: true });
const te = new TextEncoder();

/**
 * A decoded CBOR map: an array of [key, value] pairs, in wire order.
 * @typedef {{ map: Array<[any, any]> }} CborMap
 */

/**
 * readItem reads one CBOR item of buf starting at off.
 * Integers are numbers when safe, else BigInt. Maps are {map: [[k, v]...]}.
 * Throws MalformedError or LimitError (offsets are absolute).
 * @returns {{value: any, end: number}}
 */
export function readItem(buf, off) {
  const r = { buf, pos: off };
  const value = readValue(r, 0);
  return { value, end: r.pos };
}

function need(r, n) {
  if (r.pos + n > r.buf.length) throw new MalformedError(r.pos, '', 'truncated CBOR item');
}

function readArg(r, info, start) {
  if (info < 24) return info;
  let n;
  switch (info) {
    case 24: need(r, 1); n = r.buf[r.pos]; r.pos += 1; return n;
    case 25: need(r, 2); n = (r.buf[r.pos] << 8) | r.buf[r.pos + 1]; r.pos += 2; return n;
    case 26: need(r, 4); n = ((r.buf[r.pos] << 24) >>> 0) + (r.buf[r.pos + 1] << 16) + (r.buf[r.pos + 2] << 8) + r.buf[r.pos + 3]; r.pos += 4; return n;
    case 27: {
      need(r, 8);
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(r.buf[r.pos + i]);
      r.pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case 31: throw new MalformedError(start, '', 'indefinite length');
    default: throw new MalformedError(start, '', 'reserved additional information');
  }
}

function readValue(r, depth) {
  const start = r.pos;
  need(r, 1);
  const ib = r.buf[r.pos++];
  const major = ib >> 5, info = ib & 31;
  if (major === 7) {
    // Simple and floating-point values are well-formed (SPEC.md §7 step 3
    // accepts them); no field of the format takes one, so they fail where a
    // field is read, and only unknown extension values can hold them.
    if (ib === 0xf6) return null;
    if (info < 24) return new Simple(ib, info, null);
    if (info === 24) {
      need(r, 1);
      const v = r.buf[r.pos++];
      if (v < 32) throw new MalformedError(start, '', 'simple value in two bytes below 32');
      return new Simple(ib, v, null);
    }
    if (info >= 25 && info <= 27) {
      const n = 1 << (info - 24);
      need(r, n);
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      const dv = new DataView(b.buffer, b.byteOffset, n);
      const f = n === 2 ? half(dv.getUint16(0)) : n === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
      return new Simple(ib, -1, f);
    }
    throw new MalformedError(start, '', 'reserved additional information');
  }
  if (major === 6) {
    if (info > 27 && info !== 31) throw new MalformedError(start, '', 'reserved additional information');
    throw new MalformedError(start, '', 'tagged item');
  }
  const n = readArg(r, info, start);
  switch (major) {
    case 0: return n;
    case 1: return typeof n === 'bigint' || n >= Number.MAX_SAFE_INTEGER ? -1n - BigInt(n) : -1 - n;
    case 2: case 3: {
      if (typeof n === 'bigint' || r.pos + n > r.buf.length) throw new MalformedError(r.pos, '', 'truncated CBOR item');
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      if (major === 2) return b;
      // Invalid UTF-8 makes an item invalid, not ill-formed (RFC 8949
      // §5.3.1): the error comes when the text is used.
      try { return td.decode(b); } catch { return new InvalidText(b, start); }
    }
    case 4: {
      if (depth + 1 > MAX_NESTING) throw new LimitError(start, '', 'CBOR nesting over the limit');
      if (typeof n === 'bigint' || n > MAX_ARRAY) throw new LimitError(start, '', 'CBOR array over the limit');
      const a = [];
      for (let i = 0; i < n; i++) a.push(readValue(r, depth + 1));
      return a;
    }
    case 5: {
      if (depth + 1 > MAX_NESTING) throw new LimitError(start, '', 'CBOR nesting over the limit');
      if (typeof n === 'bigint' || n > MAX_MAP) throw new LimitError(start, '', 'CBOR map over the limit');
      const m = [];
      const seen = new Set();
      for (let i = 0; i < n; i++) {
        const kpos = r.pos;
        const k = readValue(r, depth + 1);
        const kk = keyString(k);
        const v = readValue(r, depth + 1);
        if (seen.has(kk)) throw new MalformedError(kpos, 'ext', 'duplicate map key');
        seen.add(kk);
        m.push([k, v]);
      }
      return { map: m };
    }
  }
  throw new MalformedError(start, '', 'bad CBOR');
}

function keyString(k) {
  if (k instanceof InvalidText) return 'invalid-text:' + bytesKey(k.bytes);
  if (k instanceof Simple) return 'simple:' + k.ib + ':' + k.value + ':' + k.float;
  if (Array.isArray(k) || (k && Array.isArray(k.map))) return 'composite:' + Math.random();
  return bytesKey(encode(k));
}

function bytesKey(b) {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** Simple is a simple value other than null (float === null) or a float. */
export class Simple {
  constructor(ib, value, float) { this.ib = ib; this.value = value; this.float = float; }
}

function half(h) {
  const e = (h >> 10) & 31, m = h & 1023, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}

let HALF = null;
function halfBits(f) {
  if (!HALF) { HALF = new Map(); for (let h = 0; h < 0x7c00; h++) HALF.set(half(h), h); }
  if (Object.is(f, -0)) return 0x8000;
  const a = HALF.get(Math.abs(f));
  return a === undefined ? -1 : a | (f < 0 ? 0x8000 : 0);
}

// writeSimple writes s as a core deterministic encoder does (the Go
// reference re-encodes with fxamacker/cbor CoreDetEncOptions: shortest
// float that keeps the value, NaN as f97e00, undefined as null).
function writeSimple(w, s) {
  if (s.float === null) {
    if (s.value === 23) { w.byte(0xf6); return; }
    if (s.value < 24) w.byte(0xe0 | s.value); else { w.byte(0xf8); w.byte(s.value); }
    return;
  }
  const f = s.float;
  if (Number.isNaN(f)) { w.bytes(Uint8Array.of(0xf9, 0x7e, 0x00)); return; }
  if (!Number.isFinite(f)) { w.bytes(Uint8Array.of(0xf9, f > 0 ? 0x7c : 0xfc, 0x00)); return; }
  const h = halfBits(f);
  if (h >= 0) { w.bytes(Uint8Array.of(0xf9, h >> 8, h & 0xff)); return; }
  const b = new Uint8Array(Math.fround(f) === f ? 5 : 9);
  const dv = new DataView(b.buffer);
  if (b.length === 5) { b[0] = 0xfa; dv.setFloat32(1, f); } else { b[0] = 0xfb; dv.setFloat64(1, f); }
  w.bytes(b);
}

/** InvalidText stands for a text string that is not UTF-8. */
export class InvalidText {
  constructor(bytes, offset) { this.bytes = bytes; this.offset = offset; }
}

/**
 * decodeOne decodes b, which must be exactly one item, checked with limits
 * and canonical (no fault of checkItem's nonCanon). Errors are the codec's
 * classes (MalformedError, LimitError, NonCanonicalError).
 */
export function decodeOne(b, limits) {
  const c = checkItem(b, 0, limits);
  if (c.nonCanon) throw new NonCanonicalError(0, '', 'not in core deterministic encoding');
  if (c.end !== b.length) throw new MalformedError(c.end, '', 'bytes after the item');
  return readItem(b, 0).value;
}

/** Raw is an item already encoded, which Writer.value writes as it is. */
export class Raw { constructor(bytes) { this.bytes = bytes; } }

/** Writer collects bytes. */
export class Writer {
  constructor() { this.buf = new Uint8Array(256); this.len = 0; }
  grow(n) {
    if (this.len + n <= this.buf.length) return;
    let c = this.buf.length * 2;
    while (c < this.len + n) c *= 2;
    const b = new Uint8Array(c);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(x) { this.grow(1); this.buf[this.len++] = x; }
  bytes(b) { this.grow(b.length); this.buf.set(b, this.len); this.len += b.length; }
  head(major, n) {
    const m = major << 5;
    if (typeof n === 'bigint') {
      if (n < 0x100000000n) n = Number(n);
      else {
        this.byte(m | 27);
        for (let i = 7; i >= 0; i--) this.byte(Number((n >> BigInt(8 * i)) & 0xffn));
        return;
      }
    }
    if (n < 24) this.byte(m | n);
    else if (n <= 0xff) { this.byte(m | 24); this.byte(n); }
    else if (n <= 0xffff) { this.byte(m | 25); this.byte(n >> 8); this.byte(n & 0xff); }
    else if (n <= 0xffffffff) { this.byte(m | 26); this.byte(n >>> 24); this.byte((n >> 16) & 0xff); this.byte((n >> 8) & 0xff); this.byte(n & 0xff); }
    else { this.head(major, BigInt(n)); }
  }
  uint(n) { this.head(0, n); }
  int(n) {
    if (typeof n === 'bigint') { if (n < 0n) this.head(1, -1n - n); else this.head(0, n); return; }
    if (n < 0) this.head(1, -1 - n); else this.head(0, n);
  }
  bstr(b) { this.head(2, b.length); this.bytes(b); }
  tstr(s) { const b = te.encode(s); this.head(3, b.length); this.bytes(b); }
  null() { this.byte(0xf6); }
  /** value writes any value readItem returns, deterministically. */
  value(v) {
    if (v === null) this.null();
    else if (v instanceof Raw) this.bytes(v.bytes);
    else if (typeof v === 'number' || typeof v === 'bigint') this.int(v);
    else if (v instanceof Uint8Array) this.bstr(v);
    else if (typeof v === 'string') this.tstr(v);
    else if (Array.isArray(v)) { this.head(4, v.length); for (const x of v) this.value(x); }
    else if (v instanceof Simple) writeSimple(this, v);
    else if (v instanceof InvalidText) throw new MalformedError(v.offset, '', 'text string is not UTF-8');
    else if (v && Array.isArray(v.map)) this.map(v.map.map(([k, x]) => [encode(k), encode(x)]));
    else throw new TypeError('peer-codec: cannot encode value');
  }
  /** map writes pre-encoded [key, value] pairs sorted by key bytes. */
  map(pairs) {
    pairs.sort((a, b) => compareBytes(a[0], b[0]));
    this.head(5, pairs.length);
    for (const [k, v] of pairs) { this.bytes(k); this.bytes(v); }
  }
  result() { return this.buf.slice(0, this.len); }
}

/** encode returns the deterministic encoding of v. */
export function encode(v) {
  const w = new Writer();
  w.value(v);
  return w.result();
}

/** head returns the shortest head of major type major and argument arg. */
export function head(major, arg) {
  const w = new Writer();
  w.head(major, arg);
  return w.result();
}

export function concatBytes(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
