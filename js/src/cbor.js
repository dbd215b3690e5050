// A small CBOR reader and deterministic writer (RFC 8949) for the subset the
// format uses (SPEC.md §4.1): unsigned and negative integers, byte and text
// strings, arrays, maps and null. The reader accepts any well-formed
// definite-length encoding of these; canonical form is checked by the caller
// by re-encoding (SPEC.md §7 step 8).

import { MalformedError, LimitError } from './errors.js';

export const MAX_NESTING = 16;
export const MAX_ARRAY = 4096;
export const MAX_MAP = 256;

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
    if (ib === 0xf6) return null;
    throw new MalformedError(start, '', 'simple or floating-point value');
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
      try { return td.decode(b); } catch { throw new MalformedError(start, '', 'text string is not UTF-8'); }
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
  return bytesKey(encode(k));
}

function bytesKey(b) {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

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
    else if (typeof v === 'number' || typeof v === 'bigint') this.int(v);
    else if (v instanceof Uint8Array) this.bstr(v);
    else if (typeof v === 'string') this.tstr(v);
    else if (Array.isArray(v)) { this.head(4, v.length); for (const x of v) this.value(x); }
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

export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
