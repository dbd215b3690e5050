// Encoding and decoding of codes (SPEC.md §4, §6, §7).

import {
  CodecError, MalformedError, NonCanonicalError, UnsupportedError, LimitError, BindingError,
  InvalidSDPError, ForeignError, NeedsOfferError,
} from './errors.js';
import {
  readItem, itemHeader, splitSequence, readExtMap, Writer, encode as cborEncode, compareBytes, MAX_ARRAY,
} from './cbor.js';
import { compress, inflate, InflateError } from './deflate.js';
import { sha256 } from './sha256.js';
import { SDP_DICTIONARY } from './dict.js';
import { writeCandidates, readCandidates, writeCreds, readCreds } from './body.js';
import { extractSkeleton, renderSkeleton } from './avskeleton.js';
import { applyEdits } from './avedits.js';
import {
  AV_ITEMS, HEAD_AV_OFFER, HEAD_AV_ANSWER, buildEdits, insertedText, textDictionary, writeAV, readTables,
} from './avcode.js';
import { PROFILES } from './avprofiles.js';
import {
  parseSDP, splitLines, isNormalForm, compactModel, compactSDP, hashIndex, HASHES, isToken,
  isExtraLine, sameCandidate, candidateKey, applyPolicy,
  DEFAULT_MMS, FIREFOX_MMS, DEFAULT_SCTP_PORT, MAX_FINGERPRINTS,
} from './sdp.js';

/** Limits of SPEC.md §8. */
export const limits = Object.freeze({
  DEFAULT_MAX_SDP_BYTES: 65536,
  DEFAULT_MAX_CODE_BYTES: 32768,
  DEFAULT_MAX_CANDIDATES: 64,
  DEFAULT_MAX_TEXT_BYTES: 2 * 32768 + 4096,
  MIN_MAX_SDP_BYTES: 1024,
  MAX_MAX_SDP_BYTES: 16 << 20,
  MIN_MAX_CODE_BYTES: 64,
  MAX_MAX_CODE_BYTES: 16 << 20,
  MAX_MAX_CANDIDATES: 1024,
});

const BIND_LEN = 4;
const te = new TextEncoder();

function range(v, def, lo, hi, name) {
  if (v === undefined || v === null || v === 0) return def;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`peer-codec: ${name} ${v} is out of range ${lo}..${hi}`);
  return v;
}

/** policyOf validates a candidate policy (SPEC.md §3.4). */
function policyOf(p = {}) {
  const pol = {
    maxCandidates: p.maxCandidates ?? 0,
    dropTCPActive: !!p.dropTCPActive, dropTCP: !!p.dropTCP, keepComponent2: !!p.keepComponent2,
    dropIPv6: !!p.dropIPv6, dropMDNS: !!p.dropMDNS, dropPrivate: !!p.dropPrivate,
  };
  if (!Number.isInteger(pol.maxCandidates) || pol.maxCandidates < 0) throw new LimitError(-1, 'policy', 'maxCandidates must be a non-negative integer');
  return pol;
}

function utf8Len(s) { return te.encode(s).length; }

export function bindingOf(offer) { return sha256(offer).subarray(0, BIND_LEN); }

// ---- the CBOR sequence (§4.1, §4.2, §4.6, §4.7)

// The max-message-size values of head classes 0, 1 and 2 (SPEC.md §4.1);
// class 3 is any other value, or none, in ext key 2.
const MMS_CLASSES = [DEFAULT_MMS, FIREFOX_MMS, 65536];
const MMS_OTHER = 3;

function mmsClass(m) {
  const i = MMS_CLASSES.indexOf(m.mms);
  return m.mms === null || i < 0 ? MMS_OTHER : i;
}

function headOf(m) {
  if (m.residual) return m.answer ? 17 : 16;
  return m.setup | (mmsClass(m) << 2);
}

function defaultFP(m) { return m.fps.length === 1 && m.fps[0].alg === 'sha-256'; }

function encodeModel(m, residual) {
  if (m.av) return writeAV(m, residual);
  const w = new Writer();
  w.uint(headOf(m));
  const ext = [];
  const add = (k, fn) => { const x = new Writer(); fn(x); ext.push([cborEncode(k), x.result()]); };
  if (m.residual) {
    if (m.answer) w.bstr(m.bind);
    w.bstr(residual);
  } else {
    // The body (SPEC.md §4.2).
    const body = [];
    if (m.answer) body.push(...m.bind);
    writeCreds(body, m);
    body.push(...writeCandidates(m.cands));
    if (defaultFP(m)) body.push(...m.fps[0].val);
    w.bstr(Uint8Array.from(body));
    if (!defaultFP(m)) {
      add(1, (x) => {
        x.head(4, m.fps.length);
        for (const fp of m.fps) {
          x.head(4, 2);
          const i = hashIndex(fp.alg);
          if (i >= 0) x.uint(i); else x.tstr(fp.alg);
          x.bstr(fp.val);
        }
      });
    }
    if (m.mms === null) add(2, (x) => x.null());
    else if (mmsClass(m) === MMS_OTHER) add(2, (x) => x.uint(m.mms));
    if (m.mid === null) add(3, (x) => x.null());
    else if (m.mid !== '0') add(3, (x) => x.tstr(m.mid));
    if (m.sctpPort === null) add(4, (x) => x.null());
    else if (m.sctpPort !== DEFAULT_SCTP_PORT) add(4, (x) => x.uint(m.sctpPort));
    if (m.legacy !== null) add(5, (x) => x.uint(m.legacy));
    if (m.extraSess.length > 0) add(6, (x) => { x.head(4, m.extraSess.length); for (const l of m.extraSess) x.tstr(l); });
    if (m.extraMedia.length > 0) add(7, (x) => { x.head(4, m.extraMedia.length); for (const l of m.extraMedia) x.tstr(l); });
  }
  for (const [k, v] of m.unknown) ext.push([k, v]);
  if (ext.length > 0) w.map(ext);
  return w.result();
}

function decOptions(o = {}) {
  return {
    maxCode: range(o.maxCodeBytes, limits.DEFAULT_MAX_CODE_BYTES, limits.MIN_MAX_CODE_BYTES, limits.MAX_MAX_CODE_BYTES, 'maxCodeBytes'),
    maxSDP: range(o.maxSDPBytes, limits.DEFAULT_MAX_SDP_BYTES, limits.MIN_MAX_SDP_BYTES, limits.MAX_MAX_SDP_BYTES, 'maxSDPBytes'),
    maxCands: range(o.maxCandidates, limits.DEFAULT_MAX_CANDIDATES, 1, limits.MAX_MAX_CANDIDATES, 'maxCandidates'),
    offer: o.offer ?? null,
  };
}

function isUint(v) { return typeof v === 'number' && v >= 0 || typeof v === 'bigint' && v >= 0n; }

/** readModel reads and checks a code (SPEC.md §7 steps 1–7). */
function readModel(code, d) {
  if (!(code instanceof Uint8Array)) throw new TypeError('peer-codec: code must be a Uint8Array');
  if (code.length > d.maxCode) throw new LimitError(d.maxCode, '', `code of ${code.length} bytes is over the limit of ${d.maxCode}`);
  if (code.length === 0) throw new MalformedError(0, 'head', 'empty code');
  if (code[0] > 0x18) throw new ForeignError(0, 'head', 'the first byte is not a head');
  // The head is read alone first, so that a later version is recognised
  // whatever the rest of its structure (SPEC.md §7 step 2).
  const hh = itemHeader(code, 0);
  if (hh === null) throw new MalformedError(0, 'head', 'truncated head');
  const head = hh.arg;
  if (typeof head === 'bigint' || head > HEAD_AV_ANSWER) throw new UnsupportedError(0, 'head', 'a later version or form');
  if (head < 16 && (head & 3) === 3) throw new UnsupportedError(0, 'head', 'reserved role 3');
  const { items, nonCanon } = splitSequence(code, AV_ITEMS + 1);
  const av = head >= HEAD_AV_OFFER;
  // An A/V code without inserted lines has no text item (its edits are its
  // last item, or the ext map follows them): read as the empty byte string,
  // which an encoder never writes (re-encoding finds it).
  if (av && (items.length === AV_ITEMS - 1 || (items.length > AV_ITEMS - 1 && items[AV_ITEMS - 1].major === 5))) {
    const start = items.length > AV_ITEMS - 1 ? items[AV_ITEMS - 1].start : code.length;
    items.splice(AV_ITEMS - 1, 0, { start, end: start, major: 2, raw: Uint8Array.of(0x40) });
  }
  const residual = !av && (head & 16) !== 0;
  const m = {
    answer: av ? head === HEAD_AV_ANSWER : (head & 3) !== 0, residual, av, setup: residual || av ? 0 : head & 3, bind: null, text: '',
    ufrag: '', pwd: '', fps: [], cands: [], mms: DEFAULT_MMS, mid: '0', sctpPort: DEFAULT_SCTP_PORT, legacy: null, iceLite: false,
    extraSess: [], extraMedia: [], unknown: [], nonCanon,
  };
  // head and body or residual, and an answer's binding; the A/V form's 7 items
  const want = av ? AV_ITEMS : residual && m.answer ? 3 : 2;
  if (items.length < want) throw new MalformedError(code.length, '', `truncated: ${items.length} of ${want} items`);
  const ext = [];
  let extOff = code.length;
  if (items.length > want) {
    if (items.length > want + 1) throw new MalformedError(items[want + 1].start, '', 'items after the extension map');
    const e = items[want];
    extOff = e.start;
    readExt(e.raw, e.start, m, ext);
  }
  if (av) readAV(m, items, d);
  else if (residual) readResidual(m, items, d);
  else readCompact(m, head, items, ext, extOff, d);
  return m;
}

/**
 * readExt reads the extension map (SPEC.md §7 step 5) in wire order: the
 * pairs of known keys go to ext; unknown keys are kept in m.unknown.
 */
function readExt(raw, off, m, ext) {
  const unknown = new Map();
  for (const p of readExtMap(raw, off)) {
    const k = p.key;
    if (typeof k === 'number' && k >= 1 && k <= 7) {
      if (m.residual || m.av) throw new MalformedError(p.start, 'ext', `key ${k} belongs to the compact form`);
      ext.push(p);
    } else if (k < 0) {
      throw new UnsupportedError(p.start, 'ext', `must-understand key ${k} is not supported`);
    } else {
      // Unknown keys are ignored but kept for re-encoding; their encoding
      // was checked with the rest of the item.
      unknown.set(String(k), [cborEncode(k), p.raw.slice()]);
    }
  }
  m.unknown = [...unknown.values()];
}

function bytesItem(it, field) {
  const h = itemHeader(it.raw, 0);
  if (h === null || h.major !== 2) throw new MalformedError(it.start, field, 'want a byte string');
  return { b: it.raw.subarray(h.hdr), off: it.start + h.hdr };
}

function applyExt(m, ext, extOff, d, mmsCls) {
  let off = extOff;
  const bad = (k, what) => new MalformedError(off, 'ext', `key ${k}: ${what}`);
  for (const p of ext) {
    const k = p.key, v = readItem(p.raw, 0).value;
    off = p.start;
    switch (k) {
      case 1: {
        if (!Array.isArray(v) || v.length === 0) throw bad(k, 'want a non-empty array of fingerprints');
        if (v.length > MAX_FINGERPRINTS) throw new LimitError(off, 'ext', `more than ${MAX_FINGERPRINTS} fingerprints`);
        for (const pair of v) {
          if (!Array.isArray(pair) || pair.length !== 2) throw bad(k, 'want [algorithm, digest]');
          let alg;
          if (isUint(pair[0])) {
            if (typeof pair[0] === 'bigint' || pair[0] >= HASHES.length) throw bad(k, 'unknown hash function number');
            alg = HASHES[pair[0]][0];
          } else if (typeof pair[0] === 'string') {
            alg = pair[0];
            if (alg === '' || alg.length > 32 || !isToken(alg) || alg.toLowerCase() !== alg) throw bad(k, 'hash function name is not a lower-case token');
            if (hashIndex(alg) >= 0) m.nonCanon = true; // registered: by number (step 8)
          } else throw bad(k, 'hash function must be a number or a name');
          const val = pair[1];
          if (!(val instanceof Uint8Array)) throw bad(k, 'digest must be a byte string');
          const i = hashIndex(alg);
          if ((i >= 0 && HASHES[i][1] !== val.length) || val.length === 0 || val.length > 64) throw bad(k, 'wrong fingerprint length');
          m.fps.push({ alg, val });
        }
        break;
      }
      case 2: case 4: case 5: {
        const isNull = v === null;
        if (!isNull && !isUint(v)) throw bad(k, 'want an unsigned integer or null');
        const n = isNull ? 0 : v;
        if (k === 2) {
          if (typeof n === 'bigint' || n > Number.MAX_SAFE_INTEGER) throw bad(k, 'max-message-size too large');
          m.mms = isNull ? null : n;
        } else if (k === 4) {
          if (typeof n === 'bigint' || n > 65535) throw bad(k, 'sctp-port too large');
          m.sctpPort = isNull ? null : n;
        } else {
          if (isNull || typeof n === 'bigint' || n > 65535) throw bad(k, 'want a stream count');
          m.legacy = n;
        }
        break;
      }
      case 3:
        if (v === null) { m.mid = null; break; }
        if (typeof v !== 'string' || !isToken(v)) throw bad(k, 'want a token or null');
        m.mid = v;
        break;
      case 6: case 7:
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) throw bad(k, 'want a non-empty array of lines');
        if (k === 6) m.extraSess = v; else m.extraMedia = v;
        break;
    }
  }
  if (m.legacy !== null && m.sctpPort === null) throw new MalformedError(off, 'ext', 'legacy m-line needs an sctp port');
  if ((mmsCls === MMS_OTHER) !== ext.some((e) => e.key === 2)) throw new MalformedError(off, 'ext', 'key 2 is present exactly with max-message-size class 3');
  let total = 0;
  const all = [...m.extraSess, ...m.extraMedia];
  for (let i = 0; i < all.length; i++) {
    total += utf8Len(all[i]) + 2;
    if (!isExtraLine(all[i], i >= m.extraSess.length, m.mid)) throw new MalformedError(off, 'ext', 'extra line is not one the encoder carries there');
  }
  if (total > d.maxSDP) throw new LimitError(off, 'ext', 'extra lines exceed the SDP limit');
}

function readCompact(m, head, items, ext, extOff, d) {
  const { b: body, off: base } = bytesItem(items[1], 'body');
  const cls = (head >> 2) & 3;
  m.mms = cls === MMS_OTHER ? null : MMS_CLASSES[cls];
  applyExt(m, ext, extOff, d, cls);
  let p = 0;
  if (m.answer) {
    if (body.length < BIND_LEN) throw new MalformedError(base, 'body', 'too short for the binding');
    m.bind = body.slice(0, BIND_LEN);
    p = BIND_LEN;
  }
  const fpLen = ext.some((e) => e.key === 1) ? 0 : 32;
  const cr = readCreds(body, p, base, fpLen);
  m.ufrag = cr.ufrag; m.pwd = cr.pwd; m.iceLite = cr.iceLite;
  // Non-zero padding bits are non-canonical, reported at step 8 (SPEC §7).
  if (!cr.ok) m.nonCanon = true;
  p = cr.end;
  if (fpLen > 0) m.fps = [{ alg: 'sha-256', val: body.slice(body.length - fpLen) }];
  m.cands = readCandidates(body.subarray(p, body.length - fpLen), base + p, d.maxCands);
  const seen = new Set();
  for (const cand of m.cands) {
    const key = candidateKey(cand);
    if (seen.has(key)) m.nonCanon = true; // a repeated candidate (step 8)
    seen.add(key);
  }
}

const tdFatal = new TextDecoder('utf-8', { fatal: true });

function readResidual(m, items, d) {
  let i = 1;
  if (m.answer) {
    const { b } = bytesItem(items[1], 'binding');
    if (b.length !== BIND_LEN) throw new MalformedError(items[1].start, 'binding', 'binding must be 4 bytes');
    m.bind = b.slice();
    i = 2;
  }
  const { b: res } = bytesItem(items[i], 'residual');
  let text;
  try {
    text = inflate(res, SDP_DICTIONARY, d.maxSDP);
  } catch (e) {
    if (e instanceof InflateError) {
      if (e.limit) throw new LimitError(items[i].start, 'residual', `decompressed text exceeds ${d.maxSDP} bytes`);
      throw new MalformedError(items[i].start, 'residual', 'not a valid DEFLATE stream: ' + e.message);
    }
    throw e;
  }
  try { m.text = tdFatal.decode(text); } catch { throw new MalformedError(items[i].start, 'residual', 'text is not UTF-8'); }
  m.deflated = res;
}

/**
 * readAV reads an A/V code's items (AVFORM §5): the tables (step 6), then,
 * for an answer, its offer (needs-offer, binding), the body, the text and
 * the edits, and renders the description into m.sdp.
 */
function readAV(m, items, d) {
  const values = items.map((it) => readItem(it.raw, 0).value);
  const counts = { digests: itemHeader(items[2].raw, 0).arg };
  const t = readTables(items, values, counts);
  const body = values[1], base = items[1].start + itemHeader(items[1].raw, 0).hdr;
  let p = 0;
  m.offerParts = null;
  m.offerMaps = null;
  if (m.answer) {
    if (!d.offer || d.offer.length === 0) throw new NeedsOfferError(0, 'offer', 'an answer in the audio/video form needs the code of its offer');
    if (body.length < BIND_LEN) throw new MalformedError(base, 'body', 'too short for the binding');
    m.bind = body.slice(0, BIND_LEN);
    p = BIND_LEN;
    if (!equalBytes(m.bind, bindingOf(d.offer))) throw new BindingError(base, 'binding', 'the answer is bound to another offer');
    let om;
    try { om = decodeModel(d.offer, { ...d, offer: null }); } catch (e) {
      // Any failure of the offer's code, unsupported included, is binding.
      if (e instanceof CodecError) throw new BindingError(-1, 'offer', `the offer's code is not valid: ${e.message}`);
      throw e;
    }
    if (om.answer) throw new BindingError(-1, 'offer', 'the code given as offer is an answer');
    if (om.av) { m.offerParts = om.parts; m.offerMaps = om.maps; }
  }
  const cr = readCreds(body, p, base, 0);
  if (cr.iceLite) throw new MalformedError(base + p, 'body', 'the ice-lite bit is set in the audio/video form');
  if (!cr.ok) m.nonCanon = true;
  m.ufrag = cr.ufrag; m.pwd = cr.pwd;
  m.cands = readCandidates(body.subarray(cr.end), base + cr.end, d.maxCands);
  m.tables = { cands: m.cands, ufrag: m.ufrag, pwd: m.pwd, digests: t.digests, ssrcs: t.ssrcs, ids: t.ids };
  let text;
  try {
    // No inserted line: the empty byte string; a stream of no text is not canonical.
    text = values[6].length === 0 ? new Uint8Array(0) : inflate(values[6], textDictionary(m.offerParts), d.maxSDP);
    if (values[6].length > 0 && text.length === 0) m.nonCanon = true;
  } catch (e) {
    if (e instanceof InflateError) {
      if (e.limit) throw new LimitError(items[6].start, 'text', `decompressed text exceeds ${d.maxSDP} bytes`);
      throw new MalformedError(items[6].start, 'text', 'not a valid DEFLATE stream: ' + e.message);
    }
    throw e;
  }
  let str;
  try { str = tdFatal.decode(text); } catch { throw new MalformedError(items[6].start, 'text', 'text is not UTF-8'); }
  if (str !== '' && !str.endsWith('\n')) throw new MalformedError(items[6].start, 'text', 'the text does not end with LF');
  const lines = str === '' ? [] : str.slice(0, -1).split('\n');
  if (lines.some((l) => l === '')) throw new MalformedError(items[6].start, 'text', 'an empty line');
  m.inserted = lines;
  m.textRaw = values[6];
  const r = applyEdits(values[5], lines, PROFILES, m.offerParts, d.maxSDP, items[5].start, m.offerMaps);
  m.parts = r.parts;
  m.maps = r.maps;
  m.maxProfile = r.maxProfile;
  m.sdp = renderSkeleton(m.parts, m.tables, d.maxSDP, items[5].start);
}

/**
 * avModel returns the A/V model of a parsed description (AVFORM §1, §2) or
 * null when it is not A/V-eligible; LimitError over maxCands candidates.
 */
function avModel(p, answer, pol, maxCands) {
  const sk = extractSkeleton(p, pol);
  if (sk === null) return null;
  if (sk.cands.length > maxCands) throw new LimitError(-1, 'candidates', `${sk.cands.length} candidates after the policy, over the limit of ${maxCands}`);
  return { answer, av: true, residual: false, sk, unknown: [] };
}

/**
 * checkAV re-encodes a decoded A/V model (AVFORM §5, last step): any
 * difference from the code is non-canonical. The bases are those a
 * decoder that knows only profiles 0..maxProfile would use.
 */
function checkAV(m, code, d) {
  const p = parseSDPOr(m.sdp);
  let again = null;
  if (compactModel(p, m.answer, policyOf({ keepComponent2: true })) === null) {
    again = avModel(p, m.answer, policyOf({ keepComponent2: true }), d.maxCands);
  }
  if (again === null) return false;
  const e = buildEdits(again.sk.parts, m.offerParts, m.maxProfile + 1, m.offerMaps);
  again.edits = e.edits;
  again.bind = m.bind;
  again.unknown = m.unknown;
  const lines = e.inserted;
  if (lines.length !== m.inserted.length || lines.some((l, i) => l !== m.inserted[i])) return false;
  return equalBytes(writeAV(again, m.textRaw), code);
}

function parseSDPOr(text) {
  try { return parseSDP(text); } catch (e) {
    if (e instanceof InvalidSDPError) throw new MalformedError(-1, 'skeleton', 'the description is not valid: ' + e.message);
    throw e;
  }
}

/** decodeModel: SPEC.md §7 steps 1–8. */
function decodeModel(code, d) {
  const m = readModel(code, d);
  let res = null;
  if (m.av) {
    if (!checkAV(m, code, d) || m.nonCanon) throw new NonCanonicalError(0, '', 'not the canonical encoding');
    return m;
  }
  if (m.residual) {
    if (!isNormalForm(m.text)) throw new NonCanonicalError(-1, 'residual', 'text is not in normal form');
    let p;
    try { p = parseSDP(m.text); } catch (e) {
      if (e instanceof InvalidSDPError) throw new MalformedError(-1, 'residual', 'text is not a valid description: ' + e.message);
      throw e;
    }
    if (compactModel(p, m.answer, policyOf({ keepComponent2: true })) !== null) throw new NonCanonicalError(-1, 'residual', 'description must use the compact form');
    if (extractSkeleton(p, policyOf({ keepComponent2: true })) !== null) throw new NonCanonicalError(-1, 'residual', 'description must use the audio/video form');
    // The DEFLATE parse is not checked (SPEC.md §4.7): any valid stream of
    // the canonical text is accepted, so the received bytes stand for
    // themselves in the comparison.
    res = m.deflated;
  }
  const again = encodeModel(m, res);
  if (m.nonCanon || compareBytes(again, code) !== 0) {
    let off = 0;
    while (off < again.length && off < code.length && again[off] === code[off]) off++;
    throw new NonCanonicalError(off, "", "not the canonical encoding");
  }
  return m;
}

/**
 * skeletonParts returns the skeleton parts of an offer code in the A/V form
 * (the base an answer to it is coded against), or null for another form.
 * Not part of the package's API: tests use it.
 */
export function skeletonParts(offer) {
  const m = decodeModel(offer, decOptions());
  return m.av ? m.parts : null;
}

function equalBytes(a, b) { return a.length === b.length && compareBytes(a, b) === 0; }

function checkOfferCode(offer) {
  if (!offer || offer.length === 0) throw new BindingError(-1, 'offer', 'an answer needs the code of its offer');
  let m;
  try { m = decodeModel(offer, decOptions()); } catch (e) {
    if (e instanceof CodecError) throw new BindingError(-1, 'offer', `the offer's code is not valid: ${e.message}`);
    throw e;
  }
  if (m.answer) throw new BindingError(-1, 'offer', 'the code given as offer is an answer');
  return m;
}

function typeOf(t) {
  if (t === 'offer' || t === 'answer') return t;
  throw new InvalidSDPError(-1, 'type', 'description type is neither offer nor answer');
}

/**
 * encode returns the binary code of description {type, sdp} (SPEC.md §4).
 * An answer needs offerCode, the binary code of its offer (§6).
 * options: {policy, maxSDPBytes, maxCandidates}.
 */
export function encode(description, offerCode, options = {}) {
  // The options are checked first, as the Go reference does when it makes
  // its encoder; then SPEC.md §8's order: type, size, validity, candidates,
  // binding.
  const pol = policyOf(options.policy);
  const maxSDP = range(options.maxSDPBytes, limits.DEFAULT_MAX_SDP_BYTES, limits.MIN_MAX_SDP_BYTES, limits.MAX_MAX_SDP_BYTES, 'maxSDPBytes');
  const maxCands = range(options.maxCandidates, limits.DEFAULT_MAX_CANDIDATES, 1, limits.MAX_MAX_CANDIDATES, 'maxCandidates');
  const maxCode = range(options.maxCodeBytes, limits.DEFAULT_MAX_CODE_BYTES, limits.MIN_MAX_CODE_BYTES, limits.MAX_MAX_CODE_BYTES, 'maxCodeBytes');
  const type = typeOf(description && description.type);
  const sdp = description.sdp;
  if (typeof sdp !== 'string') throw new InvalidSDPError(-1, 'sdp', 'sdp must be a string');
  const inLen = utf8Len(sdp);
  if (inLen > maxSDP) throw new LimitError(-1, 'sdp', `description is over the limit of ${maxSDP} bytes`);
  const p = parseSDP(sdp);
  const answer = type === 'answer';
  let m = compactModel(p, answer, pol);
  if (m !== null) {
    if (m.cands.length > maxCands) throw new LimitError(-1, 'candidates', `${m.cands.length} candidates after the policy, over the limit of ${maxCands}`);
    if (m.extraSess.length > MAX_ARRAY || m.extraMedia.length > MAX_ARRAY) throw new LimitError(-1, 'ext', `more than ${MAX_ARRAY} extra lines at one level`);
  } else {
    m = avModel(p, answer, pol, maxCands) ?? { answer, residual: true, text: splitLines(sdp).join('\n'), unknown: [] };
  }
  let offerParts = null, offerMaps = null;
  if (answer) {
    const om = checkOfferCode(offerCode);
    if (om.av) { offerParts = om.parts; offerMaps = om.maps; }
    m.bind = bindingOf(offerCode);
  }
  if (m.av) {
    const e = buildEdits(m.sk.parts, offerParts, PROFILES.length, offerMaps);
    m.edits = e.edits;
    const outLen = utf8Len(renderSkeleton(m.sk.parts, m.sk, Number.MAX_SAFE_INTEGER, -1));
    if (outLen > maxSDP) throw new LimitError(-1, 'sdp', `the code would decode to ${outLen} bytes of SDP, over the limit of ${maxSDP}`);
    const text = insertedText(e.inserted);
    const code = writeAV(m, text.length === 0 ? text : compress(text, textDictionary(offerParts)));
    if (code.length > maxCode) throw new LimitError(-1, 'code', `code of ${code.length} bytes is over the limit of ${maxCode}`);
    return code;
  }
  // SPEC.md §8: no code that a decoder with the same limits rejects.
  const outLen = decodedLen(m, inLen, maxSDP);
  if (outLen > maxSDP) throw new LimitError(-1, 'sdp', `the code would decode to ${outLen} bytes of SDP, over the limit of ${maxSDP}`);
  const res = m.residual ? compress(te.encode(m.text), SDP_DICTIONARY) : null;
  const code = encodeModel(m, res);
  if (code.length > maxCode) throw new LimitError(-1, 'code', `code of ${code.length} bytes is over the limit of ${maxCode}`);
  return code;
}

// decodedLen returns the length in bytes of the description a decoder
// builds from m (SPEC.md §3.5), or a smaller number when that is certainly
// within limit: a compact description is rebuilt in less than twice its
// input plus 1 KiB, so only a long input is rebuilt to be measured.
function decodedLen(m, inLen, limit) {
  if (m.residual) {
    let lf = 0;
    for (let i = m.text.indexOf('\n'); i >= 0; i = m.text.indexOf('\n', i + 1)) lf++;
    return utf8Len(m.text) + lf + 2; // every LF becomes CRLF, plus a final CRLF
  }
  if (2 * inLen + 1024 <= limit) return 0;
  return utf8Len(compactSDP(m));
}

/**
 * decode returns the description {type, sdp} a binary code carries
 * (SPEC.md §7). options: {maxCodeBytes, maxSDPBytes, maxCandidates, offer}
 * where offer is the code of the offer this decoder made: an answer bound to
 * another offer fails with 'binding'.
 */
export function decode(code, options = {}) {
  const d = decOptions(options);
  const m = decodeModel(code, d);
  if (m.answer && d.offer && !equalBytes(m.bind, bindingOf(d.offer))) throw new BindingError(0, 'binding', 'the answer is bound to another offer');
  if (m.av) return { type: m.answer ? 'answer' : 'offer', sdp: m.sdp };
  const sdp = m.residual ? m.text.replaceAll('\n', '\r\n') + '\r\n' : compactSDP(m);
  if (utf8Len(sdp) > d.maxSDP) throw new LimitError(-1, 'sdp', `decoded description is over the limit of ${d.maxSDP} bytes`);
  return { type: m.answer ? 'answer' : 'offer', sdp };
}

/**
 * checkBinding returns normally when the answer code is bound to the offer
 * code; it throws BindingError when not, or another class when answer is not
 * a valid answer code.
 */
export function checkBinding(answer, offer) {
  const m = decodeModel(answer, decOptions({ offer }));
  if (!m.answer) throw new BindingError(0, 'binding', 'the code is an offer, not an answer');
  if (!equalBytes(m.bind, bindingOf(offer))) throw new BindingError(0, 'binding', 'the answer is bound to another offer');
}

function sameModel(a, b) {
  if (a.setup !== b.setup || a.ufrag !== b.ufrag || a.pwd !== b.pwd) return false;
  if (a.fps.length !== b.fps.length || !a.fps.every((f, i) => f.alg === b.fps[i].alg && equalBytes(f.val, b.fps[i].val))) return false;
  if (a.cands.length !== b.cands.length || !a.cands.every((c, i) => sameCandidate(c, b.cands[i]))) return false;
  if (a.mid !== b.mid || a.sctpPort !== b.sctpPort || a.legacy !== b.legacy || a.mms !== b.mms || a.iceLite !== b.iceLite) return false;
  const eqList = (x, y) => x.length === y.length && x.every((l, i) => l === y[i]);
  return eqList(a.extraSess, b.extraSess) && eqList(a.extraMedia, b.extraMedia);
}

/**
 * avEquivalent compares the skeleton so of an A/V-eligible original with
 * that of the decoded description: the same skeleton lines part by part,
 * the same tables and credentials, and the same candidates (the decoded
 * description's under a policy that keeps every component).
 */
function avEquivalent(so, decoded, answer) {
  let pd;
  try { pd = parseSDP(decoded); } catch { return false; }
  const all = policyOf({ keepComponent2: true });
  if (compactModel(pd, answer, all) !== null) return false;
  const sd = extractSkeleton(pd, all);
  const eqList = (x, y, eq = (a, b) => a === b) => x.length === y.length && x.every((a, i) => eq(a, y[i]));
  return sd !== null && so.ufrag === sd.ufrag && so.pwd === sd.pwd &&
    eqList(so.digests, sd.digests, equalBytes) && eqList(so.ssrcs, sd.ssrcs) && eqList(so.ids, sd.ids) &&
    eqList(so.cands, sd.cands, sameCandidate) && eqList(so.parts, sd.parts, (a, b) => eqList(a, b));
}

/**
 * equivalent reports whether the decoded description is equivalent to the
 * original one encoded with policy (SPEC.md §3.6). It returns true or false;
 * an original that is not a valid description throws InvalidSDPError.
 */
export function equivalent(original, decoded, policy) {
  if (original.type !== decoded.type) return false;
  const answer = typeOf(original.type) === 'answer';
  const po = parseSDP(original.sdp);
  const mo = compactModel(po, answer, policyOf(policy));
  if (mo === null) {
    const so = extractSkeleton(po, policyOf(policy));
    if (so !== null) return avEquivalent(so, decoded.sdp, answer);
    return splitLines(original.sdp).join('\n') === splitLines(decoded.sdp).join('\n');
  }
  let pd;
  try { pd = parseSDP(decoded.sdp); } catch { return false; }
  const md = compactModel(pd, answer, policyOf({ keepComponent2: true }));
  return md !== null && sameModel(mo, md);
}

export { applyPolicy };
