// The skeleton of an audio/video description (the compact audio/video
// form, heads 18 and 19, AVFORM §2): its lines in normal form, with the
// transport (credentials, fingerprints, candidates) and the random
// identifiers (SSRCs, UUIDs, cnames) lifted out into tables and replaced by
// marker bytes. Markers are control bytes, which no SDP line holds (SPEC.md
// §3.1 rule 2). The encoder lifts (extractSkeleton); the decoder renders
// (renderSkeleton). The encoder finds the places of markers with walkLine.

import { MalformedError, LimitError } from './errors.js';
import { byteLen } from './avedits.js';
import {
  KIND_IPV4, KIND_MDNS, attrName, isToken, isICEString, parseDecimal, parseCandidate, keeps, candidateLine, sessionID,
} from './sdp.js';

export const MK_CANDIDATE = '\x01', MK_PORT = '\x02', MK_ADDRESS = '\x03', MK_UFRAG = '\x04', MK_PWD = '\x05';
export const MK_DIGEST_UP = '\x06', MK_SESS_ID = '\x07', MK_DIGEST_LOW = '\x08', MK_SSRC = '\x0e', MK_STRING = '\x0f';
export const MK_PAYLOADS = '\x10', MK_SSRC_OLD = '\x11', MK_STRING_OLD = '\x12', MK_MIDS = '\x13';
// A whole kept candidate line that is its section's transport candidate but not its first.
export const MK_TRANSPORT = '\x14';

const isCandidateMarker = (l) => l === MK_CANDIDATE || l === MK_TRANSPORT;

/**
 * transportIndex returns which of a section's kept candidates cands (at
 * least one) is its transport candidate (AVFORM §2): the first, unless
 * another writes the port of its m= line and the address of its c= line
 * (any address when it has no c= line) and the first does not write both;
 * then the first such. A stack writes there its default candidate, which is
 * not the first it lists when it has a server-reflexive or relayed one.
 */
function transportIndex(sec, cands) {
  const field = (v, k) => (v.split(' ')[k] ?? '').split('/')[0];
  const port = field(sec[0].val, 1);
  const c = sec.find((l) => l.typ === 'c');
  const writes = (fc) => {
    const mdns = fc.kind === KIND_MDNS; // written as the dummy 9 and 0.0.0.0 (RFC 8840)
    return port === (mdns ? '9' : String(fc.port)) && (c === undefined || field(c.val, 2) === (mdns ? '0.0.0.0' : fc.addr));
  };
  return Math.max(0, cands.findIndex(writes));
}

const BUNDLE_PREFIX = 'a=group:BUNDLE ';

/**
 * rejected reports whether a media part's m= line has the port 0 (the
 * text, not a marker: a bundle-only part's port is 0x02); RFC 8843 leaves
 * such a section out of its BUNDLE group.
 */
function rejected(part) {
  if (part.length === 0 || !part[0].startsWith('m=')) return false;
  const f = part[0].split(' ');
  return f.length >= 2 && f[1] === '0';
}

/**
 * partMids returns, for the media parts not rejected, {mids, every, bad}:
 * the values of the first a=mid line of each that has one, joined by SPs;
 * whether every one has one (and there is one); whether a value is empty
 * or holds a character below 0x21.
 */
function partMids(media) {
  const mids = [];
  let every = true, bad = false, n = 0;
  for (const part of media) {
    if (rejected(part)) continue;
    n++;
    const l = part.find((x) => x.startsWith('a=mid:'));
    if (l === undefined) { every = false; continue; }
    const v = l.slice(6);
    bad = bad || v === '' || /[\x00-\x20]/.test(v);
    mids.push(v);
  }
  return { mids: mids.join(' '), every: every && n > 0, bad };
}

/**
 * markMids replaces, in the session part, the list of each line
 * `a=group:BUNDLE <list>` by the marker 0x13 where it is the mids of
 * partMids, in order (AVFORM §2).
 */
function markMids(parts) {
  const { mids, every, bad } = partMids(parts.slice(1));
  if (!every || bad) return;
  const session = parts[0];
  for (let k = 0; k < session.length; k++) {
    if (session[k] === BUNDLE_PREFIX + mids) session[k] = BUNDLE_PREFIX + MK_MIDS;
  }
}

/**
 * BUNDLE_ONLY is what 0x02 and 0x03 stand for in a bundle-only part (one
 * holding `a=bundle-only` and no candidate of its own), as a candidate:
 * port 0, address 0.0.0.0 (RFC 8843 §7.1.2).
 */
const BUNDLE_ONLY = { kind: KIND_IPV4, addr: '0.0.0.0', port: 0 };

/**
 * tableRef is the marker and index text of entry i of a table whose part
 * origin is origin (the entries first referenced in earlier parts, AVFORM
 * §2): new in this part, mk and i − origin; else old and i.
 */
const tableRef = (mk, old, i, origin) => (i >= origin ? mk + (i - origin) : old + i);

/**
 * rtpmapPayload returns the payload type text of a line "a=rtpmap:<pt> ..."
 * (up to the first space, or the end), or null for another line.
 */
export function rtpmapPayload(l) {
  if (!l.startsWith('a=rtpmap:')) return null;
  const v = l.slice(9);
  const sp = v.indexOf(' ');
  return sp < 0 ? v : v.slice(0, sp);
}

/**
 * liftPayloads replaces the format list of a skeleton m= line (the text
 * after its third space) by the marker 0x10 when pts (the section's
 * a=rtpmap payload types) is not empty, has no empty entry, and the list is
 * pts joined by single spaces (AVFORM §2).
 */
function liftPayloads(line, pts) {
  if (pts.length === 0 || pts.includes('')) return line;
  let cut = 0;
  for (let k = 0; k < 3; k++) {
    const i = line.indexOf(' ', cut);
    if (i < 0) return line;
    cut = i + 1;
  }
  return line.slice(cut) === pts.join(' ') ? line.slice(0, cut) + MK_PAYLOADS : line;
}

/** MAX_AV_DIGESTS: the most distinct digests an A/V description lifts (AVFORM §1 rule 5). */
export const MAX_AV_DIGESTS = 8;

/**
 * MAX_AV_SECTIONS: the most media sections an A/V-eligible description has
 * (a fixed rule of eligibility, not a limit: more take the residual form). It
 * bounds the decoder's comparison of every part with every base.
 */
export const MAX_AV_SECTIONS = 64;

// The kinds of places (AVFORM §2): a field, or part of one, whose text a
// marker replaces.
const PORT = 1, ADDRESS = 2, SESS = 3, UFRAG = 4, PWD = 5, DIGEST = 6, SSRC = 7, IDENT = 8, C_ADDRESS = 9;

const SSRC_PREFIXES = ['cname:', 'msid:', 'mslabel:', 'label:'];

/**
 * replaceFields returns prefix + v with some of v's fields (SPEC.md §3.1:
 * runs of characters other than SP and TAB) replaced: f(k, field) gets each
 * field's 0-based index and text and returns its replacement, or null to keep
 * it. Separators are kept.
 */
function replaceFields(v, prefix, f) {
  let out = prefix;
  let k = 0;
  for (let i = 0; i < v.length;) {
    let j = i;
    while (j < v.length && (v[j] === ' ' || v[j] === '\t')) j++;
    out += v.slice(i, j);
    i = j;
    while (j < v.length && v[j] !== ' ' && v[j] !== '\t') j++;
    if (j > i) {
      const r = f(k, v.slice(i, j));
      out += r === null ? v.slice(i, j) : r;
      k++;
    }
    i = j;
  }
  return out;
}

// upToSlash applies f to the text of field before its first '/'.
function upToSlash(field, kind, f) {
  const s = field.indexOf('/');
  const r = f(kind, s < 0 ? field : field.slice(0, s));
  return r === null ? null : s < 0 ? r : r + field.slice(s);
}

/**
 * walkLine returns a description line with the
 * text of each place a marker may stand replaced by f(kind, text), or kept
 * when f returns null. media tells a media section's line from a session
 * line, first the m= line of a section. Candidate lines are not walked.
 */
function walkLine(line, media, first, f) {
  const typ = line[0], val = line.slice(2);
  if (media && first) return replaceFields(val, typ + '=', (k, x) => (k === 1 ? upToSlash(x, PORT, f) : null));
  if (media && typ === 'c') return replaceFields(val, 'c=', (k, x) => (k === 2 ? upToSlash(x, C_ADDRESS, f) : null));
  // o=: the session id, always; the session version, a number, when it has
  // 5 digits or more (pion writes the time in seconds), as an SSRC.
  if (!media && typ === 'o') return replaceFields(val, 'o=', (k, x) => (k === 1 ? f(SESS, x) : k === 2 && x.length >= 5 ? f(SSRC, x) : null));
  if (typ !== 'a') return line;
  const colon = val.indexOf(':');
  if (colon < 0) return line;
  const name = val.slice(0, colon), v = val.slice(colon + 1), prefix = 'a=' + name + ':';
  const orKeep = (r, x) => (r === null ? x : r);
  switch (name) {
    case 'ice-ufrag': return prefix + orKeep(f(UFRAG, v), v);
    case 'ice-pwd': return prefix + orKeep(f(PWD, v), v);
    case 'fingerprint': {
      const sp = v.indexOf(' ');
      const hash = v.slice(0, sp);
      if (sp < 0 || !isToken(hash) || hash.length > 32) return line;
      const d = v.slice(sp + 1);
      return prefix + hash + ' ' + orKeep(f(DIGEST, d), d);
    }
    case 'ssrc': {
      let msid = false;
      return replaceFields(v, prefix, (k, x) => {
        if (k === 0) return f(SSRC, x);
        if (k === 1) {
          for (const p of SSRC_PREFIXES) {
            if (x.startsWith(p)) {
              msid = p === 'msid:';
              const r = f(IDENT, x.slice(p.length));
              return r === null ? null : p + r;
            }
          }
        }
        return k === 2 && msid ? f(IDENT, x) : null;
      });
    }
    // a=rtcp:<port> IN IP4 <address>: Firefox writes its first candidate's
    // address there when it has not bundled, and a port of 5 digits or more
    // (gathered for RTCP, whose candidate the policy drops), an SSRC field.
    case 'rtcp': return media ? replaceFields(v, prefix, (k, x) => (k === 3 ? f(ADDRESS, x) : k === 0 && x.length >= 5 ? f(SSRC, x) : null)) : line;
    case 'ssrc-group': return replaceFields(v, prefix, (k, x) => (k >= 1 ? f(SSRC, x) : null));
    case 'msid': return replaceFields(v, prefix, (k, x) => (k <= 1 ? f(IDENT, x) : null));
    case 'msid-semantic': return replaceFields(v, prefix, (k, x) => (k >= 1 && x !== '*' ? f(IDENT, x) : null));
  }
  return line;
}

// braces splits an identifier field into its braces (kept in the skeleton)
// and the identifier (AVFORM §2 "brace stripping").
function braces(x) {
  if (x.length >= 3 && x[0] === '{' && x[x.length - 1] === '}') return ['{', x.slice(1, -1), '}'];
  return ['', x, ''];
}

/**
 * parseDigest parses 1 to 64 two-hex-digit groups joined by ':' whose
 * letters are all upper case or all lower case: {raw, mk} (mk: the lower-case
 * marker when it has a lower-case letter), or null.
 */
function parseDigest(s) {
  if ((s.length + 1) % 3 !== 0 || s.length < 2 || s.length > 64 * 3 - 1) return null;
  let upper = false, lower = false;
  const raw = new Uint8Array((s.length + 1) / 3);
  for (let i = 0; i < s.length; i += 3) {
    if (i + 2 < s.length && s[i + 2] !== ':') return null;
    let b = 0;
    for (let k = 0; k < 2; k++) {
      const c = s.charCodeAt(i + k);
      let v;
      if (c >= 0x30 && c <= 0x39) v = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) { v = c - 0x61 + 10; lower = true; }
      else if (c >= 0x41 && c <= 0x46) { v = c - 0x41 + 10; upper = true; }
      else return null;
      b = (b << 4) | v;
    }
    raw[i / 3] = b;
  }
  if (upper && lower) return null;
  return { raw, mk: lower ? MK_DIGEST_LOW : MK_DIGEST_UP };
}

function digestKey(raw) { return Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join(''); }

// table is a list of distinct values in order of first appearance, with
// their indices.
class Table {
  constructor() { this.list = []; this.index = new Map(); }
  add(key, value = key) {
    let i = this.index.get(key);
    if (i === undefined) { i = this.list.length; this.index.set(key, i); this.list.push(value); }
    return i;
  }
}

/**
 * extractSkeleton returns the skeleton of the parsed description p (parseSDP)
 * under candidate policy pol: {parts, cands, ufrag, pwd, digests, ssrcs,
 * ids}, or null when p is not A/V-eligible by rules 2, 3 and 5 of AVFORM §1
 * or has more than MAX_AV_SECTIONS media sections (the caller checks rule 1,
 * compact eligibility, and rule 4, the candidate limit).
 */
export function extractSkeleton(p, pol) {
  if (p.media.length > MAX_AV_SECTIONS) return null;
  const digests = new Table(), ssrcs = new Table(), ids = new Table();
  let ufrag = null, pwd = null, ok = true;
  const lift = (kind, x) => {
    switch (kind) {
      case UFRAG: case PWD: {
        if (!isICEString(x) || x === '' || x.length > 255) { ok = false; return null; }
        if (kind === UFRAG) { if (ufrag !== null && ufrag !== x) ok = false; ufrag = x; return MK_UFRAG; }
        if (pwd !== null && pwd !== x) ok = false;
        pwd = x;
        return MK_PWD;
      }
      case SESS: return MK_SESS_ID;
      case DIGEST: {
        const d = parseDigest(x);
        return d === null ? null : d.mk + digests.add(digestKey(d.raw), d.raw);
      }
      case SSRC: {
        const v = parseDecimal(x, 4294967295);
        return v === null ? null : tableRef(MK_SSRC, MK_SSRC_OLD, ssrcs.add(v), ssrcOrigin);
      }
      case IDENT: {
        const [open, id, close] = braces(x);
        return id === '' ? null : open + tableRef(MK_STRING, MK_STRING_OLD, ids.add(id), idOrigin) + close;
      }
    }
    return null;
  };
  let ssrcOrigin = 0, idOrigin = 0; // the table lengths at the start of the part
  let transport = null;
  const cands = [];
  const parts = [];
  const session = [];
  for (const l of p.session) {
    const text = l.typ + '=' + l.val;
    if (l.typ === 'a' && attrName(l.val) === 'candidate') return null;
    session.push(walkLine(text, false, false, lift));
  }
  parts.push(session);
  for (const sec of p.media) {
    ssrcOrigin = ssrcs.list.length;
    idOrigin = ids.list.length;
    // The section's candidates first: its m= and c= lines refer to its
    // first kept one. Rule 4 of the policy is judged within the section.
    const kept = new Array(sec.length).fill(false);
    const first = cands.length;
    const seen = new Set();
    for (let i = 0; i < sec.length; i++) {
      const l = sec[i];
      if (l.typ !== 'a' || attrName(l.val) !== 'candidate') continue;
      const r = l.val.length > 9 ? parseCandidate(l.val.slice(10)) : null;
      if (r === null) return null;
      if (r.keep && keeps(pol, seen, cands.length, r.c)) { kept[i] = true; cands.push(r.c); }
    }
    // The part's transport candidate: the kept candidate whose port and
    // address its m= and c= lines write (transportIndex), or, for a section
    // without one (bundled), the last earlier part's.
    const own = cands.length > first;
    const ti = own ? transportIndex(sec, cands.slice(first)) : 0;
    if (own) transport = cands[first + ti];
    // A bundle-only part without a candidate of its own writes port 0
    // and address 0.0.0.0 (BUNDLE_ONLY).
    const fc = !own && sec.some((l) => l.typ === 'a' && l.val === 'bundle-only') ? BUNDLE_ONLY : transport;
    const pts = [];
    for (const l of sec) {
      const pt = l.typ === 'a' ? rtpmapPayload('a=' + l.val) : null;
      if (pt !== null) pts.push(pt);
    }
    const part = [];
    const walk = (l, i) => walkLine(l.typ + '=' + l.val, true, i === 0, (kind, x) => {
      // An mDNS default candidate is written as the dummy 9 and 0.0.0.0 (RFC 8840).
      const mdns = fc !== null && fc.kind === KIND_MDNS;
      if (kind === PORT) return fc !== null && x === (mdns ? '9' : String(fc.port)) ? MK_PORT : null;
      if (kind === C_ADDRESS) return fc !== null && x === (mdns ? '0.0.0.0' : fc.addr) ? MK_ADDRESS : null;
      if (kind === ADDRESS) return fc !== null && x === fc.addr ? MK_ADDRESS : null;
      return lift(kind, x);
    });
    const rtcp = []; // the a=rtcp lines, lifted after the part's other lines
    let n = 0; // the part's kept candidate lines so far
    for (let i = 0; i < sec.length; i++) {
      const l = sec[i];
      if (i > 0 && l.typ === 'a' && attrName(l.val) === 'candidate') {
        if (kept[i]) part.push(n++ === ti && ti > 0 ? MK_TRANSPORT : MK_CANDIDATE);
        continue;
      }
      if (i > 0 && l.typ === 'a' && attrName(l.val) === 'rtcp') { rtcp.push([part.length, l]); part.push(null); continue; }
      const line = walk(l, i);
      part.push(i === 0 ? liftPayloads(line, pts) : line);
    }
    for (const [k, l] of rtcp) part[k] = walk(l, 1);
    parts.push(part);
  }
  if (!ok || ufrag === null || pwd === null || digests.list.length > MAX_AV_DIGESTS) return null;
  markMids(parts);
  return { parts, cands, ufrag, pwd, digests: digests.list, ssrcs: ssrcs.list, ids: ids.list };
}

const hexUpper = (raw) => Array.from(raw, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');

/**
 * renderSkeleton returns the description (CRLF line ends) of skeleton parts
 * with tables t = {cands, ufrag, pwd, digests, ssrcs, ids} (AVFORM §5):
 * each marker is replaced by what it stands for. It throws MalformedError
 * for a count of candidate lines other than that of t.cands, 0x01 or 0x14
 * not alone on its line, two 0x14 lines in a part, 0x02 or 0x03 in the
 * session part or in a section without
 * candidates, a marker without a valid index (no digits, a leading zero,
 * out of range) or another control byte than TAB; LimitError when the
 * description exceeds maxSDP bytes. A marker in a place where an encoder
 * would not write it is rendered: re-encoding finds it (non-canonical).
 * off is the code offset errors report.
 */
export function renderSkeleton(parts, t, maxSDP, off) {
  const bad = (msg) => new MalformedError(off, 'skeleton', msg);
  let count = 0;
  for (const part of parts) for (const l of part) if (isCandidateMarker(l)) count++;
  if (count !== t.cands.length) throw bad(`${count} candidate lines for ${t.cands.length} candidates`);
  const sessID = sessionID(t.digests.length > 0 ? t.digests[0] : new Uint8Array(0));
  // total counts the bytes rendered so far, marker by marker: one line of
  // markers may stand for far more than the limit.
  let ci = 0, total = 0, fc = null; // fc: the part's transport candidate
  const top = { ssrc: 0, id: 0 }; // 1 + the greatest index rendered so far, per table
  let mids = null; // what 0x13 renders (partMids), made when first used
  const over = () => new LimitError(off, 'skeleton', `decoded description is over the limit of ${maxSDP} bytes`);
  const out = [];
  for (let pi = 0; pi < parts.length; pi++) {
    const part = parts[pi];
    // The part's transport candidate: that of its 0x14 line, else of its
    // first candidate line; a part with two 0x14 lines is malformed.
    const lines = part.filter(isCandidateMarker);
    const own = lines.length > 0;
    const ti = lines.indexOf(MK_TRANSPORT);
    if (ti >= 0 && lines.indexOf(MK_TRANSPORT, ti + 1) >= 0) throw bad('two transport candidate lines (0x14) in a part');
    if (own) fc = t.cands[ci + Math.max(ti, 0)];
    const mark = !own && pi > 0 && part.includes('a=bundle-only') ? BUNDLE_ONLY : fc; // what 0x02 and 0x03 render
    let pts = null; // the part's a=rtpmap payload types for 0x10, made when first used
    const origin = { ssrc: top.ssrc, id: top.id }; // entries referenced in earlier parts
    for (const l of part) {
      let r = '';
      const put = (x) => {
        total += byteLen(x);
        if (total > maxSDP) throw over();
        r += x;
      };
      if (isCandidateMarker(l)) {
        put(candidateLine(t.cands[ci], ci));
        ci++;
      } else {
        let from = 0;
        for (let k = 0; k < l.length; k++) {
          const c = l.charCodeAt(k);
          if (c >= 0x20 || c === 0x09) continue;
          put(l.slice(from, k));
          const mk = l[k];
          switch (mk) {
            case MK_PORT: case MK_ADDRESS:
              if (pi === 0 || mark === null) throw bad('port or address marker in a part without candidates');
              if (mark.kind === KIND_MDNS && mk === MK_PORT) put('9');
              else if (mark.kind === KIND_MDNS && l.startsWith('c=')) put('0.0.0.0');
              else put(mk === MK_PORT ? String(mark.port) : mark.addr);
              break;
            case MK_PAYLOADS:
              if (pts === null) pts = part.map(rtpmapPayload).filter((x) => x !== null);
              if (pi === 0 || pts.length === 0) throw bad('payload types marker in a part without a=rtpmap lines');
              put(pts.join(' '));
              break;
            case MK_MIDS: {
              if (mids === null) mids = partMids(parts.slice(1)); // once: a line of many markers must not scan every part for each
              if (pi !== 0 || mids.bad) throw bad('mids marker outside the session part, or an a=mid line with no value or a control byte');
              put(mids.mids);
              break;
            }
            case MK_UFRAG: put(t.ufrag); break;
            case MK_PWD: put(t.pwd); break;
            case MK_SESS_ID: put(sessID); break;
            case MK_DIGEST_UP: case MK_DIGEST_LOW: case MK_SSRC: case MK_STRING: case MK_SSRC_OLD: case MK_STRING_OLD: {
              let n = 0;
              while (k + 1 + n < l.length && l[k + 1 + n] >= '0' && l[k + 1 + n] <= '9') n++;
              if (n === 0 || (n > 1 && l[k + 1] === '0') || n > 6) throw bad('marker without a valid index');
              let i = Number(l.slice(k + 1, k + 1 + n));
              k += n;
              const ssrc = mk === MK_SSRC || mk === MK_SSRC_OLD, id = mk === MK_STRING || mk === MK_STRING_OLD;
              if (mk === MK_SSRC) i += origin.ssrc;
              if (mk === MK_STRING) i += origin.id;
              const table = ssrc ? t.ssrcs : id ? t.ids : t.digests;
              if (i >= table.length) throw bad(`index ${i} out of range`);
              if (ssrc) top.ssrc = Math.max(top.ssrc, i + 1);
              if (id) top.id = Math.max(top.id, i + 1);
              if (ssrc || id) put(String(table[i]));
              else put(mk === MK_DIGEST_LOW ? hexUpper(table[i]).toLowerCase() : hexUpper(table[i]));
              break;
            }
            case MK_CANDIDATE: case MK_TRANSPORT: throw bad('candidate marker not alone on its line');
            default: throw bad(`control byte 0x${c.toString(16).padStart(2, '0')}`);
          }
          from = k + 1;
        }
        put(l.slice(from));
      }
      total += 2;
      if (total > maxSDP) throw over();
      out.push(r);
    }
  }
  return out.map((l) => l + '\r\n').join('');
}
