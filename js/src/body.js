// The body's parts shared by the compact and the audio/video forms: ICE
// credential packing (SPEC.md §4.3) and candidate records (§4.5).

import { MalformedError, LimitError } from './errors.js';
import { formatIPv4, formatIPv6, parseIP } from './addr.js';
import { classifyAddress, isCandidateName, credsHex, KIND_IPV4, KIND_IPV6, KIND_MDNS, KIND_NAME } from './sdp.js';

const ICE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// ---- credential packing (§4.3)

function pack(w, s, hex) {
  let acc = 0, bits = 0;
  const width = hex ? 4 : 6;
  for (const ch of s) {
    const v = hex ? parseInt(ch, 16) : ICE.indexOf(ch);
    acc = (acc << width) | v; bits += width;
    while (bits >= 8) { bits -= 8; w.push((acc >> bits) & 0xff); }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) w.push((acc << (8 - bits)) & 0xff);
}

function packedLen(n, hex) { return hex ? (n + 1) >> 1 : Math.floor((6 * n + 7) / 8); }

/** unpack returns n characters from b, or null when padding bits are not zero. */
function unpack(b, n, hex) {
  const width = hex ? 4 : 6;
  let acc = 0, bits = 0, out = '';
  for (const x of b) {
    acc = (acc << 8) | x; bits += 8;
    while (bits >= width && out.length < n) {
      bits -= width;
      const v = (acc >> bits) & ((1 << width) - 1);
      out += hex ? v.toString(16) : ICE[v];
    }
    acc &= (1 << bits) - 1;
  }
  return { s: out, ok: acc === 0 };
}

// ---- candidate records (§4.5)

function portMode(cands, i) {
  const p = cands[i].port;
  if (p === 9) return 3;
  if (i > 0 && p === cands[i - 1].port) return 1;
  if (i > 0 && cands[i - 1].port < 0xffff && p === cands[i - 1].port + 1) return 2;
  return 0;
}

// firstWithAddr returns, for each candidate i, the smallest index j <= i of
// a candidate with the same address, in linear time.
function firstWithAddr(cands) {
  const seen = new Map();
  return cands.map((c, i) => {
    const k = c.kind + ' ' + c.addr;
    if (!seen.has(k)) seen.set(k, i);
    return seen.get(k);
  });
}

function addrBytes(c) {
  if (c.kind === KIND_MDNS) {
    const h = c.addr.slice(0, 36).replace(/-/g, '');
    return Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));
  }
  return parseIP(c.addr).bytes;
}

export function writeCandidates(cands) {
  const out = [];
  const first = firstWithAddr(cands);
  for (let i = 0; i < cands.length;) {
    const c = cands[i];
    let ref = first[i];
    if (ref === i || ref > 127) ref = -1;
    const pm = portMode(cands, i);
    // Extended for tcp-so, a component other than 1, or a name written out
    // (a reference to a name needs none): SPEC.md §4.5 rule 3.
    const ext = c.transport === 3 || c.component !== 1 || (c.kind === KIND_NAME && ref < 0);
    let flags = (c.typ << 6) | pm | ((ext ? 3 : c.transport) << 4);
    const extByte = (name) => (c.transport << 6) | (c.component - 1) | (name ? 0x20 : 0);
    if (ref >= 0) {
      flags |= 3 << 2;
      let n = 1;
      if (!ext && pm !== 0) {
        while (i + n < cands.length && n < 255 && ref + n < i) {
          const d = cands[i + n];
          if (d.typ !== c.typ || d.transport !== c.transport || d.component !== c.component ||
            first[i + n] !== ref + n || portMode(cands, i + n) !== pm) break;
          n++;
        }
      }
      out.push(flags);
      if (n >= 2) { out.push(0x80 | ref, n); i += n; continue; }
      if (ext) out.push(extByte(false));
      out.push(ref);
    } else {
      if (c.kind === KIND_IPV6) flags |= 1 << 2;
      else if (c.kind === KIND_MDNS) flags |= 2 << 2;
      out.push(flags);
      if (ext) out.push(extByte(c.kind === KIND_NAME));
      if (c.kind === KIND_NAME) { out.push(c.addr.length); for (let k = 0; k < c.addr.length; k++) out.push(c.addr.charCodeAt(k)); }
      else out.push(...addrBytes(c));
    }
    if (pm === 0) out.push(c.port >> 8, c.port & 0xff);
    i++;
  }
  return Uint8Array.from(out);
}

function mdnsName(b) {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}.local`;
}

export function readCandidates(b, base, maxCands) {
  const cands = [];
  let off = 0;
  const need = (n) => { if (off + n > b.length) throw new MalformedError(base + b.length, 'candidates', 'record truncated'); };
  while (off < b.length) {
    const start = off;
    const flags = b[off++];
    const c = { typ: flags >> 6, transport: (flags >> 4) & 3, component: 1, kind: 0, addr: '', port: 0 };
    const extended = c.transport === 3;
    const addrBits = (flags >> 2) & 3;
    const pm = flags & 3;
    let name = false;
    if (extended) {
      need(1);
      const e = b[off++];
      if (e & 0x10) throw new MalformedError(base + off - 1, 'candidates', 'reserved bit set in extended byte');
      c.transport = e >> 6;
      name = (e & 0x20) !== 0;
      c.component = (e & 0x0f) + 1;
      if (name && addrBits !== 0) throw new MalformedError(base + start, 'candidates', 'name record with address bits set');
    }
    let count = 1;
    let refs = null;
    if (name) {
      need(1);
      const n = b[off++];
      if (n === 0) throw new MalformedError(base + off - 1, 'candidates', 'empty name');
      need(n);
      let s = '';
      for (let k = 0; k < n; k++) s += String.fromCharCode(b[off + k]);
      off += n;
      const a = classifyAddress(s);
      if (!a || a.kind !== KIND_NAME || !isCandidateName(s)) throw new MalformedError(base + off - n, 'candidates', 'not a name the encoder would write');
      c.kind = KIND_NAME; c.addr = s;
    } else if (addrBits === 0) {
      need(4); c.kind = KIND_IPV4; c.addr = formatIPv4(b.subarray(off, off + 4)); off += 4;
    } else if (addrBits === 1) {
      need(16); c.kind = KIND_IPV6; c.addr = formatIPv6(b.subarray(off, off + 16)); off += 16;
    } else if (addrBits === 2) {
      need(16); c.kind = KIND_MDNS; c.addr = mdnsName(b.subarray(off, off + 16)); off += 16;
    } else {
      need(1);
      let r = b[off++];
      if (r & 0x80) {
        if (extended) throw new MalformedError(base + off - 1, 'candidates', 'run in an extended record');
        need(1);
        count = b[off++];
        if (count < 2 || pm === 0) throw new MalformedError(base + off - 1, 'candidates', 'bad run');
        r &= 0x7f;
      }
      refs = [];
      for (let k = 0; k < count; k++) {
        if (r + k >= cands.length) throw new MalformedError(base + start, 'candidates', 'reference to a later candidate');
        refs.push(r + k);
      }
    }
    for (let k = 0; k < count; k++) {
      const d = { ...c };
      if (refs) { const src = cands[refs[k]]; d.kind = src.kind; d.addr = src.addr; }
      if (pm === 0) { need(2); d.port = (b[off] << 8) | b[off + 1]; off += 2; }
      else if (pm === 3) d.port = 9;
      else {
        if (cands.length === 0) throw new MalformedError(base + start, 'candidates', 'first candidate has a relative port');
        let prev = cands[cands.length - 1].port;
        if (pm === 2) {
          if (prev === 0xffff) throw new MalformedError(base + start, 'candidates', 'port overflows');
          prev++;
        }
        d.port = prev;
      }
      if (d.port === 0 && d.transport !== 1) throw new MalformedError(base + start, 'candidates', 'port 0');
      if (cands.length >= maxCands) throw new LimitError(base + start, 'candidates', `more than ${maxCands} candidates`);
      cands.push(d);
    }
  }
  return cands;
}

// The credentials byte (SPEC.md §4.3): bit 7 hex, bit 6 ICE-lite, bits 0-5
// the length code.
export const CRED_HEX = 0x80, CRED_ICE_LITE = 0x40, CRED_LEN_MASK = 0x3f, MAX_LEN_CODE = 60;
const UFRAG_LENS = [4, 8, 16, 32];

/** lengthCode: 1 + 15a + b for a ufrag of 4·2^a and a pwd of 22 + b characters, else 0. */
function lengthCode(u, p) {
  const a = UFRAG_LENS.indexOf(u);
  return a < 0 || p < 22 || p > 36 ? 0 : 1 + 15 * a + p - 22;
}

/** credByte is the credentials byte of m's ufrag, pwd and ICE-lite flag. */
export function credByte(m) {
  return lengthCode(m.ufrag.length, m.pwd.length) | (credsHex(m.ufrag, m.pwd) ? CRED_HEX : 0) | (m.iceLite ? CRED_ICE_LITE : 0);
}

/**
 * writeCreds appends the credentials byte c, the lengths when c's length
 * code is 0, and the packed ufrag and pwd of m to the array w (SPEC.md §4.2,
 * §4.3).
 */
export function writeCreds(w, m) {
  const c = credByte(m);
  const hex = (c & CRED_HEX) !== 0;
  w.push(c);
  if ((c & CRED_LEN_MASK) === 0) w.push(m.ufrag.length, m.pwd.length);
  pack(w, m.ufrag, hex);
  pack(w, m.pwd, hex);
}

/**
 * readCreds reads what writeCreds writes from body at p, leaving at least
 * tail bytes after it: {ufrag, pwd, iceLite, end, ok} where ok is false when
 * padding bits are not zero (non-canonical, SPEC.md §7 step 8). base is
 * body's offset in the code, for errors.
 */
export function readCreds(body, p, base, tail) {
  if (p >= body.length) throw new MalformedError(base + p, 'body', 'no credentials byte');
  const c = body[p++];
  const hex = (c & CRED_HEX) !== 0, k = c & CRED_LEN_MASK;
  let ulen, plen;
  if (k > MAX_LEN_CODE) throw new MalformedError(base + p - 1, 'body', `reserved length code ${k}`);
  if (k > 0) {
    ulen = UFRAG_LENS[Math.floor((k - 1) / 15)]; plen = 22 + ((k - 1) % 15);
  } else {
    if (body.length - p < 2) throw new MalformedError(base + body.length, 'body', 'truncated credential lengths');
    ulen = body[p]; plen = body[p + 1];
    p += 2;
    if (ulen === 0 || plen === 0) throw new MalformedError(base + p - 2, 'body', 'credential length 0');
  }
  const un = packedLen(ulen, hex), pn = packedLen(plen, hex);
  if (body.length - p < un + pn + tail) throw new MalformedError(base + body.length, 'body', 'truncated credentials or fingerprint');
  const ufrag = unpack(body.subarray(p, p + un), ulen, hex);
  const pwd = unpack(body.subarray(p + un, p + un + pn), plen, hex);
  return { ufrag: ufrag.s, pwd: pwd.s, iceLite: (c & CRED_ICE_LITE) !== 0, end: p + un + pn, ok: ufrag.ok && pwd.ok };
}
