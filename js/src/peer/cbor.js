// Strict CBOR for the identity messages of IDENTITY.md (§3.1: core
// deterministic encoding, RFC 8949 §4.2.1): a reader that accepts only
// canonical, definite-length, untagged items within the limits of ref/peer
// (nesting 8, 64 array elements, 64 map pairs), and the writer of the same
// encoding. The codec has its own CBOR (src/cbor.js); this one is the
// identity layer's, as in Go (ref/peer/wire.go beside codec/).

/** CBORError: the bytes are not one canonical item of this subset. */
export class CBORError extends Error {}

/** Float is a decoded floating-point value (kept apart from integers). */
export class Float { constructor(v) { this.value = v; } }
/** Simple is a decoded simple value other than false, true, null, undefined. */
export class Simple { constructor(v) { this.value = v; } }

const MAX_DEPTH = 8, MAX_ITEMS = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

function f16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}

// preferredWidth is the byte width of a float's preferred serialization
// (RFC 8949 §4.1): the shortest of 2, 4, 8 that keeps its value.
function preferredWidth(v) {
  if (Number.isNaN(v)) return 2;
  if (Math.fround(v) !== v) return 8;
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v);
  const bits = dv.getUint32(0), e = (bits >>> 23) & 255, m = bits & 0x7fffff;
  if (e === 255 || v === 0) return 2; // infinities, zeros
  const exp = e - 127;
  if (exp >= -14 && exp <= 15 && (m & 0x1fff) === 0) return 2; // normal half
  if (exp >= -24 && exp < -14) { // subnormal half: m's low bits must vanish
    const shift = -14 - exp + 13;
    if (((m | 0x800000) & ((1 << shift) - 1)) === 0) return 2;
  }
  return 4;
}

class Reader {
  constructor(b) { this.b = b; this.off = 0; }

  need(n) {
    if (this.off + n > this.b.length) throw new CBORError('cbor: truncated');
  }

  // head reads an item's head: major type and argument (a number, or a
  // BigInt above 2^53 - 1), shortest form only.
  head() {
    this.need(1);
    const ib = this.b[this.off++], major = ib >> 5, info = ib & 31;
    if (info < 24) return { major, info, arg: info };
    if (info > 27) throw new CBORError('cbor: indefinite length or reserved head');
    const n = 1 << (info - 24);
    this.need(n);
    let big = 0n;
    for (let i = 0; i < n; i++) big = (big << 8n) | BigInt(this.b[this.off + i]);
    this.off += n;
    if (major !== 7 && ((n === 1 && big < 24n) || (n > 1 && big < 1n << BigInt(4 * n)))) {
      throw new CBORError('cbor: not the shortest head');
    }
    const arg = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    return { major, info, arg, n, big };
  }

  bytes(len) {
    if (typeof len !== 'number') throw new CBORError('cbor: string too long');
    this.need(len);
    const out = this.b.subarray(this.off, this.off + len);
    this.off += len;
    return out;
  }

  item(depth = 0) {
    const start = this.off;
    const { major, info, arg, n, big } = this.head();
    switch (major) {
      case 0: return arg;
      case 1: return typeof arg === 'number' && arg < Number.MAX_SAFE_INTEGER ? -1 - arg : -1n - BigInt(arg);
      case 2: return this.bytes(arg);
      case 3:
        try { return utf8.decode(this.bytes(arg)); } catch (e) {
          if (e instanceof CBORError) throw e;
          throw new CBORError('cbor: text string not UTF-8');
        }
      case 4: {
        if (depth + 1 > MAX_DEPTH) throw new CBORError('cbor: nested too deep');
        if (typeof arg !== 'number' || arg > MAX_ITEMS) throw new CBORError('cbor: array too long');
        const a = [];
        for (let i = 0; i < arg; i++) a.push(this.item(depth + 1));
        return a;
      }
      case 5: {
        if (depth + 1 > MAX_DEPTH) throw new CBORError('cbor: nested too deep');
        if (typeof arg !== 'number' || arg > MAX_ITEMS) throw new CBORError('cbor: map too large');
        const m = new Map();
        let prev = null;
        for (let i = 0; i < arg; i++) {
          const k0 = this.off;
          const k = this.item(depth + 1);
          const kb = this.b.subarray(k0, this.off);
          if (prev && compareBytes(prev, kb) >= 0) throw new CBORError('cbor: map keys not in canonical order, or repeated');
          prev = kb;
          m.set(typeof k === 'object' ? kb : k, this.item(depth + 1));
        }
        return m;
      }
      case 6: throw new CBORError('cbor: tags are not allowed');
      default: {
        if (info < 24) {
          if (arg === 20) return false;
          if (arg === 21) return true;
          if (arg === 22) return null;
          if (arg === 23) return undefined;
          return new Simple(arg);
        }
        if (info === 24) {
          if (arg < 32) throw new CBORError('cbor: simple value not in its shortest form');
          return new Simple(arg);
        }
        const dv = new DataView(this.b.buffer, this.b.byteOffset + start + 1, n);
        const v = n === 2 ? f16(dv.getUint16(0)) : n === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
        if (preferredWidth(v) !== n) throw new CBORError('cbor: float not in its shortest form');
        if (Number.isNaN(v) && big !== 0x7e00n) throw new CBORError('cbor: NaN not 0xf97e00');
        return new Float(v);
      }
    }
  }
}

/** decodeOne decodes b, which must be exactly one canonical item. */
export function decodeOne(b) {
  const r = new Reader(b);
  const v = r.item();
  if (r.off !== b.length) throw new CBORError('cbor: bytes after the item');
  return v;
}

/**
 * decodeSequence decodes b as a CBOR sequence (RFC 8742) of canonical
 * items and returns [{value, bytes}] (each item's own bytes).
 */
export function decodeSequence(b) {
  const r = new Reader(b), out = [];
  while (r.off < b.length) {
    const s = r.off;
    out.push({ value: r.item(), bytes: b.subarray(s, r.off) });
  }
  return out;
}

export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** head returns the shortest head of major type major and argument arg. */
export function head(major, arg) {
  const m = major << 5;
  const v = BigInt(arg);
  if (v < 24n) return Uint8Array.of(m | Number(v));
  const n = v < 256n ? 1 : v < 65536n ? 2 : v < 1n << 32n ? 4 : 8;
  const out = new Uint8Array(1 + n);
  out[0] = m | (24 + Math.log2(n));
  for (let i = 0; i < n; i++) out[n - i] = Number((v >> BigInt(8 * i)) & 255n);
  return out;
}

/**
 * encode writes v canonically: a number or BigInt (integers), a
 * Uint8Array (byte string), a string (text), an Array, or a Raw (bytes
 * already encoded).
 */
export function encode(v) {
  const parts = [];
  const walk = (x) => {
    if (x instanceof Raw) parts.push(x.bytes);
    else if (typeof x === 'number' || typeof x === 'bigint') {
      parts.push(x < 0 ? head(1, -1n - BigInt(x)) : head(0, x));
    } else if (x instanceof Uint8Array) parts.push(head(2, x.length), x);
    else if (typeof x === 'string') { const b = enc.encode(x); parts.push(head(3, b.length), b); } else if (Array.isArray(x)) { parts.push(head(4, x.length)); x.forEach(walk); } else throw new TypeError('cbor: cannot encode ' + typeof x);
  };
  walk(v);
  return concatBytes(parts);
}

/** Raw is an item already encoded, written as it is. */
export class Raw { constructor(bytes) { this.bytes = bytes; } }

export function concatBytes(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
