// Renamed bases (AVFORM §3): a part of the offer or an earlier part of the
// description taken with its identifier references renamed, so that a
// second video section whose stream is new copies the first one's lines.
// The part index varint of base 1 or 2 is w = 2k + r; with r = 1 the rename
// follows: a varint n, then n varints, one per rank of the base's
// identifier references, 0 to keep it, else 1 + 2t + old: the reference
// 0x0F t (old 0) or 0x12 t (old 1) to put in its place.

const MK_ID = '\x0f', MK_ID_OLD = '\x12';

/** tokenEnd returns the end of the reference (marker and digits) at k. */
function tokenEnd(l, k) {
  let e = k + 1;
  while (e < l.length && l.charCodeAt(e) >= 48 && l.charCodeAt(e) <= 57) e++;
  return e;
}

/**
 * idTokens returns the distinct identifier references of lines (0x0F or
 * 0x12 and the digits after it), in order of first appearance: their ranks.
 */
export function idTokens(lines) {
  const out = [], seen = new Set(); // a malicious base may name thousands
  for (const l of lines) {
    for (let k = 0; k < l.length; k++) {
      if (l[k] !== MK_ID && l[k] !== MK_ID_OLD) continue;
      const e = tokenEnd(l, k);
      const t = l.slice(k, e);
      if (!seen.has(t)) { seen.add(t); out.push(t); }
      k = e - 1;
    }
  }
  return out;
}

/** renameTokens returns lines with each reference from[i] replaced by to[i] (null keeps it), all at once. */
export function renameTokens(lines, from, to) {
  const m = new Map();
  from.forEach((f, r) => { if (to[r] !== null) m.set(f, to[r]); });
  return lines.map((l) => {
    let out = '', last = 0;
    for (let k = 0; k < l.length; k++) {
      if (l[k] !== MK_ID && l[k] !== MK_ID_OLD) continue;
      const e = tokenEnd(l, k);
      const t = m.get(l.slice(k, e));
      if (t !== undefined) { out += l.slice(last, k) + t; last = e; }
      k = e - 1;
    }
    return last === 0 ? l : out + l.slice(last);
  });
}

/**
 * renameFor returns the rename of base lines p that gives their references
 * those of part s of the same rank, up to the last rank that differs:
 * {lines, payload} (the renamed lines and the rename's encoding), or null
 * when no rank differs.
 */
export function renameFor(p, s) {
  const from = idTokens(p), sTok = idTokens(s);
  let n = 0;
  for (let i = 0; i < from.length && i < sTok.length; i++) if (from[i] !== sTok[i]) n = i + 1;
  if (n === 0) return null;
  const to = [], payload = [];
  putUvarint(payload, n);
  for (let i = 0; i < n; i++) {
    if (from[i] === sTok[i]) { to.push(null); payload.push(0); continue; }
    to.push(sTok[i]);
    putUvarint(payload, 1 + 2 * Number(sTok[i].slice(1)) + (sTok[i][0] === MK_ID_OLD ? 1 : 0));
  }
  return { lines: renameTokens(p, from.slice(0, n), to), payload };
}

/** putUvarint appends v as an unsigned LEB128 varint to the array w. */
export function putUvarint(w, v) {
  while (v >= 0x80) { w.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  w.push(v);
}

/**
 * readRename returns base lines bl renamed by the rename read with
 * varint() (n, then n values), or null when it renames a rank bl lacks.
 */
export function readRename(varint, bl) {
  const n = varint();
  const from = idTokens(bl);
  if (n > from.length) return null;
  const to = [];
  for (let i = 0; i < n; i++) {
    const v = varint();
    to.push(v === 0 ? null : ((v - 1) % 2 === 1 ? MK_ID_OLD : MK_ID) + String(Math.floor((v - 1) / 2)));
  }
  return renameTokens(bl, from.slice(0, n), to);
}
