// A compact code without its certificate digest (as codec/reconnect.go).
// The body of a compact code (SPEC.md §4.2) ends with the SHA-256 digest of
// the author's DTLS certificate unless ext key 1 lists the fingerprints. A
// recipient that remembers that digest can do without it: IDENTITY.md §4's
// reconnect codes leave it out and say so under a must-understand ext key
// (SPEC.md §10; −1 in Appendix B.2), so that a decoder that does not know
// the key refuses the code instead of misreading the body. detachDigest
// and attachDigest are that transform and its inverse; the caller chooses
// the key and the byte string it holds.

import { CodecError, MalformedError } from './errors.js';
import { itemHeader, splitSequence, readExtMap, Writer, encode, compareBytes, concatBytes } from './cbor.js';

const EXT_FINGERPRINTS = 1;
const DIGEST_LEN = 32;

/**
 * detachDigest returns full without the digest that ends its body, marked
 * with the byte string mark under ext key key, and the digest: {code,
 * digest}. full must be a canonical compact code whose body ends with the
 * digest (its ext has no key 1) and whose ext has no key key; for any other
 * code it returns null. attachDigest(code, key, digest).full gives full back.
 */
export function detachDigest(full, key, mark) {
  let c;
  try {
    c = readCompactItems(full);
  } catch (err) {
    if (err instanceof CodecError) return null;
    throw err;
  }
  if (find(c, EXT_FINGERPRINTS) >= 0 || find(c, key) >= 0 || c.body.length < DIGEST_LEN) return null;
  const cut = c.body.length - DIGEST_LEN;
  const digest = c.body.slice(cut);
  c.body = c.body.subarray(0, cut);
  c.ext.push({ key, raw: encode(mark) });
  return { code: writeCompactItems(c), digest };
}

/**
 * attachDigest is detachDigest's inverse: it returns {mark, full}, the byte
 * string under ext key key of code and the full code, whose body is code's
 * with digest appended and whose ext lacks key (and is not written when
 * nothing else is left). code is read strictly, so that detachDigest gives
 * it back byte for byte: every item canonical and of its type (the head of
 * a compact code, a byte-string body, an ext map with key and without key
 * 1, a byte string under key). Anything else throws a CodecError:
 * MalformedError, or LimitError for an item over SPEC.md §8's CBOR limits.
 */
export function attachDigest(code, key, digest) {
  const c = readCompactItems(code);
  if (find(c, EXT_FINGERPRINTS) >= 0) throw new MalformedError(0, 'ext', `key ${EXT_FINGERPRINTS} with a detached digest`);
  const i = find(c, key);
  if (i < 0) throw new MalformedError(0, 'ext', `no key ${key}`);
  const h = itemHeader(c.ext[i].raw, 0);
  if (h.major !== 2) throw new MalformedError(c.ext[i].start, 'ext', `key ${key} does not hold a byte string`);
  const mark = c.ext[i].raw.slice(h.hdr);
  c.ext.splice(i, 1);
  c.body = concatBytes([c.body, digest]);
  return { mark, full: writeCompactItems(c) };
}

/**
 * hasExtKey reports whether the last item of code is a map holding key,
 * however code is encoded otherwise. A caller that marks codes with a key
 * of its own tells by it that a code attachDigest refuses is one of its
 * own, malformed, rather than a code for decode (which refuses a negative
 * key it does not know as unsupported).
 */
export function hasExtKey(code, key) {
  try {
    const { items } = splitSequence(code, 8);
    const last = items[items.length - 1];
    return last !== undefined && readExtMap(last.raw, last.start).some((p) => BigInt(p.key) === BigInt(key));
  } catch (err) {
    if (err instanceof CodecError) return false;
    throw err;
  }
}

// readCompactItems splits a compact code into its items, strictly: each
// item canonical and of its type, an empty ext map not written, and code
// exactly the encoding of its items (writeCompactItems). It returns
// {head, body, ext: [{key, raw, start}]}.
function readCompactItems(code) {
  const { items, nonCanon } = splitSequence(code, 3);
  if (items.length < 2) throw new MalformedError(code.length, '', `truncated: ${items.length} of 2 items`);
  const h = itemHeader(items[0].raw, 0);
  if (items[0].major !== 0 || typeof h.arg !== 'number' || h.arg >= 16) throw new MalformedError(0, 'head', 'not the head of a compact code');
  if (items[1].major !== 2) throw new MalformedError(items[1].start, 'body', 'want a byte string');
  const c = {
    head: h.arg,
    body: items[1].raw.subarray(itemHeader(items[1].raw, 0).hdr),
    ext: items.length === 3 ? readExtMap(items[2].raw, items[2].start) : [],
  };
  if (nonCanon || compareBytes(writeCompactItems(c), code) !== 0) throw new MalformedError(0, '', 'not in canonical form');
  return c;
}

function find(c, key) {
  return c.ext.findIndex((p) => BigInt(p.key) === BigInt(key));
}

// writeCompactItems writes the canonical encoding of c: the ext map, when
// not empty, with its keys in the order of their encodings (SPEC.md §4).
function writeCompactItems(c) {
  const w = new Writer();
  w.uint(c.head);
  w.bstr(c.body);
  if (c.ext.length) w.map(c.ext.map((p) => [encode(p.key), p.raw]));
  return w.result();
}
