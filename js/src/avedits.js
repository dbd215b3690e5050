// The parts of an audio/video skeleton as line edits of a base (AVFORM §3):
// the encoder's diff and choice of base, and the decoder's application of
// the edits.

import { MalformedError, UnsupportedError, LimitError } from './errors.js';

export const OP_COPY = 0, OP_SKIP = 1, OP_INSERT = 2, OP_END = 3;
export const BASE_EMPTY = 0, BASE_OFFER = 1, BASE_PROFILE = 2;

const MAX_VARINT_BYTES = 4;
const te = new TextEncoder();

/** byteLen is the length of s in bytes of UTF-8. */
export function byteLen(s) {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return te.encode(s).length;
  return s.length;
}

/** putVarint appends v as an unsigned LEB128 varint to the array w. */
export function putVarint(w, v) {
  while (v >= 0x80) { w.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  w.push(v);
}

function varintLen(v) { let n = 1; while (v >= 0x80) { v = Math.floor(v / 128); n++; } return n; }

/**
 * lineIndex maps each line of base p to the increasing list of its indices,
 * for diff; it is made once per base.
 */
export function lineIndex(p) {
  const at = new Map();
  p.forEach((l, k) => { const a = at.get(l); if (a) a.push(k); else at.set(l, [k]); });
  return at;
}

/**
 * diff returns the ops (pairs [kind, n]) that make part s from base p, as
 * AVFORM §3 specifies: copy the longest common run, else skip to the
 * nearest later occurrence of the next line, else insert the longest run of
 * lines that do not occur in the rest of the base. at is lineIndex(p).
 */
export function diff(s, p, at = lineIndex(p)) {
  // next(l, j): the smallest index >= j of line l in the base, or -1.
  const next = (l, j) => {
    const a = at.get(l);
    if (!a || a[a.length - 1] < j) return -1;
    let lo = 0, hi = a.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] >= j) hi = mid; else lo = mid + 1; }
    return a[lo];
  };
  const ops = [];
  let i = 0, j = 0;
  while (i < s.length) {
    if (j < p.length && s[i] === p[j]) {
      let n = 1;
      while (i + n < s.length && j + n < p.length && s[i + n] === p[j + n]) n++;
      ops.push([OP_COPY, n]); i += n; j += n;
      continue;
    }
    const k = next(s[i], j);
    if (k >= 0) { ops.push([OP_SKIP, k - j]); j = k; continue; }
    let n = 1;
    while (i + n < s.length && next(s[i + n], j) < 0) n++;
    ops.push([OP_INSERT, n]); i += n;
  }
  return ops;
}

/**
 * choosePart returns the cheapest coding of part s over bases, a list of
 * {base, index, lines, at} (at: lineIndex(lines)) in tie-break order
 * (AVFORM §3): {bytes, inserted} with bytes the part's edit encoding and
 * inserted its inserted lines.
 */
export function choosePart(s, bases) {
  let best = null;
  for (const b of bases) {
    const ops = diff(s, b.lines, b.at);
    let cost = varintLen(b.base) + (b.base === BASE_OFFER ? varintLen(b.index) : 0) + 1;
    let i = 0;
    for (const [kind, n] of ops) {
      cost += varintLen(((n - 1) * 4) + kind);
      if (kind === OP_INSERT) for (let k = i; k < i + n; k++) cost += byteLen(s[k]) + 1;
      if (kind !== OP_SKIP) i += n;
    }
    if (best === null || cost < best.cost) best = { cost, b, ops };
  }
  const bytes = [];
  putVarint(bytes, best.b.base);
  if (best.b.base === BASE_OFFER) putVarint(bytes, best.b.index);
  const inserted = [];
  let i = 0;
  for (const [kind, n] of best.ops) {
    putVarint(bytes, ((n - 1) * 4) + kind);
    if (kind === OP_INSERT) inserted.push(...s.slice(i, i + n));
    if (kind !== OP_SKIP) i += n;
  }
  bytes.push(OP_END);
  return { bytes, inserted };
}

/**
 * applyEdits rebuilds the skeleton parts from the edits byte string, the
 * inserted lines, the profiles and the offer's skeleton parts (null when
 * the code is an offer, or its offer is not an A/V code). It throws
 * MalformedError, UnsupportedError (a profile this decoder does not know)
 * or LimitError (the skeleton exceeds maxSDP bytes, counting 2 per line).
 * Returns {parts, maxProfile} where maxProfile is the greatest profile
 * number used as a base, or -1.
 */
export function applyEdits(edits, inserted, profiles, offerParts, maxSDP, off) {
  const bad = (at, msg) => new MalformedError(off + at, 'edits', msg);
  let pos = 0;
  const varint = () => {
    let v = 0, mul = 1;
    for (let n = 0; ; n++) {
      if (n === MAX_VARINT_BYTES) throw bad(pos, 'varint longer than 4 bytes');
      if (pos >= edits.length) throw bad(pos, 'truncated part');
      const b = edits[pos++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return v;
    }
  };
  const parts = [];
  let ins = 0, total = 0, maxProfile = -1;
  const add = (part, l) => {
    total += byteLen(l) + 2;
    if (total > maxSDP) throw new LimitError(off + pos, 'edits', `skeleton over the limit of ${maxSDP} bytes`);
    part.push(l);
  };
  while (pos < edits.length) {
    const start = pos;
    const b = varint();
    let base;
    if (b === BASE_EMPTY) base = [];
    else if (b === BASE_OFFER) {
      if (offerParts === null) throw bad(start, 'an offer part as base without an A/V offer');
      const k = varint();
      if (k >= offerParts.length) throw bad(start, 'offer part index out of range');
      base = offerParts[k];
    } else {
      const k = b - BASE_PROFILE;
      if (k >= profiles.length) throw new UnsupportedError(off + start, 'edits', `unknown profile ${k}`);
      base = profiles[k];
      if (k > maxProfile) maxProfile = k;
    }
    const part = [];
    let j = 0;
    for (;;) {
      const at = pos;
      const v = varint();
      if (v === OP_END) break;
      const kind = v & 3, n = Math.floor(v / 4) + 1;
      if (kind === 3) throw bad(at, 'unknown edit operation');
      if (kind === OP_INSERT) {
        if (n > inserted.length - ins) throw bad(at, 'inserts more lines than the text has');
        for (let k = 0; k < n; k++) add(part, inserted[ins++]);
        continue;
      }
      if (n > base.length - j) throw bad(at, 'past the end of the base');
      if (kind === OP_COPY) for (let k = 0; k < n; k++) add(part, base[j + k]);
      j += n;
    }
    parts.push(part);
  }
  if (ins !== inserted.length) throw bad(pos, 'text lines left over');
  return { parts, maxProfile };
}
