// The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5), for
// Identity.fromSeed: WebCrypto imports a seed as a PKCS #8 private key,
// but gives no public key for it, and Firefox 140 refuses to export an
// Ed25519 private key as JWK (whose x member is the public key). Plain
// BigInt arithmetic, not constant-time: it serves test vectors and keys
// that are imported, not ones this library generates (those come from
// generateKey, public key included).

const P = 2n ** 255n - 19n;
const mod = (a) => ((a % P) + P) % P;

function pow(b, e) {
  let r = 1n;
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) {
    if (e & 1n) r = (r * b) % P;
  }
  return r;
}

const inv = (a) => pow(a, P - 2n);
const D2 = mod(2n * -121665n * inv(121666n)); // 2d, d = -121665/121666
// The base point B (RFC 8032 §5.1) in extended coordinates (X, Y, Z, T).
const BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
const BASE = [BX, BY, 1n, mod(BX * BY)];

// add is RFC 8032 §5.1.4's addition, complete on the curve (it doubles too).
function add([x1, y1, z1, t1], [x2, y2, z2, t2]) {
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(t1 * D2 * t2);
  const d = mod(2n * z1 * z2);
  const e = b - a, f = d - c, g = d + c, h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function scalarMultBase(k) {
  let r = [0n, 1n, 1n, 0n]; // the neutral element
  for (let q = BASE; k > 0n; k >>= 1n, q = add(q, q)) {
    if (k & 1n) r = add(r, q);
  }
  return r;
}

function littleEndian(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** ed25519PublicKey returns the 32-byte public key of a 32-byte seed. */
export async function ed25519PublicKey(subtle, seed) {
  const h = new Uint8Array(await subtle.digest('SHA-512', seed)).slice(0, 32);
  h[0] &= 248;
  h[31] = (h[31] & 127) | 64;
  const [x, y, z] = scalarMultBase(littleEndian(h));
  const zi = inv(z);
  let ay = mod(y * zi);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, ay >>= 8n) out[i] = Number(ay & 255n);
  out[31] |= Number(mod(x * zi) & 1n) << 7;
  return out;
}
