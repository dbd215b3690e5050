// MIRROR (AVFORM §3): an answer's rid and simulcast lines are its offer
// section's with the directions reversed (RFC 8851, RFC 8853): MIRROR
// appends the offer part's `a=rid:` and `a=simulcast:` lines, of the part's
// index, mirrored, in their order. It is PERM's varint followed by 15,
// which no PERM has.

export const OP_MIRROR = 9;
export const MIRROR_CODE = 15;

const swap = { send: 'recv', recv: 'send' };

/** mirrorLine is l with each field of its value at the indices at that is send or recv reversed. */
function mirrorLine(l, at) {
  const c = l.indexOf(':');
  const f = l.slice(c + 1).split(' ');
  for (const k of at) if (k < f.length && Object.hasOwn(swap, f[k])) f[k] = swap[f[k]];
  return l.slice(0, c + 1) + f.join(' ');
}

/** mirrorLines is the mirrored a=rid: and a=simulcast: lines of offer part op (empty when none). */
export function mirrorLines(op) {
  const out = [];
  for (const l of op) {
    if (l.startsWith('a=rid:')) out.push(mirrorLine(l, [1]));
    else if (l.startsWith('a=simulcast:')) out.push(mirrorLine(l, [0, 2]));
  }
  return out;
}

/** mirrorAt reports whether the lines of s from i are the mirrored lines m (not empty). */
export function mirrorAt(s, i, m) {
  if (m.length === 0 || s.length - i < m.length) return false;
  for (let k = 0; k < m.length; k++) if (s[i + k] !== m[k]) return false;
  return true;
}
