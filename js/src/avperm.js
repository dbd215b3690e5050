// PERM (AVFORM §3): the next n blocks of a base, from the first block at
// the base position, in another order, named by the permutation's rank in
// a few bytes (codec/avperm.go).

export const OP_PERM = 6;
/** PERM_VALUE is the varint of PERM; a varint n − 2 and the rank follow. */
export const PERM_VALUE = 11;
/** MAX_PERM is the most blocks one PERM reorders (16! < 2^45: exact in a Number). */
export const MAX_PERM = 16;

function factorial(n) { let f = 1; for (let k = 2; k <= n; k++) f *= k; return f; }

/** rankBytes is the number of bytes of the rank of a PERM of n blocks: those of n! − 1. */
export function rankBytes(n) { let r = 0; for (let v = factorial(n) - 1; v > 0; v = Math.floor(v / 256)) r++; return r; }

/** permLen is the bytes of the PERM of n blocks. */
export function permLen(n) { return 1 + (n - 2 >= 0x80 ? 2 : 1) + rankBytes(n); }

/** permRank is the rank of order, a permutation of 0…n−1. */
function permRank(order) {
  const n = order.length, taken = new Array(n).fill(false);
  let rank = 0;
  order.forEach((u, x) => {
    let d = 0;
    for (let v = 0; v < u; v++) if (!taken[v]) d++;
    taken[u] = true;
    rank += d * factorial(n - 1 - x);
  });
  return rank;
}

/** permOrder is the permutation of 0…n−1 whose rank is rank (< n!). */
function permOrder(rank, n) {
  const taken = new Array(n).fill(false), order = [];
  for (let x = 0; x < n; x++) {
    const f = factorial(n - 1 - x);
    let d = Math.floor(rank / f);
    rank %= f;
    let u = 0;
    for (; taken[u] || d > 0; u++) if (!taken[u]) d--;
    taken[u] = true;
    order.push(u);
  }
  return order;
}

/** putPerm appends the PERM of n blocks and rank rank to the array w. */
export function putPerm(w, n, rank) {
  w.push(PERM_VALUE, n - 2);
  const k = rankBytes(n);
  for (let x = k - 1; x >= 0; x--) w.push(Math.floor(rank / 2 ** (8 * x)) % 256);
}

/**
 * pickRunCost is the bytes PICK and COPY pay for the blocks of order in
 * turn: a PICK for each block not in the base's order, a COPY for each run
 * in the base's order that a PICK ends.
 */
function pickRunCost(order) {
  let cost = 0, at = 0, copying = false;
  for (const u of order) {
    if (u === at) copying = true;
    else if (copying) { cost += 2; copying = false; } else cost++;
    at = u + 1;
  }
  return cost;
}

function blockMatches(s, p, i, h, e) {
  if (e - h > s.length - i) return false;
  for (let x = h; x < e; x++) if (s[i + x - h] !== p[x]) return false;
  return true;
}

/**
 * permOp returns [OP_PERM, n, lines, rank] when position j of base p (blocks
 * {heads, ends}) is block head t0 and s goes on from i with blocks t0 … t0 +
 * n − 1 whole, in another order: of such n ≥ 2 the one that saves the most
 * bytes over PICK and COPY, the greater of two that save as much; null when
 * none saves a byte.
 */
export function permOp(s, p, i, j, heads, ends, t0) {
  if (t0 === heads.length || heads[t0] !== j) return null;
  const lim = Math.min(MAX_PERM, heads.length - t0);
  const taken = new Array(lim).fill(false), order = [];
  let pos = i, hi = -1, best = 0, op = null;
  for (let n = 0; n < lim; n++) {
    let u = 0;
    while (u < lim && (taken[u] || !blockMatches(s, p, pos, heads[t0 + u], ends[t0 + u]))) u++;
    if (u === lim) break;
    taken[u] = true; order.push(u);
    pos += ends[t0 + u] - heads[t0 + u];
    hi = Math.max(hi, u);
    if (hi !== n || n === 0) continue;
    const save = pickRunCost(order) - permLen(n + 1);
    if (save > 0 && save >= best) { best = save; op = [OP_PERM, n + 1, pos - i, permRank(order)]; }
  }
  return op;
}

/**
 * readPerm reads the PERM after its varint (varint and byte read the edits)
 * at position j of base (blocks {heads, ends}, t0 the first at or after
 * j): {lines, next}, or a string naming the fault.
 */
export function readPerm(varint, bytes, base, heads, ends, t0) {
  const c = varint();
  if (c > MAX_PERM - 2 || t0 + c + 2 > heads.length) return 'PERM of blocks outside the base';
  const n = c + 2, k = rankBytes(n);
  const r = bytes(k);
  if (r === null) return 'truncated PERM';
  let rank = 0;
  for (const b of r) rank = rank * 256 + b;
  if (rank >= factorial(n)) return 'PERM rank out of range';
  const lines = [];
  for (const u of permOrder(rank, n)) for (let x = heads[t0 + u]; x < ends[t0 + u]; x++) lines.push(base[x]);
  return { lines, next: ends[t0 + n - 1] };
}
