// The parts of an audio/video skeleton as line edits of a base (AVFORM §3):
// the encoder's diff and choice of base, and the decoder's application of
// the edits.

import { MalformedError, UnsupportedError, LimitError } from './errors.js';
import { renameFor, readRename } from './avrename.js';
import { OP_PERM, PERM_VALUE, permLen, permOp, putPerm, readPerm } from './avperm.js';
import { OP_GEN, GEN_COUNT, genValue, isGenValue, genLine, genOf, genMoves } from './avgen.js';
import { OP_MIRROR, MIRROR_CODE, mirrorLines, mirrorAt } from './avmirror.js';
import { OP_VERSION, VERSION_CODE, versionStep, versionLine } from './avversion.js';
import { RENUMBER_WEIGHT, RENUMBER_OFFER_CODE, numTokens, numberedOf, renumbered, renumberAt, renumberAsOfferAt, readRenumber, renumberBound, renumbersProfile, renumberedBy } from './avrenumber.js';

export const OP_COPY = 0, OP_SEEK = 1, OP_INSERT = 2, OP_END = 3, OP_COPY_END = 7, OP_PICK = 4, OP_REPLACE = 5;
export const BASE_EMPTY = 0, BASE_OFFER = 1, BASE_OWN = 2, BASE_PROFILE = 3;

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

const isHead = (l) => l.startsWith('a=rtpmap:') || l.startsWith('a=extmap:');
const isTail = (l) => l.startsWith('a=fmtp:') || l.startsWith('a=rtcp-fb:');
const blockCache = new WeakMap();

/**
 * blocksOf returns the blocks of base p (AVFORM §3, PICK): {heads, ends},
 * the first and end positions of each `a=rtpmap:` line with the `a=fmtp:`
 * and `a=rtcp-fb:` lines after it, of each `a=extmap:` line, and of each
 * `a=fmtp:` line and run of one payload type's `a=rtcp-fb:` lines that no
 * `a=rtpmap:` block holds.
 */
export function blocksOf(p) {
  let b = blockCache.get(p);
  if (b) return b;
  const heads = [], ends = [];
  for (let k = 0; k < p.length; k++) {
    const l = p[k];
    let e = k + 1;
    if (l.startsWith('a=rtpmap:')) while (e < p.length && isTail(p[e])) e++;
    else if (l.startsWith('a=rtcp-fb:')) {
      // Grouped by attribute (Firefox): a run of one payload type's feedback.
      const sp = (l + ' ').indexOf(' '), pt = (l + ' ').slice(0, sp + 1);
      while (e < p.length && p[e].startsWith(pt)) e++;
    } else if (!isHead(l) && !l.startsWith('a=fmtp:')) continue;
    heads.push(k); ends.push(e);
    k = e - 1;
  }
  b = { heads, ends };
  blockCache.set(p, b);
  return b;
}

/**
 * atOrAfter returns the index of the first of the ascending positions list
 * at or after position j (list.length when none); for a base's block heads,
 * the first block whose head is at or after j.
 */
function atOrAfter(list, j) {
  let lo = 0, hi = list.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid] >= j) hi = mid; else lo = mid + 1; }
  return lo;
}

/**
 * pickOp returns [OP_PICK, d, n] when position k of base p (the SEEK
 * target of s[i]) is a block head and the whole block, n lines, equals s
 * from i; d is its distance in blocks from position j. Else null.
 */
function pickOp(s, p, i, j, k) {
  const { heads, ends } = blocksOf(p);
  const t = atOrAfter(heads, k);
  if (t === heads.length || heads[t] !== k) return null;
  const n = ends[t] - k;
  if (n > s.length - i) return null;
  for (let x = 1; x < n; x++) if (s[i + x] !== p[k + x]) return null;
  return [OP_PICK, t - atOrAfter(heads, j), n];
}

/**
 * diff returns the ops (pairs [kind, n]; for SEEK n is the signed move; for
 * PICK [kind, d, lines]) that make part s from base p, as AVFORM §3
 * specifies: copy the longest common run; else take the occurrence of the
 * next line nearest to the base position (the later of two equally near):
 * turn an INSERT n just before into REPLACE n when it is n lines on, else
 * PICK its block when it heads a block that s repeats whole, else seek to it;
 * else insert the longest run of lines that do not occur in the base; then
 * END, or COPY END in place of a last COPY that reaches the base's end. at
 * is lineIndex(p); x is the part's index: an INSERT of one line that is a
 * generated line of the part (avgen.js) is a GEN; mirror is the MIRROR's
 * lines (avmirror.js), which it writes where they start an INSERT.
 */
export function diff(s, p, at = lineIndex(p), x = 0, mirror = []) {
  const ops = [];
  let i = 0, j = 0;
  while (i < s.length) {
    if (j < p.length && s[i] === p[j]) {
      let n = 1;
      while (i + n < s.length && j + n < p.length && s[i + n] === p[j + n]) n++;
      ops.push([OP_COPY, n]); i += n; j += n;
      continue;
    }
    const occ = at.get(s[i]);
    if (occ) {
      // The occurrence nearest to j, the later of two equally near.
      const lo = atOrAfter(occ, j);
      let k;
      if (lo === occ.length) k = occ[lo - 1];
      else if (lo === 0) k = occ[0];
      else k = occ[lo] - j <= j - occ[lo - 1] ? occ[lo] : occ[lo - 1];
      const last = ops[ops.length - 1];
      if (last && last[0] === OP_INSERT && k - j === last[1]) { last[0] = OP_REPLACE; j = k; continue; }
      const pick = pickOp(s, p, i, j, k);
      if (pick) {
        // A PERM in place of the PICK when it saves a byte.
        const { heads, ends } = blocksOf(p);
        const t0 = atOrAfter(heads, j);
        const perm = permOp(s, p, i, j, heads, ends, t0);
        if (perm) { ops.push(perm); i += perm[2]; j = ends[t0 + perm[1] - 1]; continue; }
        ops.push(pick); i += pick[2]; j = k + pick[2]; continue;
      }
      ops.push([OP_SEEK, k - j]); j = k;
      continue;
    }
    if (mirrorAt(s, i, mirror)) { ops.push([OP_MIRROR, MIRROR_CODE + 2, mirror.length]); i += mirror.length; continue; }
    const d = x === 0 && j < p.length ? versionStep(s[i], p[j]) : 0;
    if (d > 0) { ops.push([OP_VERSION, d, 1]); i++; j++; continue; }
    let n = 1;
    while (i + n < s.length && !at.has(s[i + n])) n++;
    const g = n === 1 ? genOf(s[i], x) : -1;
    if (g >= 0) {
      ops.push([OP_GEN, g]); i++;
      if (genMoves(g, p, j)) j++;
      continue;
    }
    ops.push([OP_INSERT, n]); i += n;
  }
  const last = ops.length - 1;
  if (last >= 0 && ops[last][0] === OP_COPY && j === p.length) ops[last][0] = OP_COPY_END;
  else ops.push([OP_END, 0]);
  return ops;
}

/** opValue is the varint value of an op. */
function opValue(kind, n) {
  if (kind === OP_END || kind === OP_COPY_END) return kind;
  if (kind === OP_PICK) return ((n < 0 ? -2 * n - 1 : 2 * n) + 3 + GEN_COUNT) * 4 + 3;
  if (kind === OP_GEN) return genValue(n);
  if (kind === OP_INSERT || kind === OP_REPLACE) return (2 * (n - 1) + (kind === OP_REPLACE ? 1 : 0)) * 4 + OP_INSERT;
  if (kind !== OP_SEEK) return (n - 1) * 4 + kind;
  return (n > 0 ? 2 * (n - 1) : -2 * n - 1) * 4 + kind;
}

/** hasRef reports whether a skeleton line holds an identifier reference (0x0F or 0x12). */
const hasRef = (l) => l.includes('\x0f') || l.includes('\x12');

/** hasIndex reports whether base number b is followed by a part index. */
const hasIndex = (b) => b === BASE_OFFER || b === BASE_OWN;

/**
 * editCost is the cost of coding part s as ops over base b (choosePart):
 * the bytes of its base number, part index and rename, RENUMBER_WEIGHT
 * times those of a RENUMBER, those of its ops, and those of its inserted
 * lines each with its LF.
 */
function editCost(s, b, ops) {
  let cost = varintLen(b.base);
  if (hasIndex(b.base)) cost += varintLen(b.w) + b.payload.length;
  else if (b.payload) cost += RENUMBER_WEIGHT * b.payload.length;
  let i = 0;
  for (const [kind, n, lines] of ops) {
    cost += kind === OP_MIRROR ? 2 : kind === OP_VERSION ? 2 + varintLen(n) : kind === OP_PERM ? permLen(n) : varintLen(opValue(kind, n));
    if (kind === OP_INSERT || kind === OP_REPLACE) for (let k = i; k < i + n; k++) cost += byteLen(s[k]) + 1;
    if (kind === OP_PICK || kind === OP_PERM || kind === OP_MIRROR || kind === OP_VERSION) i += lines;
    else if (kind === OP_GEN) i++;
    else if (kind !== OP_SEEK) i += n;
  }
  return cost;
}

/**
 * lacking is the bytes (each with its LF) of the lines of part s that
 * every renumbering of a base with line index at lacks: those without a
 * number (toks[i], numTokens) that the base lacks, that no GEN makes and
 * no MIRROR holds. Renumbering changes no line without a number and makes
 * none, so a diff inserts each of them.
 */
function lacking(s, toks, at, x, mirror) {
  let n = 0;
  s.forEach((l, i) => {
    if (toks[i].length === 0 && !at.has(l) && genOf(l, x) < 0 && !mirror.includes(l)) n += byteLen(l) + 1;
  });
  return n;
}

/**
 * choosePart returns the cheapest coding of part s over bases, a list of
 * {base, index, lines, at} (at: lineIndex(lines)) in tie-break order
 * (AVFORM §3): {bytes, inserted} with bytes the part's edit encoding and
 * inserted its inserted lines. x is the part's index, offerParts the
 * offer's skeleton parts (null when none), for MIRROR. A part as base is
 * followed by the part renamed (avrename.js), a profile by the profile
 * renumbered (avrenumber.js), whose payload counts RENUMBER_WEIGHT times,
 * and then, in an answer whose offer's part x was coded against a
 * renumbered profile (mo, its renumbering; null when none), by the profile
 * renumbered as the offer (RENUMBER AS OFFER).
 */
export function choosePart(s, bases, x, offerParts = null, mo = null) {
  const mirror = offerParts !== null && x < offerParts.length ? mirrorLines(offerParts[x]) : [];
  let best = null;
  const consider = (b) => {
    const ops = diff(s, b.lines, b.at, x, mirror);
    const cost = editCost(s, b, ops);
    if (best === null || cost < best.cost) best = { cost, b, ops };
  };
  let toks = null, st = null; // the part's numbers, found when first needed
  let low = -1; // the least renumberBound of the profiles so far
  for (const b of bases) {
    if (!hasIndex(b.base)) {
      consider(b);
      if (b.base < BASE_PROFILE) continue;
      if (toks === null) { toks = s.map(numTokens); st = numberedOf(s, toks); }
      // Renumbered only when its bound is less than every earlier profile's.
      const bound = renumberBound(s, toks, b.base - BASE_PROFILE, b.at);
      if (low >= 0 && bound >= low) continue;
      low = bound;
      // The profile renumbered, only when its least cost beats the best so far.
      const least = varintLen(b.base) + 1 + lacking(s, toks, b.at, x, mirror);
      const r = least + RENUMBER_WEIGHT * 5 < best.cost ? renumbered(b.base - BASE_PROFILE, st) : null;
      if (r !== null && least + RENUMBER_WEIGHT * r.payload.length < best.cost) {
        const lines = r.lines();
        consider({ base: b.base, payload: r.payload, lines, at: lineIndex(lines) });
      }
      // Then renumbered as the offer's part x.
      if (mo !== null && least + RENUMBER_WEIGHT * 2 < best.cost && renumbersProfile(mo, b.base - BASE_PROFILE)) {
        const lines = renumberedBy(b.base - BASE_PROFILE, mo);
        consider({ base: b.base, payload: [PERM_VALUE, RENUMBER_OFFER_CODE], lines, at: lineIndex(lines) });
      }
      continue;
    }
    // A part as base, then the same part renamed (avrename.js).
    consider({ base: b.base, w: 2 * b.index, payload: [], lines: b.lines, at: b.at });
    // Renamed only when the base lacks a line of s that holds a reference.
    const r = s.some((l) => hasRef(l) && !b.at.has(l)) ? renameFor(b.lines, s) : null;
    if (r !== null) consider({ base: b.base, w: 2 * b.index + 1, payload: r.payload, lines: r.lines, at: lineIndex(r.lines) });
  }
  const bytes = [];
  putVarint(bytes, best.b.base);
  if (hasIndex(best.b.base)) putVarint(bytes, best.b.w);
  if (best.b.payload) bytes.push(...best.b.payload);
  const inserted = [];
  let i = 0;
  for (const [kind, n, lines, rank] of best.ops) {
    if (kind === OP_PERM) putPerm(bytes, n, rank);
    else if (kind === OP_MIRROR) bytes.push(PERM_VALUE, MIRROR_CODE);
    else if (kind === OP_VERSION) { bytes.push(PERM_VALUE, VERSION_CODE); putVarint(bytes, n); }
    else putVarint(bytes, opValue(kind, n));
    if (kind === OP_INSERT || kind === OP_REPLACE) inserted.push(...s.slice(i, i + n));
    if (kind === OP_PICK || kind === OP_PERM || kind === OP_MIRROR || kind === OP_VERSION) i += lines;
    else if (kind === OP_GEN) i++;
    else if (kind !== OP_SEEK) i += n;
  }
  return { bytes, inserted, copyEnd: best.ops[best.ops.length - 1][0] === OP_COPY_END };
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
export function applyEdits(edits, inserted, profiles, offerParts, maxSDP, off, offerMaps = null) {
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
  const takeBytes = (k) => {
    if (edits.length - pos < k) return null;
    pos += k;
    return edits.subarray(pos - k, pos);
  };
  const parts = [], maps = []; // maps[x]: part x's RENUMBER's renumbering, null when none
  let ins = 0, total = 0, maxProfile = -1;
  const add = (part, l) => {
    total += byteLen(l) + 2;
    if (total > maxSDP) throw new LimitError(off + pos, 'edits', `skeleton over the limit of ${maxSDP} bytes`);
    part.push(l);
  };
  // A renamed or renumbered base is a copy: its lines count toward the skeleton's size.
  const copied = (out) => {
    for (const l of out) total += byteLen(l) + 2;
    if (total > maxSDP) throw new LimitError(off + pos, 'edits', `skeleton and copied bases over the limit of ${maxSDP} bytes`);
    return out;
  };
  const renamed = (bl, start) => {
    const out = readRename(varint, bl);
    if (out === null) throw bad(start, 'a rename of a rank the base lacks');
    return copied(out);
  };
  while (pos < edits.length) {
    const start = pos;
    const b = varint();
    let base, map = null;
    if (b === BASE_EMPTY) base = [];
    else if (b === BASE_OFFER) {
      if (offerParts === null) throw bad(start, 'an offer part as base without an A/V offer');
      const w = varint();
      if (Math.floor(w / 2) >= offerParts.length) throw bad(start, 'offer part index out of range');
      base = offerParts[Math.floor(w / 2)];
      if (w % 2 === 1) base = renamed(base, start);
    } else if (b === BASE_OWN) {
      const w = varint();
      if (Math.floor(w / 2) >= parts.length) throw bad(start, 'part index out of range');
      base = parts[Math.floor(w / 2)];
      if (w % 2 === 1) base = renamed(base, start);
    } else {
      const k = b - BASE_PROFILE;
      if (k >= profiles.length) throw new UnsupportedError(off + start, 'edits', `unknown profile ${k}`);
      base = profiles[k];
      if (k > maxProfile) maxProfile = k;
      if (renumberAt(edits, pos)) {
        pos += 2;
        const r = readRenumber(varint, base);
        if (typeof r === 'string') throw bad(start, r);
        base = copied(r.lines);
        map = r.map;
      } else if (renumberAsOfferAt(edits, pos)) {
        pos += 2;
        const mo = offerMaps?.[parts.length] ?? null;
        if (mo === null || !renumbersProfile(mo, k)) throw bad(start, 'RENUMBER AS OFFER without an offer\'s renumbering that changes the profile');
        base = copied(renumberedBy(k, mo));
      }
    }
    const part = [];
    let j = 0;
    for (;;) {
      const at = pos;
      const v = pos === edits.length ? OP_COPY_END : varint(); // implied at the end of the edits
      if (v === OP_END) break;
      if (v === OP_COPY_END) {
        for (let k = j; k < base.length; k++) add(part, base[k]);
        break;
      }
      const kind = v & 3, n = Math.floor(v / 4) + 1;
      if (v === PERM_VALUE) {
        const back = pos;
        const code = varint();
        if (code === VERSION_CODE) {
          // VERSION: the base's o= line with its session version plus d.
          const d = varint();
          if (parts.length !== 0) throw bad(at, 'VERSION outside the session part');
          if (j >= base.length) throw bad(at, 'VERSION at the base\'s end');
          const l = versionLine(base[j], d);
          if (l === null) throw bad(at, 'VERSION of no o= line with a session version, of 0, or past 999999999');
          add(part, l);
          j++;
          continue;
        }
        if (code === MIRROR_CODE) {
          // MIRROR: the offer part's rid and simulcast lines, directions reversed.
          const x = parts.length;
          if (offerParts === null || x >= offerParts.length) throw bad(at, 'MIRROR without an offer part');
          const m = mirrorLines(offerParts[x]);
          if (m.length === 0) throw bad(at, 'MIRROR of an offer part without rid and simulcast lines');
          for (const l of m) add(part, l);
          continue;
        }
        pos = back;
        const { heads, ends } = blocksOf(base);
        const r = readPerm(varint, takeBytes, base, heads, ends, atOrAfter(heads, j));
        if (typeof r === 'string') throw bad(at, r);
        for (const l of r.lines) add(part, l);
        j = r.next;
        continue;
      }
      if (isGenValue(v)) {
        const g = (v - 3) / 4 - 3, l = genLine(g, parts.length);
        if (l === null) throw bad(at, 'GEN of an a=mid: line in the session part');
        add(part, l);
        if (genMoves(g, base, j)) j++;
        continue;
      }
      if (kind === 3) {
        // PICK: z = m − 8 (after END, COPY END, PERM and the five GENs), the zigzag of the distance in blocks.
        const z = n - 4 - GEN_COUNT, d = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        const { heads, ends } = blocksOf(base);
        const t = atOrAfter(heads, j) + d;
        if (t < 0 || t >= heads.length) throw bad(at, 'PICK of a block outside the base');
        for (let k = heads[t]; k < ends[t]; k++) add(part, base[k]);
        j = ends[t];
        continue;
      }
      if (kind === OP_INSERT) {
        // m = n − 1 even: INSERT m/2 + 1; odd: REPLACE (m + 1)/2, which also
        // moves the base position past as many lines.
        const count = Math.floor((n + 1) / 2);
        if (count > inserted.length - ins) throw bad(at, 'inserts more lines than the text has');
        if (n % 2 === 0 && count >= base.length - j) throw bad(at, 'REPLACE past the end of the base');
        for (let k = 0; k < count; k++) add(part, inserted[ins++]);
        if (n % 2 === 0) j += count;
        continue;
      }
      if (kind === OP_SEEK) {
        // m = n − 1: m/2 + 1 forward when m is even, (m + 1)/2 back when odd.
        const d = n % 2 === 1 ? (n + 1) / 2 : -n / 2;
        if (j + d < 0 || j + d >= base.length) throw bad(at, 'SEEK outside the base');
        j += d;
        continue;
      }
      if (n > base.length - j) throw bad(at, 'past the end of the base');
      for (let k = 0; k < n; k++) add(part, base[j + k]);
      j += n;
    }
    parts.push(part);
    maps.push(map);
  }
  if (ins !== inserted.length) throw bad(pos, 'text lines left over');
  return { parts, maxProfile, maps };
}
