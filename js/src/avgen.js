// GEN (AVFORM §3): a line the decoder makes itself, with no text: the
// part's `a=mid:` line numbered by its place (`a=mid:0` in the first media
// section, as the stacks number them and an answer repeats them) and the
// four direction lines. GEN g moves the base position past the base's line
// there when that line is of the same kind (a numbered `a=mid:` line, a
// direction), as REPLACE 1 does.

export const OP_GEN = 8;
export const GEN_COUNT = 5;
const GEN_MIDS = 64; // numbered a=mid: lines of GEN's kind: one for each media section of §14.3
const DIRS = ['a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive'];
const MID_RE = /^a=mid:(0|[1-9][0-9]?)$/;

/** genValue is the varint of GEN g: (g + 3)·4 + 3, after END, COPY END and PERM. */
export const genValue = (g) => (g + 3) * 4 + 3;

/** isGenValue reports whether the kind-3 varint v is a GEN. */
export const isGenValue = (v) => (v & 3) === 3 && v >= genValue(0) && v < genValue(GEN_COUNT);

/** genLine is generated line g of part x; null for the a=mid: line of part 0. */
export function genLine(g, x) {
  if (g !== 0) return DIRS[g - 1];
  return x === 0 ? null : `a=mid:${x - 1}`;
}

/** genKind is 0 for a numbered a=mid: line (below 64), 1 for a direction, -1 otherwise. */
export function genKind(l) {
  if (DIRS.includes(l)) return 1;
  const m = MID_RE.exec(l);
  return m !== null && Number(m[1]) < GEN_MIDS ? 0 : -1;
}

/** genOf is g of line l in part x when it is a generated line, else -1. */
export function genOf(l, x) {
  if (x > 0 && l === `a=mid:${x - 1}`) return 0;
  const d = DIRS.indexOf(l);
  return d < 0 ? -1 : 1 + d;
}

/** genMoves reports whether GEN g moves past the base's line at j. */
export const genMoves = (g, p, j) => j < p.length && genKind(p[j]) === Math.min(g, 1);
