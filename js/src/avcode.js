// The compact audio/video form (heads 18 and 19, AVFORM §4): building its
// model from a skeleton, writing its code, and reading its items.

import { MalformedError, LimitError } from './errors.js';
import { Writer } from './cbor.js';
import { writeCandidates, writeCreds } from './body.js';
import { SDP_DICTIONARY } from './dict.js';
import { PROFILES } from './avprofiles.js';
import { choosePart, lineIndex, BASE_EMPTY, BASE_OFFER, BASE_OWN, BASE_PROFILE } from './avedits.js';

export const HEAD_AV_OFFER = 18, HEAD_AV_ANSWER = 19;
export const AV_ITEMS = 7; // head, body, digests, ssrcs, ids, edits, text (absent when empty)

const te = new TextEncoder();

function linesText(parts) {
  let s = '';
  for (const part of parts) for (const l of part) s += l + '\n';
  return s;
}

let registryText = null;

// The stopped sections text of the dictionary (AVFORM §14.6): the skeleton
// m= lines of a stopped or rejected audio or video section (port 0), which
// no profile has.
const STOPPED_TEXT = te.encode('m=video 0 UDP/TLS/RTP/SAVPF \x10\nm=audio 0 UDP/TLS/RTP/SAVPF \x10\n');

/**
 * MUNGE_TEXT is the edits text of the dictionary (AVFORM §14.6): what
 * applications commonly add to a description by editing its text.
 */
const MUNGE_TEXT = te.encode('b=AS:\nb=TIAS:\na=ptime:20\na=maxptime:60\n' +
  'a=fmtp:96 x-google-start-bitrate=;x-google-min-bitrate=;x-google-max-bitrate=\n' +
  'a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;maxaveragebitrate=510000;maxplaybackrate=48000;cbr=1;usedtx=1\n');

/**
 * textDictionary is the DEFLATE dictionary of the text item (AVFORM §3 and
 * its decisions): the registry text (every profile's lines, each followed
 * by LF), the SDP dictionary (after the registry, so that it stays in the
 * window), the stopped sections text, the edits text and, for an answer to
 * an A/V offer, the offer's skeleton text and its accepted extensions text
 * (acceptedExtension).
 * Only its last 32768 bytes count; the inflater and the compressor cut it.
 */
export function textDictionary(offerParts) {
  if (registryText === null) registryText = te.encode(linesText(PROFILES));
  const off = offerParts === null ? new Uint8Array(0)
    : te.encode(linesText(offerParts) + linesText([offerParts.flat().map(acceptedExtension).filter((l) => l !== null)]));
  const d = new Uint8Array(registryText.length + SDP_DICTIONARY.length + STOPPED_TEXT.length + MUNGE_TEXT.length + off.length);
  let at = 0;
  for (const piece of [registryText, SDP_DICTIONARY, STOPPED_TEXT, MUNGE_TEXT, off]) {
    d.set(piece, at);
    at += piece.length;
  }
  return d;
}

/**
 * acceptedExtension returns an offer's a=extmap line l whose id is followed
 * by a direction (`a=extmap:9/sendonly urn:…`) as an answer accepts it,
 * without the direction (`a=extmap:9 urn:…`); null for any other line
 * (AVFORM §14.6: the accepted extensions text).
 */
function acceptedExtension(l) {
  if (!l.startsWith('a=extmap:')) return null;
  const v = l.slice('a=extmap:'.length);
  const sp = v.indexOf(' ');
  const slash = sp < 0 ? -1 : v.slice(0, sp).indexOf('/');
  return slash < 1 ? null : 'a=extmap:' + v.slice(0, slash) + v.slice(sp);
}

const profileIndices = [];

function profileIndex(k) {
  if (profileIndices[k] === undefined) profileIndices[k] = lineIndex(PROFILES[k]);
  return profileIndices[k];
}

/**
 * buildEdits codes each skeleton part against the cheapest base (AVFORM §3):
 * the empty base, the offer's parts (offerParts, or null), the earlier
 * parts of the description, profiles 0 to nProfiles − 1. Returns {edits, inserted}: the edits byte string (without
 * the last part's COPY END, which its end implies) and the inserted lines of all parts in order.
 */
export function buildEdits(parts, offerParts, nProfiles, offerMaps = null) {
  const bases = [{ base: BASE_EMPTY, lines: [] }];
  if (offerParts !== null) offerParts.forEach((lines, index) => bases.push({ base: BASE_OFFER, index, lines }));
  for (const b of bases) b.at = lineIndex(b.lines);
  const profiles = [];
  for (let k = 0; k < nProfiles; k++) profiles.push({ base: BASE_PROFILE + k, lines: PROFILES[k], at: profileIndex(k) });
  const edits = [];
  const inserted = [];
  for (let x = 0; x < parts.length; x++) {
    const part = parts[x];
    const c = choosePart(part, bases.concat(profiles), x, offerParts, offerMaps?.[x] ?? null);
    bases.push({ base: BASE_OWN, index: x, lines: part, at: lineIndex(part) });
    edits.push(...c.bytes);
    inserted.push(...c.inserted);
    if (x === parts.length - 1 && c.copyEnd) edits.pop(); // the end of the edits implies the last COPY END
  }
  return { edits: Uint8Array.from(edits), inserted };
}

/** insertedText is the text item's content: each inserted line and LF. */
export function insertedText(inserted) {
  return te.encode(inserted.map((l) => l + '\n').join(''));
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** isLowerUUID: the identifier travels as 16 bytes (AVFORM §4). */
export function isLowerUUID(s) { return s.length === 36 && UUID_RE.test(s); }

function uuidBytes(s) {
  const h = s.replace(/-/g, '');
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** uuidText is the lower-case UUID text of 16 bytes. */
export function uuidText(b) {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_RE = /^(?:[A-Za-z0-9+/]{4})+$/;

/**
 * isBase64ID: the identifier is base64 text without padding (1 or more
 * groups of 4 characters of A–Z a–z 0–9 + /) and travels as its 3 bytes a
 * group (AVFORM §4).
 */
export function isBase64ID(s) { return B64_RE.test(s); }

function base64Bytes(s) {
  const b = new Uint8Array((s.length / 4) * 3);
  for (let i = 0, o = 0; i < s.length; i += 4, o += 3) {
    const v = (B64.indexOf(s[i]) << 18) | (B64.indexOf(s[i + 1]) << 12) | (B64.indexOf(s[i + 2]) << 6) | B64.indexOf(s[i + 3]);
    b[o] = v >> 16; b[o + 1] = (v >> 8) & 0xff; b[o + 2] = v & 0xff;
  }
  return b;
}

function base64Text(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  return s;
}

/**
 * writeAV returns the code of A/V model m = {answer, bind, sk (the
 * skeleton's tables), edits, unknown} with text as the text item's bytes.
 */
export function writeAV(m, text) {
  const w = new Writer();
  w.uint(m.answer ? HEAD_AV_ANSWER : HEAD_AV_OFFER);
  const body = [];
  if (m.answer) body.push(...m.bind);
  writeCreds(body, { ufrag: m.sk.ufrag, pwd: m.sk.pwd, iceLite: false });
  body.push(...writeCandidates(m.sk.cands));
  w.bstr(Uint8Array.from(body));
  if (m.sk.digests.length === 1) w.bstr(m.sk.digests[0]); // one digest: the byte string alone
  else {
    w.head(4, m.sk.digests.length);
    for (const d of m.sk.digests) w.bstr(d);
  }
  const ss = new Uint8Array(4 * m.sk.ssrcs.length);
  const dv = new DataView(ss.buffer);
  m.sk.ssrcs.forEach((v, i) => dv.setUint32(4 * i, v));
  w.bstr(ss);
  w.head(4, m.sk.ids.length);
  for (const id of m.sk.ids) {
    if (isLowerUUID(id)) w.bstr(uuidBytes(id));
    else if (isBase64ID(id)) w.bstr(base64Bytes(id));
    else w.tstr(id);
  }
  w.bstr(m.edits);
  if (text.length > 0) w.bstr(text); // no inserted line: no text item
  if (m.unknown.length > 0) w.map(m.unknown.slice());
  return w.result();
}

// eslint-disable-next-line no-control-regex
const ID_BAD = /[\x00-\x20\x7f]/;

/**
 * readTables checks and reads items 1 to 6 of an A/V code (AVFORM §5 step
 * 6): their types, then the digests (count: limit, lengths), the SSRCs'
 * length and the identifiers. values are the items' decoded values.
 */
export function readTables(items, values, counts) {
  const types = ['bstr', 'array', 'bstr', 'array', 'bstr', 'bstr'];
  for (let i = 1; i < AV_ITEMS; i++) {
    const v = values[i];
    // The digests: an array, or one digest as a byte string.
    const ok = types[i - 1] === 'bstr' ? v instanceof Uint8Array : Array.isArray(v) || (i === 2 && v instanceof Uint8Array);
    if (!ok) throw new MalformedError(items[i].start, 'av', `item ${i} must be a ${types[i - 1] === 'bstr' ? 'byte string' : 'array'}`);
  }
  const digests = values[2] instanceof Uint8Array ? [values[2]] : values[2];
  if (values[2] instanceof Uint8Array) counts.digests = 1;
  if (counts.digests > 8) throw new LimitError(items[2].start, 'digests', 'more than 8 digests');
  for (const d of digests) {
    if (!(d instanceof Uint8Array) || d.length === 0 || d.length > 64) throw new MalformedError(items[2].start, 'digests', 'a digest must be 1 to 64 bytes');
  }
  const ss = values[3];
  if (ss.length % 4 !== 0) throw new MalformedError(items[3].start, 'ssrcs', 'length is not a multiple of 4');
  const ssrcs = [];
  const dv = new DataView(ss.buffer, ss.byteOffset, ss.length);
  for (let i = 0; i < ss.length; i += 4) ssrcs.push(dv.getUint32(i));
  const ids = values[4].map((e) => {
    if (e instanceof Uint8Array && e.length === 16) return uuidText(e);
    if (e instanceof Uint8Array && e.length > 0 && e.length % 3 === 0) return base64Text(e);
    if (typeof e === 'string' && e !== '' && !ID_BAD.test(e)) return e;
    throw new MalformedError(items[4].start, 'ids', 'an identifier must be 16 bytes, a multiple of 3 bytes, or a text without control characters, SP and TAB');
  });
  return { digests, ssrcs, ids };
}
