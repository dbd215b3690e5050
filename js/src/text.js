// Text forms and links (SPEC.md §5).

import { MalformedError, ForeignError, LimitError } from './errors.js';

export const PREFIX_QR = 'P:';
export const PREFIX_LINK = 'P-';
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DEFAULT_MAX_TEXT = 2 * 32768 + 4096;

export function base45Encode(b) {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    const n = (b[i] << 8) | b[i + 1];
    s += B45[n % 45] + B45[Math.floor(n / 45) % 45] + B45[Math.floor(n / 2025)];
  }
  if (b.length % 2 === 1) {
    const n = b[b.length - 1];
    s += B45[n % 45] + B45[Math.floor(n / 45)];
  }
  return s;
}

export function base45Decode(s) {
  if (s.length % 3 === 1) throw new MalformedError(2 + s.length, 'qr', 'Base45 text of length 1 mod 3 is truncated');
  const out = [];
  for (let i = 0; i < s.length; i += 3) {
    const end = Math.min(i + 3, s.length);
    let n = 0, mul = 1;
    for (let j = i; j < end; j++) {
      const v = B45.indexOf(s[j]);
      if (v < 0 || s[j] === undefined) throw new MalformedError(2 + j, 'qr', 'character not in the Base45 alphabet');
      n += v * mul; mul *= 45;
    }
    if (end - i === 3) {
      if (n > 0xffff) throw new MalformedError(2 + i, 'qr', 'Base45 group overflows');
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new MalformedError(2 + i, 'qr', 'Base45 group overflows');
      out.push(n);
    }
  }
  return Uint8Array.from(out);
}

export function base32Encode(b) {
  let s = '', acc = 0, bits = 0;
  for (const x of b) {
    acc = (acc << 8) | x; bits += 8;
    while (bits >= 5) { bits -= 5; s += B32[(acc >> bits) & 31]; }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31];
  return s;
}

function base32Decode(s) {
  const out = [];
  let acc = 0, bits = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B32.indexOf(s[i]);
    if (v < 0) return null;
    acc = (acc << 5) | v; bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
    acc &= (1 << bits) - 1;
  }
  const b = Uint8Array.from(out);
  return base32Encode(b) === s ? b : null;
}

/**
 * formatText returns code in a text form: 'qr' (P: + Base45), 'link'
 * (P- + Base32) or 'bin' (the bytes as a string of code units 0–255).
 */
export function formatText(code, form = 'qr') {
  switch (form) {
    case 'bin': return Array.from(code, (b) => String.fromCharCode(b)).join('');
    case 'link': return PREFIX_LINK + base32Encode(code);
    case 'qr': return PREFIX_QR + base45Encode(code);
  }
  throw new RangeError(`peer-codec: unknown form ${form}`);
}

/** link returns base (without its fragment) + '#' + the link form (SPEC.md §5.3). */
export function link(base, code) {
  const i = base.indexOf('#');
  if (i >= 0) base = base.slice(0, i);
  return base + '#' + formatText(code, 'link');
}

const WS = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;
const te = new TextEncoder();

/**
 * parseText returns the binary code carried by s (SPEC.md §5.4): a qr or
 * link form, a whole link, or the binary code itself (a Uint8Array, or a
 * string of code units 0–255). Throws 'foreign', 'malformed' or 'limit'.
 *
 * A Uint8Array goes through the same steps as text, byte for byte (as the Go
 * reference does): input whose first byte is at most 0x18 is a binary code,
 * other input is trimmed of white space and looked at for a link fragment
 * and a prefix.
 */
export function parseText(s, options = {}) {
  const maxText = options.maxTextBytes || DEFAULT_MAX_TEXT;
  if (s instanceof Uint8Array) {
    // Step 0 counts the bytes given.
    if (s.length > maxText) throw new LimitError(maxText, 'text', 'input over the text limit');
    let t = '';
    for (let i = 0; i < s.length; i += 8192) t += String.fromCharCode(...s.subarray(i, i + 8192));
    s = t;
  } else if (typeof s !== 'string') {
    throw new TypeError('peer-codec: parseText takes a string or a Uint8Array');
  } else if (textBytes(s) > maxText) {
    throw new LimitError(maxText, 'text', 'input over the text limit');
  }
  // A binary code is recognised by its first byte before anything else
  // (SPEC.md §5.4 step 1): its bytes may contain white space or "#P-".
  if (s.length > 0 && s.charCodeAt(0) <= 0x18) {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw new ForeignError(i, '', 'binary code given as a string with a character above U+00FF');
      b[i] = c;
    }
    return b;
  }
  let t = s.replace(WS, '');
  const h = t.lastIndexOf('#');
  if (h >= 0) {
    const frag = t.slice(h + 1);
    if (frag.startsWith(PREFIX_QR) || frag.startsWith(PREFIX_LINK)) t = frag;
  }
  if (t.startsWith(PREFIX_QR)) return base45Decode(t.slice(2));
  if (t.startsWith(PREFIX_LINK)) {
    const b = base32Decode(t.slice(2));
    if (b === null) throw new MalformedError(2, 'link', 'not canonical upper-case Base32');
    return b;
  }
  throw new ForeignError(0, '', 'no "P:" or "P-" prefix and not a binary code');
}

// textBytes is the length of text s in bytes (SPEC.md §5.4 step 0): its
// binary form for a binary code given as a string (first code unit at most
// 0x18, every code unit at most 0xff), else its UTF-8 form.
function textBytes(s) {
  if (s.length > 0 && s.charCodeAt(0) <= 0x18 && !/[^\x00-\xff]/.test(s)) return s.length;
  return te.encode(s).length;
}
