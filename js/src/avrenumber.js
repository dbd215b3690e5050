// Renumbered profiles (AVFORM §14.5): a part codes against a registry
// profile whose payload types and header extension ids are renumbered.
// RENUMBER follows the profile's base number: the varints 11 17, then for
// payload types and then for extension ids a varint count of pairs and
// each pair (from, to) as two varints, ascending by from.

import { PROFILES } from './avprofiles.js';
import { PERM_VALUE } from './avperm.js';
import { putUvarint } from './avrename.js';

/** RENUMBER_CODE follows PERM's varint in place of a PERM's n − 2. */
export const RENUMBER_CODE = 17;
/** RENUMBER_OFFER_CODE, RENUMBER AS OFFER's, is the next. */
export const RENUMBER_OFFER_CODE = 18;
/** RENUMBER_WEIGHT is what each byte of a RENUMBER counts in a base's cost. */
export const RENUMBER_WEIGHT = 10;

const NUM_PT = 0, NUM_EXT = 1;
const NUM_LIMIT = [128, 256];

/** NumMap is a renumbering: to[kind][n] is what n becomes, -1 when it stays. */
class NumMap {
  constructor() {
    this.to = [new Int16Array(256).fill(-1), new Int16Array(256).fill(-1)];
    this.pairs = [0, 0];
  }

  /** set records from → to of kind when neither is in a pair of that kind; it reports whether it did. */
  set(kind, from, to) {
    if (this.to[kind][from] >= 0 || this.target(kind, to) >= 0) return false;
    this.to[kind][from] = to;
    this.pairs[kind]++;
    return true;
  }

  /** target returns the number whose pair of kind ends at n, -1 for none. */
  target(kind, n) { return this.to[kind].indexOf(n); }
}

const isDigit = (c) => c >= 48 && c <= 57;

/**
 * numAt reads a number of kind at l[k]: a decimal without leading zeros
 * below the kind's limit, ending at end (the first character no digit).
 */
function numAt(l, k, kind) {
  let end = k;
  while (end < l.length && isDigit(l.charCodeAt(end))) end++;
  if (end === k || end - k > 3 || (l[k] === '0' && end - k > 1)) return { n: 0, end, ok: false };
  const n = Number(l.slice(k, end));
  return { n, end, ok: n < NUM_LIMIT[kind] };
}

const HEADS = [['a=rtpmap:', NUM_PT], ['a=fmtp:', NUM_PT], ['a=rtcp-fb:', NUM_PT], ['a=extmap:', NUM_EXT]];

/**
 * numTokens returns the numbers of a line that renumbering replaces, left
 * to right, each {kind, n, start, end}: the payload type after `a=rtpmap:`,
 * `a=fmtp:` or `a=rtcp-fb:` (ending at SP or the line's end), in an
 * `a=fmtp:` line's parameters the value of `apt=` and each number of a
 * parameter of two or more numbers joined by `/`; the id after `a=extmap:`
 * (ending at `/`, SP or the line's end).
 */
export function numTokens(l) {
  const out = [];
  const h = HEADS.find(([p]) => l.startsWith(p));
  if (h === undefined) return out;
  const [prefix, kind] = h, k = prefix.length;
  const { n, end, ok } = numAt(l, k, kind);
  if (ok && (end === l.length || l[end] === ' ' || (kind === NUM_EXT && l[end] === '/'))) out.push({ kind, n, start: k, end });
  if (prefix !== 'a=fmtp:') return out;
  const sp = l.indexOf(' ');
  if (sp < 0) return out;
  for (let p = sp + 1; p <= l.length;) {
    let e = l.indexOf(';', p);
    if (e < 0) e = l.length;
    paramTokens(out, l, p, e);
    p = e + 1;
  }
  return out;
}

/** paramTokens appends the numbers of the fmtp parameter l[p:e] (numTokens). */
function paramTokens(out, l, p, e) {
  if (l.slice(p, e).startsWith('apt=')) {
    const { n, end, ok } = numAt(l, p + 4, NUM_PT);
    if (ok && end === e) out.push({ kind: NUM_PT, n, start: p + 4, end });
    return;
  }
  const found = [];
  for (let k = p; ;) {
    const { n, end, ok } = numAt(l, k, NUM_PT);
    if (!ok || (end !== e && l[end] !== '/') || end > e) return;
    found.push({ kind: NUM_PT, n, start: k, end });
    if (end === e) break;
    k = end + 1;
  }
  if (found.length >= 2) out.push(...found);
}

/** rewrite returns l with each of its numbers toks replaced by f(t) (null keeps it). */
function rewrite(l, toks, f) {
  let out = '', last = 0, changed = false;
  for (const t of toks) {
    const s = f(t);
    if (s === null) continue;
    out += l.slice(last, t.start) + s;
    last = t.end;
    changed = true;
  }
  return changed ? out + l.slice(last) : l;
}

/** renumber returns the lines with m applied to every number at once; toks[i] is numTokens(lines[i]). */
function renumber(lines, m, toks = lines.map(numTokens)) {
  return lines.map((l, i) => rewrite(l, toks[i], (t) => {
    const to = m.to[t.kind][t.n];
    return to >= 0 ? String(to) : null;
  }));
}

/**
 * numberedOf returns what a part's numbers name, in the order of their
 * heads, each {kind, n, lines, toks} (toks[i] the numTokens of lines[i]):
 * a header extension (its `a=extmap:` line) or a codec (its `a=rtpmap:`
 * line, then the `a=fmtp:` and `a=rtcp-fb:` lines whose first number is
 * its payload type, in line order).
 */
export function numberedOf(lines, toks = lines.map(numTokens)) {
  const out = [], at = new Map(), loose = [];
  lines.forEach((l, i) => {
    const lt = toks[i];
    if (lt.length === 0 || lt[0].start !== l.indexOf(':') + 1) return;
    const t = lt[0];
    if (t.kind === NUM_EXT) out.push({ kind: NUM_EXT, n: t.n, lines: [l], toks: [lt] });
    else if (l.startsWith('a=rtpmap:')) {
      if (!at.has(t.n)) { at.set(t.n, out.length); out.push({ kind: NUM_PT, n: t.n, lines: [l], toks: [lt] }); }
    } else loose.push(i);
  });
  for (const i of loose) {
    const x = at.get(toks[i][0].n);
    if (x !== undefined) { out[x].lines.push(lines[i]); out[x].toks.push(toks[i]); }
  }
  return out;
}

/**
 * keyOf returns the key of a numbered thing: an extension's line after its
 * id; a codec's lines, each followed by LF, its own payload type written
 * `*` and every other payload type y written inv(y).
 */
function keyOf(nb, inv) {
  if (nb.kind === NUM_EXT) {
    const l = nb.lines[0];
    return l.slice(numAt(l, 'a=extmap:'.length, NUM_EXT).end);
  }
  let key = '';
  for (const [i, l] of nb.lines.entries()) {
    key += rewrite(l, nb.toks[i], (t) => {
      if (t.n === nb.n) return '*';
      const y = inv(t.n);
      return y !== t.n ? String(y) : null;
    }) + '\n';
  }
  return key;
}

/** thingOf returns nb with its key and, for a codec, its head's key. */
function thingOf(nb, inv) {
  const key = keyOf(nb, inv);
  return { kind: nb.kind, n: nb.n, key, head: nb.kind === NUM_PT ? key.slice(0, key.indexOf('\n') + 1) : '' };
}

const profileNums = [];

/** profileNumbered returns profile k's numbers: {toks, things}, its lines' numTokens and its numbered things, keyed. */
function profileNumbered(k) {
  if (profileNums[k] === undefined) {
    const toks = PROFILES[k].map(numTokens);
    profileNums[k] = { toks, things: numberedOf(PROFILES[k], toks).map((nb) => thingOf(nb, (y) => y)) };
  }
  return profileNums[k];
}

/**
 * renumberFor returns the renumbering of a profile of things pt for the
 * part of numbered things st, or null when it has no pair: each thing of
 * the part matched to an untaken thing of the profile of the same kind, by
 * key (the keys made with the pairs found so far) and then, for the codecs
 * left, by head; the first such thing with the part's number, else the
 * first; a pair where the numbers differ.
 */
function renumberFor(pt, st) {
  const m = new NumMap(), used = new Array(pt.length).fill(false);
  const back = (y) => { const f = m.target(NUM_PT, y); return f >= 0 ? f : y; };
  const match = (th, byHead) => {
    let pick = -1;
    for (let u = 0; u < pt.length; u++) {
      if (used[u] || pt[u].kind !== th.kind || (byHead ? pt[u].head !== th.head : pt[u].key !== th.key)) continue;
      if (pick < 0) pick = u;
      if (pt[u].n === th.n) { pick = u; break; }
    }
    if (pick < 0) return false;
    used[pick] = true;
    if (pt[pick].n !== th.n) m.set(th.kind, pt[pick].n, th.n);
    return true;
  };
  const left = [];
  for (const nb of st) {
    const th = thingOf(nb, back);
    if (!match(th, false) && th.kind === NUM_PT) left.push(th);
  }
  for (const th of left) match(th, true);
  return m.pairs[NUM_PT] + m.pairs[NUM_EXT] > 0 ? m : null;
}

/**
 * PAIR_GAP_MAX is the greatest gap a pair's varint holds itself: a pair
 * z → x after a pair z' → x' has the gap z − z' − 1 (z' = −1 before the
 * first pair) and the shift x − z; a stack that renumbered its codecs
 * moved most of them by the shift of the one before, in order.
 */
const PAIR_GAP_MAX = 7;

/**
 * renumberPayload returns the bytes of the RENUMBER of m: per kind the
 * count of pairs, then each pair, ascending, as the varint
 * 8·zigzag(its change of shift) + min(gap, 7), and the varint gap − 7 after
 * it when the gap is 7 or more.
 */
function renumberPayload(m) {
  const w = [PERM_VALUE, RENUMBER_CODE];
  for (let kind = 0; kind < 2; kind++) {
    putUvarint(w, m.pairs[kind]);
    let last = -1, shift = 0;
    m.to[kind].forEach((t, f) => {
      if (t < 0) return;
      const gap = f - last - 1, d = t - f - shift;
      putUvarint(w, (d >= 0 ? 2 * d : -2 * d - 1) * 8 + Math.min(gap, PAIR_GAP_MAX));
      if (gap >= PAIR_GAP_MAX) putUvarint(w, gap - PAIR_GAP_MAX);
      last = f;
      shift = t - f;
    });
  }
  return w;
}

/**
 * renumbered returns the renumbering of profile k for the part whose
 * numbered things are st (numberedOf): {payload, lines}, its RENUMBER's
 * bytes and a function that returns the profile's lines renumbered; null
 * when the renumbering has no pair.
 */
export function renumbered(k, st) {
  const m = renumberFor(profileNumbered(k).things, st);
  if (m === null) return null;
  return { payload: renumberPayload(m), lines: () => renumberedBy(k, m) };
}

/** renumberedBy returns profile k's lines with renumbering m applied. */
export const renumberedBy = (k, m) => renumber(PROFILES[k], m, profileNumbered(k).toks);

/** renumberAt reports whether a RENUMBER starts at edits[p] (after a profile's base number). */
export const renumberAt = (edits, p) => p + 1 < edits.length && edits[p] === PERM_VALUE && edits[p + 1] === RENUMBER_CODE;

/** renumberAsOfferAt reports whether a RENUMBER AS OFFER (11 18) starts at edits[p] (after a profile's base number). */
export const renumberAsOfferAt = (edits, p) => p + 1 < edits.length && edits[p] === PERM_VALUE && edits[p + 1] === RENUMBER_OFFER_CODE;

/** renumbersProfile reports whether renumbering m changes a number of profile k. */
export function renumbersProfile(m, k) {
  return profileNumbered(k).toks.some((tks) => tks.some((t) => m.to[t.kind][t.n] >= 0));
}

/**
 * readRenumber reads a RENUMBER's pairs with varint() (after its 11 17)
 * and returns {lines, map}, base lines bl renumbered and the renumbering,
 * or a string that names the fault of a malformed one.
 */
export function readRenumber(varint, bl) {
  const m = new NumMap();
  for (let kind = 0; kind < 2; kind++) {
    const n = varint();
    if (n > NUM_LIMIT[kind]) return 'RENUMBER of too many pairs';
    let last = -1, shift = 0;
    for (let i = 0; i < n; i++) {
      const v = varint();
      let gap = v % 8;
      if (gap === PAIR_GAP_MAX) gap += varint();
      const z = Math.floor(v / 8), d = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      const f = last + 1 + gap, t = f + shift + d;
      if (f >= NUM_LIMIT[kind] || t < 0 || t >= NUM_LIMIT[kind]) return 'RENUMBER of a number past its kind\'s limits';
      if (f === t || !m.set(kind, f, t)) return 'RENUMBER pairs not distinct or of a number to itself';
      last = f;
      shift = t - f;
    }
  }
  if (m.pairs[NUM_PT] + m.pairs[NUM_EXT] === 0) return 'RENUMBER without a pair';
  return { lines: renumber(bl, m), map: m };
}

/** shapeText returns line l (numbers toks) with each number replaced by the byte 0x00. */
function shapeText(l, toks) {
  let out = '', last = 0;
  for (const t of toks) { out += l.slice(last, t.start) + '\0'; last = t.end; }
  return out + l.slice(last);
}

const profileShapeSets = [];
const utf8 = new TextEncoder();

/** profileShapes returns the set of the shapes of profile k's lines with numbers. */
function profileShapes(k) {
  if (profileShapeSets[k] === undefined) {
    const { toks } = profileNumbered(k);
    profileShapeSets[k] = new Set();
    PROFILES[k].forEach((l, i) => { if (toks[i].length > 0) profileShapeSets[k].add(shapeText(l, toks[i])); });
  }
  return profileShapeSets[k];
}

/**
 * renumberBound returns the bound of profile k (line index at) for part s
 * (its lines' numbers toks) that decides whether k has a renumbered
 * variant (AVFORM §14.5): the bytes, each line with its LF, of the lines
 * without a number that the profile lacks and of the lines with numbers
 * whose shape no line of the profile has.
 */
export function renumberBound(s, toks, k, at) {
  const shapes = profileShapes(k);
  let b = 0;
  s.forEach((l, i) => {
    if (toks[i].length === 0 ? !at.has(l) : !shapes.has(shapeText(l, toks[i]))) b += utf8.encode(l).length + 1;
  });
  return b;
}
