// The identity blocks of IDENTITY.md, byte for byte as ref/peer: peer IDs
// (§2), Ed25519 keys through WebCrypto, HELLO (§3.2), the default
// channel's messages (§3.1, §3.3, Appendix A), signed codes (§6.1), §7's
// frames, refuse reasons (B.3) and reconnect codes (§4).
//
// Ed25519 in WebCrypto: Chromium 137+, Firefox 129+, Safari 17+, node 20.
// In a browser without it, Identity.generate/fromSeed and every verify
// throw PeerError 'unsupported': a page can still connect through codes
// (PeerConnection), without identities.
import { sha256, cbor, CodecError, detachDigest, attachDigest } from '../index.js';
import { PeerError } from './errors.js';
import { ed25519PublicKey } from './ed25519.js';

export { PeerError };

const { decodeOne, encode, head, itemHeader, nonShortest, concatBytes, compareBytes, Raw, IDENTITY_LIMITS } = cbor;

export const VERSION = 1;
export const MSG = Object.freeze({ hello: 0, data: 1, relay: 2, refuse: 3, invite: 4, restart: 5 });
export const KIND_OFFER = 0, KIND_ANSWER = 1;
// Refuse reasons (B.3) and the class each reports.
export const REFUSE = Object.freeze({ 'no-route': 1, tampered: 2, 'unknown-peer': 3, 'too-many': 4, refused: 5, other: 6 });
const REASON_CLASS = { 1: 'no-route', 2: 'tampered', 3: 'unknown-peer', 4: 'too-many', 5: 'refused' };

const MAX_MESSAGE = 40 << 10;
const MAX_DATA_MESSAGE = 16 << 20;
/** SIGNED_CODE_LIFETIME: a signed code's time is within this of the clock, s (§6.1). */
export const SIGNED_CODE_LIFETIME = 600;
const HINT_LEN = 4;

const ascii = (s) => new TextEncoder().encode(s);
const CTX_HELLO = ascii('peer-sdp identity v1 hello');
const CTX_CODE = ascii('peer-sdp identity v1 signed code');
// PKCS8_ED25519 precedes a 32-byte seed in an Ed25519 PKCS #8 key (RFC 8410).
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

function fail(cls, message) { return new PeerError(cls, `peer: ${message}`); }

function equalBytes(a, b) {
  return a.length === b.length && compareBytes(a, b) === 0;
}

const isBytes = (v, n) => v instanceof Uint8Array && (n === undefined || v.length === n);
const isUint = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n);

// --- Peer IDs (§2) ---

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** idText is the text form of a peer ID: base32, lower case, no padding (52 characters). */
export function idText(id) {
  let out = '', bits = 0, acc = 0;
  for (const x of id) {
    acc = (acc << 8) | x;
    bits += 8;
    while (bits >= 5) { out += B32[(acc >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** idShort is the short form: the first 16 characters of the text form, upper case, in groups of four. */
export function idShort(id) {
  return idText(id).slice(0, 16).toUpperCase().match(/.{4}/g).join('-');
}

/** parseID reads a peer ID's text form (52 base32 characters, any case). */
export function parseID(text) {
  const s = String(text).toLowerCase();
  if (!/^[a-z2-7]{52}$/.test(s)) throw new RangeError('peer: not a peer ID');
  const out = new Uint8Array(32);
  let bits = 0, acc = 0, n = 0;
  for (const c of s) {
    acc = (acc << 5) | B32.indexOf(c);
    bits += 5;
    if (bits >= 8) { out[n++] = (acc >>> (bits - 8)) & 255; bits -= 8; }
  }
  if (acc & ((1 << bits) - 1)) throw new RangeError('peer: not a peer ID (padding bits)');
  return out;
}

/** idOf is the peer ID of a public key: SHA-256 of its 32 bytes. */
export function idOf(key) { return sha256(key); }

// --- Ed25519 through WebCrypto ---

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw fail('unsupported', 'no WebCrypto here (a browser page needs a secure context: https or localhost)');
  return s;
}

async function ed25519(op) {
  try {
    return await op(subtle());
  } catch (err) {
    if (err instanceof PeerError) throw err;
    if (err?.name === 'NotSupportedError') throw fail('unsupported', 'this browser has no Ed25519 in WebCrypto: identities are unavailable (connections through codes still work)');
    throw err;
  }
}

/** verify checks an Ed25519 signature (false for a key WebCrypto refuses). */
export async function verify(key, message, sig) {
  return ed25519(async (s) => {
    let k;
    try {
      k = await s.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    } catch (err) {
      if (err?.name === 'NotSupportedError') throw err;
      return false;
    }
    return s.verify({ name: 'Ed25519' }, k, sig, message);
  });
}

/**
 * Identity is an Ed25519 key pair and its peer ID. The private key is a
 * WebCrypto CryptoKey; generate() makes it non-extractable (it can be kept
 * in IndexedDB, which stores CryptoKeys, but never read).
 */
export class Identity {
  constructor(privateKey, publicKey) {
    this.privateKey = privateKey;
    /** The 32-byte public key. */
    this.publicKey = publicKey;
    /** The 32-byte peer ID. */
    this.id = idOf(publicKey);
  }

  get idText() { return idText(this.id); }
  get idShort() { return idShort(this.id); }

  /** generate makes a new identity with a non-extractable private key. */
  static async generate() {
    return ed25519(async (s) => {
      const kp = await s.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
      return new Identity(kp.privateKey, new Uint8Array(await s.exportKey('raw', kp.publicKey)));
    });
  }

  /** fromSeed makes the identity of a 32-byte Ed25519 seed (RFC 8032 §5.1.5): test vectors. */
  static async fromSeed(seed) {
    if (!isBytes(seed, 32)) throw new RangeError('peer: an Ed25519 seed has 32 bytes');
    return ed25519(async (s) => {
      const pk = await s.importKey('pkcs8', concatBytes([PKCS8_ED25519, seed]), { name: 'Ed25519' }, false, ['sign']);
      return new Identity(pk, await ed25519PublicKey(s, seed));
    });
  }

  /** sign signs message (Ed25519 is deterministic). */
  async sign(message) {
    return ed25519(async (s) => new Uint8Array(await s.sign({ name: 'Ed25519' }, this.privateKey, message)));
  }

  /** hello is this side's HELLO (§3.2) for a connection with the two fingerprints. */
  async hello(role, fpOfferer, fpAnswerer, addrs = []) {
    const sig = await this.sign(helloInput(role, fpOfferer, fpAnswerer));
    return encode([MSG.hello, VERSION, this.publicKey, sig, addrs]);
  }

  /** signCode signs a code for the peer `to` (§6.1); time is Unix seconds. */
  async signCode(kind, to, code, time = Math.floor(Date.now() / 1000)) {
    const sig = await this.sign(codeInput(kind, this.publicKey, to, time, code));
    return { kind, key: this.publicKey, to, time, code, sig };
  }
}

// --- HELLO (§3.2) ---

/** helloInput is HELLO's signing input: context ‖ 0 ‖ role ‖ FP_offerer ‖ FP_answerer. */
export function helloInput(role, fpOfferer, fpAnswerer) {
  if (!isBytes(fpOfferer, 32) || !isBytes(fpAnswerer, 32)) throw new RangeError('peer: fingerprints are SHA-256 digests (32 bytes)');
  return concatBytes([CTX_HELLO, Uint8Array.of(0, role), fpOfferer, fpAnswerer]);
}

// decodeStrict decodes a message of at most limit bytes as one canonical
// item, or throws 'protocol'.
function decodeStrict(b, limit = MAX_MESSAGE) {
  if (b.length > limit) throw fail('protocol', `message of ${b.length} bytes`);
  try {
    return decodeOne(b, IDENTITY_LIMITS);
  } catch (err) {
    if (err instanceof CodecError) throw fail('protocol', err.message);
    throw err;
  }
}

/**
 * checkHello receives the first message of a connection, from the peer of
 * role peerRole (0 offerer, 1 answerer): every failure is 'auth' (§3.2).
 * expect lists the IDs the peer may have (empty: anyone). Resolves with
 * {id, key, sig, addrs}.
 */
export async function checkHello(b, peerRole, fpOfferer, fpAnswerer, ownID, expect = []) {
  let m;
  try {
    m = decodeStrict(b);
  } catch (err) {
    throw fail('auth', `malformed HELLO (${err.message})`);
  }
  if (!Array.isArray(m) || m.length === 0 || m[0] !== MSG.hello) throw fail('auth', 'the first message is not HELLO');
  if (m.length !== 5 || !isUint(m[1]) || !(m[2] instanceof Uint8Array) || !(m[3] instanceof Uint8Array) ||
    !Array.isArray(m[4]) || !m[4].every((a) => typeof a === 'string')) throw fail('auth', 'malformed HELLO');
  if (m[1] !== VERSION) throw fail('auth', `HELLO version ${m[1]}`);
  const [, , key, sig, addrs] = m;
  if (key.length !== 32 || sig.length !== 64 || addrs.length > 16) throw fail('auth', 'malformed HELLO');
  const id = idOf(key);
  if (expect.length && !expect.some((e) => equalBytes(e, id))) throw fail('auth', `the peer's key has ID ${idShort(id)}, not the expected ${idShort(expect[0])}`);
  if (equalBytes(id, ownID)) throw fail('auth', 'the peer claims our own ID');
  if (!await verify(key, helloInput(peerRole, fpOfferer, fpAnswerer), sig)) throw fail('auth', 'HELLO signature does not verify (key or fingerprints differ)');
  return { id, key, sig, addrs };
}

// --- Messages after HELLO (§3.1, §3.3) ---

/** dataMessage is [1, payload]. */
export function dataMessage(payload) {
  if (payload.length > MAX_DATA_MESSAGE - 7) throw new PeerError('message-too-large', 'peer: a data message holds at most 16 777 209 bytes');
  return concatBytes([Uint8Array.of(0x82, MSG.data), head(2, payload.length), payload]);
}

function signedCodeOf(v) {
  if (!Array.isArray(v) || v.length !== 6 || !isUint(v[0]) || v[0] > 1 || !isBytes(v[1], 32) || !isBytes(v[2], 32) ||
    !isUint(v[3]) || !isBytes(v[4]) || !isBytes(v[5], 64)) throw fail('protocol', 'malformed signed code');
  return { kind: v[0], key: v[1], to: v[2], time: v[3], code: v[4], sig: v[5] };
}

/** encodeSignedCode is a signed code's array (Appendix A). */
export function encodeSignedCode(s) {
  return encode([s.kind, s.key, s.to, s.time, s.code, s.sig]);
}

/** relayMessage is relay (or restart, type 5): [type, hops, to, nonce, signed-code]. */
export function relayMessage(hops, to, nonce, signed, type = MSG.relay) {
  return encode([type, hops, to, nonce, new Raw(encodeSignedCode(signed))]);
}

export function refuseMessage(hops, to, nonce, reason) { return encode([MSG.refuse, hops, to, nonce, reason]); }
export function inviteMessage(peer) { return encode([MSG.invite, peer]); }

// parseData checks a data message without copying its payload.
function parseData(b) {
  if (b.length > MAX_DATA_MESSAGE) throw fail('protocol', `data message of ${b.length} bytes`);
  if (b.length < 3 || b[0] !== 0x82 || b[1] !== MSG.data) throw fail('protocol', 'not a data message');
  const h = itemHeader(b, 2);
  if (h === null || h.major !== 2 || nonShortest(h) || h.arg !== b.length - 2 - h.hdr) {
    throw fail('protocol', 'a data message\'s payload is not one canonical byte string');
  }
  return b.subarray(2 + h.hdr);
}

/**
 * decodeMessage decodes a message received after HELLO (§3.1, §3.3):
 * {type, payload} (data), {type, hops, to, nonce, signed} (relay,
 * restart), {type, hops, to, nonce, reason} (refuse), {type, peer}
 * (invite), or {type, ignored: true} for a type this version does not
 * know. Everything else is 'protocol' (a second HELLO included).
 */
export function decodeMessage(b) {
  if (b.length >= 2 && b[0] === 0x82 && b[1] === MSG.data) return { type: MSG.data, payload: parseData(b) };
  const m = decodeStrict(b);
  if (!Array.isArray(m) || m.length === 0 || !isUint(m[0])) throw fail('protocol', 'not a message array');
  const t = m[0];
  const hopsToNonce = () => {
    if (!isUint(m[1]) || m[1] > 1 || !isBytes(m[2], 32) || !isUint(m[3])) throw fail('protocol', 'malformed message');
    return { hops: m[1], to: m[2], nonce: m[3] };
  };
  switch (t) {
    case MSG.hello: throw fail('protocol', 'second HELLO');
    case MSG.data: throw fail('protocol', 'not a data message');
    case MSG.relay: case MSG.restart:
      if (m.length !== 5) throw fail('protocol', 'malformed relay');
      return { type: t, ...hopsToNonce(), signed: signedCodeOf(m[4]) };
    case MSG.refuse:
      if (m.length !== 5 || !isUint(m[4])) throw fail('protocol', 'malformed refuse');
      return { type: t, ...hopsToNonce(), reason: m[4] };
    case MSG.invite:
      if (m.length !== 2 || !isBytes(m[1], 32)) throw fail('protocol', 'malformed invite');
      return { type: t, peer: m[1] };
    default:
      return { type: t, ignored: true };
  }
}

/** refusalClass is the class a received refuse reason reports (B.3). */
export function refusalClass(reason) {
  return REASON_CLASS[typeof reason === 'bigint' ? -1 : reason] || 'refused';
}

// --- Signed codes (§6.1) ---

/** codeInput is a signed code's signing input. */
export function codeInput(kind, key, to, time, code) {
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, BigInt(time));
  return concatBytes([CTX_CODE, Uint8Array.of(0, kind), key, to, t, code]);
}

/**
 * verifySigned checks a signed code for ownID, of kind, at now (Unix
 * seconds), in §6.1's order: kind and to ('protocol'), signature
 * ('tampered'), time ('expired'); then, for an answer with expectID, its
 * author ('auth'). Resolves with the author's ID.
 */
export async function verifySigned(s, ownID, kind, now, expectID) {
  if (s.kind !== kind) throw fail('protocol', `signed code of kind ${s.kind}, want ${kind}`);
  if (!equalBytes(s.to, ownID)) throw fail('protocol', `signed code addressed to ${idShort(s.to)}`);
  if (!await verify(s.key, codeInput(s.kind, s.key, s.to, s.time, s.code), s.sig)) throw fail('tampered', 'the signed code does not verify');
  const d = BigInt(s.time) - BigInt(now);
  if (d > BigInt(SIGNED_CODE_LIFETIME) || -d > BigInt(SIGNED_CODE_LIFETIME)) throw fail('expired', `signed at ${s.time}, now ${now}`);
  const author = idOf(s.key);
  if (expectID && !equalBytes(author, expectID)) throw fail('auth', `the answer is signed by ${idShort(author)}, not ${idShort(expectID)}`);
  return author;
}

// --- §7 frames ---

/** frame is §7's frame: a 2-byte big-endian length and the message. */
export function frame(msg) {
  if (msg.length > 65535) throw new RangeError('peer: a frame holds at most 65535 bytes');
  return concatBytes([Uint8Array.of(msg.length >> 8, msg.length & 255), msg]);
}

/**
 * readFrame reads one frame from the start of stream: {message, rest}. A
 * stream that ends inside a frame is 'protocol'; one that ends before it
 * begins is 'no-route'.
 */
export function readFrame(stream) {
  if (stream.length === 0) throw fail('no-route', 'the stream ended before a frame');
  if (stream.length < 2) throw fail('protocol', 'the stream ends inside a frame');
  const n = (stream[0] << 8) | stream[1];
  if (stream.length < 2 + n) throw fail('protocol', 'the stream ends inside a frame');
  return { message: stream.subarray(2, 2 + n), rest: stream.subarray(2 + n) };
}

// --- Reconnect codes (§4) ---

const KNOWN_PEER = -1;

/**
 * toReconnect turns a full compact code whose body ends with the digest fp
 * into the reconnect code of author (§4); null when the code has no such
 * form (residual, other fingerprints, already extended).
 */
export function toReconnect(full, author, fp) {
  const r = detachDigest(full, KNOWN_PEER, author.subarray(0, HINT_LEN));
  return r && equalBytes(r.digest, fp) ? r.code : null;
}

/** reconnectHint is the ID hint of a reconnect code, read strictly (attachDigest); null otherwise. */
export function reconnectHint(code) {
  try {
    const { mark } = attachDigest(code, KNOWN_PEER, new Uint8Array(32));
    return mark.length === HINT_LEN ? mark : null;
  } catch (err) {
    if (err instanceof CodecError) return null;
    throw err;
  }
}

/** fromReconnect rebuilds the full code of a reconnect code with the remembered digest fp. */
export function fromReconnect(code, fp) {
  if (!reconnectHint(code)) throw fail('malformed', 'not a reconnect code');
  return attachDigest(code, KNOWN_PEER, fp).full;
}

/**
 * resolveReconnect finds the full codes a reconnect code may stand for:
 * remembered is [{id, fingerprint, lastSeen?}]; the candidates whose ID
 * starts with the hint, most recently seen first. No candidate is
 * 'unknown-peer'; a code that claims key −1 but is not read strictly is
 * 'malformed'.
 */
export function resolveReconnect(code, remembered) {
  const hint = reconnectHint(code);
  if (!hint) throw fail('malformed', 'a code with key −1 that is not a reconnect code');
  const cands = remembered.filter((r) => equalBytes(r.id.subarray(0, HINT_LEN), hint))
    .sort((a, b) => (b.lastSeen || 0) - (a.lastSeen || 0));
  if (!cands.length) throw fail('unknown-peer', 'a reconnect code from a peer this side does not remember');
  return cands.map((r) => ({ id: r.id, code: fromReconnect(code, r.fingerprint) }));
}
