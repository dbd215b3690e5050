// VERSION (AVFORM §14.5): each new offer or answer of a session writes its
// o= line with the session version one more than the last (RFC 3264 §8),
// so a renegotiation's session part is its base's with a greater version.
// Where the diff would insert the session part's o= line and the base's
// line at the position is an o= line that differs only in a smaller
// version, VERSION d appends the base's line with its version plus d and
// moves the position past it, as REPLACE 1 does, without text. It is
// PERM's varint followed by 16, which no PERM has, and d.

export const OP_VERSION = 10;
export const VERSION_CODE = 16;
const MAX_VERSION = 999999999;

/**
 * oVersion returns the fields of an o= line, or null when l is no o= line
 * of six fields whose third (the session version) is a decimal without
 * leading zeros of at most 9 digits.
 */
function oVersion(l) {
  if (!l.startsWith('o=')) return null;
  const f = l.split(' ');
  return f.length === 6 && /^(0|[1-9][0-9]{0,8})$/.test(f[2]) ? f : null;
}

/** versionStep is d when s is the o= line p with its version plus d (d ≥ 1), else 0. */
export function versionStep(s, p) {
  const a = oVersion(s), b = oVersion(p);
  if (a === null || b === null || a.some((x, k) => k !== 2 && x !== b[k])) return 0;
  return Math.max(Number(a[2]) - Number(b[2]), 0);
}

/** versionLine is the o= line p with its version plus d, or null when p is no such line, d is 0 or the version passes 999999999. */
export function versionLine(p, d) {
  const f = oVersion(p);
  if (f === null || d < 1 || d > MAX_VERSION - Number(f[2])) return null;
  f[2] = String(Number(f[2]) + d);
  return f.join(' ');
}
