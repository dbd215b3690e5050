// SDP text handling (SPEC.md §3.1), the compact model (§3.2–§3.4) and the
// descriptions a decoder builds (§3.5).

import { InvalidSDPError } from './errors.js';
import { parseIP, formatIPv4, formatIPv6, validAddress, isPrivateIP } from './addr.js';

export const HASHES = [
  ['sha-1', 20], ['sha-224', 28], ['sha-256', 32], ['sha-384', 48], ['sha-512', 64], ['md5', 16], ['md2', 16],
];
export function hashIndex(name) { return HASHES.findIndex((h) => h[0] === name); }

export const TYPES = ['host', 'srflx', 'prflx', 'relay'];
export const TRANSPORTS = ['udp', 'tcp-active', 'tcp-passive', 'tcp-so'];
export const KIND_IPV4 = 0, KIND_IPV6 = 1, KIND_MDNS = 2, KIND_NAME = 3;
export const DEFAULT_MMS = 262144, FIREFOX_MMS = 1073741823, DEFAULT_SCTP_PORT = 5000;
export const MAX_FINGERPRINTS = 8;

/** splitLines is the normalisation of SPEC.md §3.1. */
export function splitLines(text) {
  const out = [];
  for (let ln of text.split('\n')) {
    if (ln.endsWith('\r')) ln = ln.slice(0, -1);
    if (ln !== '') out.push(ln);
  }
  return out;
}

/** normalForm returns the normal form (§3.1) of text. */
export function normalForm(text) { return splitLines(text).join('\n'); }

/**
 * isNormalForm reports whether text is its own normal form (no empty line,
 * no CR before a line break or at the end, no line break at either end)
 * without splitting it.
 */
export function isNormalForm(text) {
  if (text === '') return true;
  const last = text[text.length - 1];
  return text[0] !== '\n' && last !== '\n' && last !== '\r' && !text.includes('\n\n') && !text.includes('\r\n');
}

/** fields splits at runs of SP and TAB (SPEC.md §3.1 "Fields"). */
export function fields(s) {
  // A scan rather than a regular-expression split, which slows down on
  // long lines (SPEC.md §11: decoding is linear).
  const out = [];
  for (let i = 0; i < s.length;) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    let j = i;
    while (j < s.length && s[j] !== ' ' && s[j] !== '\t') j++;
    if (j > i) out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

const TOKEN_EXCLUDED = '"(),/:;<=>?@[\\]';
/** isToken: an RFC 8866 token. */
export function isToken(s) {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || TOKEN_EXCLUDED.includes(s[i])) return false;
  }
  return true;
}

export function hasControl(s) {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0a-\x1f\x7f]/.test(s);
}

export function attrName(val) {
  const i = val.indexOf(':');
  return i < 0 ? val : val.slice(0, i);
}

/** attr returns the value of line l when it is a=name or a=name:value, else null. */
function attr(l, name) {
  if (l.typ !== 'a' || !l.val.startsWith(name)) return null;
  const rest = l.val.slice(name.length);
  if (rest === '') return '';
  if (rest[0] !== ':') return null;
  return rest.slice(1);
}

function sdpErr(line, msg) { return new InvalidSDPError(line, 'line', msg); }

/**
 * parseSDP validates text (SPEC.md §3.1) and splits it into the session part
 * and the media sections. Throws InvalidSDPError.
 */
export function parseSDP(text) {
  if (/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) throw sdpErr(-1, 'not UTF-8 text');
  const raw = splitLines(text);
  if (raw.length === 0) throw sdpErr(-1, 'empty description');
  const p = { session: [], media: [] };
  let cur = p.session;
  let seenO = false, seenS = false, seenT = false;
  for (let i = 0; i < raw.length; i++) {
    const ln = raw[i], num = i + 1;
    if (ln.length < 2 || ln[1] !== '=' || ln[0] < 'a' || ln[0] > 'z') throw sdpErr(num, 'not a <type>=<value> line');
    if (hasControl(ln)) throw sdpErr(num, 'control character in line');
    const l = { typ: ln[0], val: ln.slice(2), num };
    if (i === 0 && ln !== 'v=0') throw sdpErr(num, 'first line must be v=0');
    switch (l.typ) {
      case 'v':
        if (i !== 0) throw sdpErr(num, 'v= line after the first line');
        break;
      case 'o': {
        if (p.media.length > 0 || seenO || i !== 1) throw sdpErr(num, 'o= must be the second line, once');
        const f = fields(l.val);
        if (f.length !== 6) throw sdpErr(num, 'o= needs 6 fields');
        if (!validAddress(f[5])) throw sdpErr(num, 'o= address is not an IP address or domain name');
        seenO = true;
        break;
      }
      case 's':
        if (i !== 2) throw sdpErr(num, 's= must be the third line, once');
        seenS = true;
        break;
      case 't':
        if (p.media.length > 0) throw sdpErr(num, 't= inside a media section');
        if (fields(l.val).length !== 2) throw sdpErr(num, 't= needs start and stop times');
        seenT = true;
        break;
      case 'm': {
        if (!seenO || !seenS) throw sdpErr(num, 'm= before o= and s=');
        const f = fields(l.val);
        if (f.length < 4) throw sdpErr(num, 'm= needs media, port, proto and a format');
        const port = f[1].split('/')[0];
        if (!/^[0-9]+$/.test(port) || Number(port) > 65535) throw sdpErr(num, 'm= port is not a port number');
        p.media.push([]);
        cur = p.media[p.media.length - 1];
        break;
      }
      case 'c': {
        const f = fields(l.val);
        if (f.length !== 3 || f[0] !== 'IN' || (f[1] !== 'IP4' && f[1] !== 'IP6')) throw sdpErr(num, 'c= must be IN IP4|IP6 <address>');
        if (!validAddress(f[2].split('/')[0])) throw sdpErr(num, 'c= address is not an IP address or domain name');
        break;
      }
      case 'a':
        if (!isToken(attrName(l.val))) throw sdpErr(num, 'attribute name is not a token');
        break;
    }
    cur.push(l);
  }
  if (!seenO || !seenS) throw sdpErr(-1, 'missing o= or s= line');
  if (!seenT) throw sdpErr(-1, 'missing t= line');
  const mids = new Set();
  for (const sec of p.media) for (const l of sec) { const v = attr(l, 'mid'); if (v !== null) mids.add(v); }
  for (const l of p.session) {
    const v = attr(l, 'group');
    if (v === null) continue;
    const f = fields(v);
    if (f.length > 0 && f[0] === 'BUNDLE') {
      for (const m of f.slice(1)) if (!mids.has(m)) throw sdpErr(l.num, 'BUNDLE group names a mid that no media section has');
    }
  }
  return p;
}

const SESSION_DROPPED = new Set(['msid-semantic', 'extmap-allow-mixed', 'ice-options', 'sendrecv', 'sendonly', 'recvonly', 'inactive']);
const MEDIA_DROPPED = new Set(['end-of-candidates', 'ice-options', 'extmap-allow-mixed', 'sendrecv', 'sendonly', 'recvonly', 'inactive']);
const STRUCTURED = new Set(['candidate', 'ice-ufrag', 'ice-pwd', 'fingerprint', 'setup', 'mid', 'sctp-port', 'max-message-size', 'sctpmap']);

const STRUCT = 0, IMPLIED = 1, EXTRA = 2, INELIGIBLE = 3;

function classifySession(l, mid) {
  if (l.typ === 'c') return IMPLIED;
  if (l.typ !== 'a') return INELIGIBLE;
  const name = attrName(l.val);
  if (name === 'group') {
    // Matched by fields (SPEC.md §3.3): BUNDLE and the one mid.
    const f = fields(attr(l, 'group') ?? '');
    return mid !== null && f.length === 2 && f[0] === 'BUNDLE' && f[1] === mid ? IMPLIED : EXTRA;
  }
  if (SESSION_DROPPED.has(name)) return IMPLIED;
  if (name === 'ice-ufrag' || name === 'ice-pwd' || name === 'fingerprint' || name === 'setup') return STRUCT;
  if (l.val === 'ice-lite') return STRUCT; // the ICE-lite flag (SPEC.md §3.3)
  if (STRUCTURED.has(name)) return INELIGIBLE;
  return EXTRA;
}

function classifyMedia(l) {
  if (l.typ === 'c' || l.typ === 'b') return IMPLIED;
  if (l.typ !== 'a') return INELIGIBLE;
  const name = attrName(l.val);
  if (MEDIA_DROPPED.has(name)) return IMPLIED;
  if (STRUCTURED.has(name)) return STRUCT;
  return EXTRA;
}

/** isExtraLine: line is one an encoder carries as an extra line at that level for a model with this mid. */
export function isExtraLine(line, media, mid) {
  if (line.length < 2 || line[1] !== '=' || hasControl(line)) return false;
  const l = { typ: line[0], val: line.slice(2) };
  if (l.typ === 'a' && !isToken(attrName(l.val))) return false;
  if (media) return classifyMedia(l) === EXTRA;
  if (l.typ !== 'a' || classifySession(l, mid) !== EXTRA) return false;
  // A BUNDLE group may only name the description's one mid (SPEC.md §3.1
  // rule 8), or the rebuilt description would not be valid.
  const v = attr(l, 'group');
  if (v !== null) {
    const f = fields(v);
    if (f.length > 0 && f[0] === 'BUNDLE') {
      for (const tag of f.slice(1)) if (mid === null || tag !== mid) return false;
    }
  }
  return true;
}

const ICE_RE = /^[A-Za-z0-9+/]*$/;
export function isICEString(s) { return ICE_RE.test(s); }
export function credsHex(ufrag, pwd) { return /^[0-9a-f]*$/.test(ufrag) && /^[0-9a-f]*$/.test(pwd) && pwd.length % 2 === 0; }
function credsPackable(ufrag, pwd) {
  return isICEString(ufrag) && isICEString(pwd) && ufrag.length <= 255 && pwd.length <= 255;
}

/** parseDecimal: decimal without leading zeros, at most max, or null. */
export function parseDecimal(s, max) {
  if (!/^(0|[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
  const v = BigInt(s);
  return v <= BigInt(max) ? Number(v) : null;
}

// goLower lowers s as Go's strings.ToLower does where it matters here:
// ASCII letters, and the two characters whose simple lower case is ASCII
// (U+212A KELVIN SIGN to 'k', U+0130 to 'i'); other characters are kept (a
// token has none, so the result is not a token either way).
function goLower(s) {
  return s.replace(/[A-Z\u212a\u0130]/g, (c) => (c === '\u212a' ? 'k' : c === '\u0130' ? 'i' : c.toLowerCase()));
}

function parseFingerprint(v) {
  const sp = v.indexOf(' ');
  if (sp < 0) return null;
  const alg = goLower(v.slice(0, sp));
  const hexs = v.slice(sp + 1);
  if (!isToken(alg) || alg.length > 32 || hexs.includes(' ')) return null;
  if ((hexs.length + 1) % 3 !== 0 || hexs.length < 2) return null;
  const b = [];
  for (let i = 0; i < hexs.length; i += 3) {
    if (i + 2 < hexs.length && hexs[i + 2] !== ':') return null;
    const h = hexs.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
    b.push(parseInt(h, 16));
  }
  const hi = hashIndex(alg);
  if (hi >= 0 && HASHES[hi][1] !== b.length) return null;
  if (b.length > 64) return null;
  return { alg, val: new Uint8Array(b) };
}

export function isMDNSName(s) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.local$/.test(s);
}

export function isCandidateName(s) {
  return s !== '' && /^[\x21-\x7e]+$/.test(s);
}

/** classifyAddress returns {kind, addr, bytes?} or null (SPEC.md §3.2). */
export function classifyAddress(s) {
  const ip = parseIP(s);
  if (ip && ip.zone === '') {
    return ip.v4 ? { kind: KIND_IPV4, addr: formatIPv4(ip.bytes), ip } : { kind: KIND_IPV6, addr: formatIPv6(ip.bytes), ip };
  }
  if (isMDNSName(s)) return { kind: KIND_MDNS, addr: s };
  if (s.length > 255 || !isCandidateName(s)) return null;
  return { kind: KIND_NAME, addr: s };
}

/** parseCandidate parses an a=candidate value: null when ungrammatical, else {c, keep}. */
export function parseCandidate(v) {
  const f = fields(v);
  if (f.length < 8 || f[6] !== 'typ' || f.length % 2 !== 0) return null;
  if (!isICEString(f[0]) || f[0].length === 0 || f[0].length > 32) return null;
  const comp = parseDecimal(f[1], 256);
  const prio = parseDecimal(f[3], 4294967295);
  const port = parseDecimal(f[5], 65535);
  if (comp === null || prio === null || port === null || comp === 0) return null;
  let keep = true;
  const c = { typ: 0, transport: 0, component: comp, kind: 0, addr: '', port };
  const t = TYPES.indexOf(goLower(f[7]));
  if (t < 0) keep = false; else c.typ = t;
  let tcptype = '';
  for (let i = 8; i + 1 < f.length; i += 2) if (goLower(f[i]) === 'tcptype') tcptype = goLower(f[i + 1]); // ABNF literals: case-insensitive
  switch (goLower(f[2])) {
    case 'udp': c.transport = 0; break;
    case 'tcp': {
      const k = ['active', 'passive', 'so'].indexOf(tcptype);
      if (k < 0) keep = false; else c.transport = k + 1;
      break;
    }
    default: keep = false;
  }
  if (port === 0 && c.transport !== 1) keep = false;
  if (comp > 16) keep = false;
  const a = classifyAddress(f[4]);
  if (!a) return null;
  c.kind = a.kind; c.addr = a.addr;
  if (a.ip) c.private = isPrivateIP(a.ip);
  return { c, keep };
}

export function sameCandidate(a, b) {
  return a.typ === b.typ && a.transport === b.transport && a.component === b.component &&
    a.kind === b.kind && a.addr === b.addr && a.port === b.port;
}

/** candidateKey is a string that two candidates share exactly when sameCandidate holds. */
export function candidateKey(c) {
  return `${c.typ} ${c.transport} ${c.component} ${c.kind} ${c.port} ${c.addr}`;
}

/**
 * keeps reports whether policy pol keeps candidate c when n candidates are
 * kept so far and seen holds the keys of those it is compared with for rule
 * 4 (SPEC.md §3.4 rules 2–5); it adds c's key to seen when it does.
 */
export function keeps(pol, seen, n, c) {
  if (c.component !== 1 && !pol.keepComponent2) return false;
  if (pol.dropTCP && c.transport !== 0) return false;
  if (pol.dropTCPActive && c.transport === 1) return false;
  if (pol.dropIPv6 && c.kind === KIND_IPV6) return false;
  if (pol.dropMDNS && c.kind === KIND_MDNS) return false;
  if (pol.dropPrivate && c.typ === 0 && c.private) return false;
  const key = candidateKey(c);
  if (seen.has(key)) return false;
  if (pol.maxCandidates > 0 && n >= pol.maxCandidates) return false;
  seen.add(key);
  return true;
}

/** applyPolicy filters candidates by SPEC.md §3.4 rules 2–5. */
export function applyPolicy(cands, pol) {
  const out = [];
  const seen = new Set(); // a Set keeps the policy linear (SPEC.md §11)
  for (const c of cands) {
    if (pol.maxCandidates > 0 && out.length >= pol.maxCandidates) break;
    if (keeps(pol, seen, out.length, c)) out.push(c);
  }
  return out;
}

/**
 * compactModel maps a parsed description to the compact model (SPEC.md
 * §3.3), or returns null when it is not eligible.
 */
export function compactModel(p, answer, pol) {
  if (p.media.length !== 1) return null;
  const m = {
    answer, setup: 0, residual: false, ufrag: '', pwd: '', fps: [], cands: [],
    mms: null, mid: null, sctpPort: null, legacy: null, iceLite: false, extraSess: [], extraMedia: [], unknown: [],
  };
  const sec = p.media[0];
  const f = fields(sec[0].val);
  let legacy = false;
  if (f.length === 4 && f[0] === 'application' && f[2] === 'UDP/DTLS/SCTP' && f[3] === 'webrtc-datachannel') { /* modern */ }
  else if (f.length === 4 && f[0] === 'application' && f[2] === 'DTLS/SCTP') legacy = true;
  else return null;
  const mport = parseDecimal(f[1], 65535);
  if (mport === null || mport === 0) return null; // port 0 (a rejected section), a /count or leading zeros
  const got = { 'ice-ufrag': [], 'ice-pwd': [], setup: [], mid: [], candidate: [], 'sctp-port': [], 'max-message-size': [], sctpmap: [], 'ice-lite': [] };
  const sessFP = [], mediaFP = [];
  for (const l of sec.slice(1)) {
    const cl = classifyMedia(l);
    if (cl === INELIGIBLE) return null;
    if (cl === IMPLIED) continue;
    if (cl === EXTRA) { m.extraMedia.push('a=' + l.val); continue; }
    const name = attrName(l.val);
    const v = attr(l, name);
    if (name === 'fingerprint') mediaFP.push(v); else got[name].push(v);
  }
  if (got.mid.length > 1) return null;
  if (got.mid.length === 1) {
    if (!isToken(got.mid[0])) return null;
    m.mid = got.mid[0];
  }
  for (const l of p.session) {
    if (l.typ === 'v' || l.typ === 'o' || l.typ === 's') continue;
    if (l.typ === 't') { if (l.val !== '0 0') return null; continue; }
    const cl = classifySession(l, m.mid);
    if (cl === INELIGIBLE) return null;
    if (cl === IMPLIED) continue;
    if (cl === EXTRA) { m.extraSess.push('a=' + l.val); continue; }
    const name = attrName(l.val);
    const v = attr(l, name);
    if (name === 'fingerprint') sessFP.push(v); else got[name].push(v);
  }
  if (got['ice-ufrag'].length !== 1 || got['ice-pwd'].length !== 1 || got.setup.length !== 1 || got['ice-lite'].length > 1) return null;
  m.iceLite = got['ice-lite'].length === 1;
  m.ufrag = got['ice-ufrag'][0]; m.pwd = got['ice-pwd'][0];
  if (m.ufrag === '' || m.pwd === '') return null;
  if (!credsPackable(m.ufrag, m.pwd)) return null;
  const setup = got.setup[0];
  if (!answer && setup === 'actpass') m.setup = 0;
  else if (answer && setup === 'active') m.setup = 1;
  else if (answer && setup === 'passive') m.setup = 2;
  else return null;
  if (sessFP.length > 0 && mediaFP.length > 0) return null;
  for (const v of [...sessFP, ...mediaFP]) {
    const fp = parseFingerprint(v);
    if (!fp) return null;
    m.fps.push(fp);
  }
  if (m.fps.length === 0 || m.fps.length > MAX_FINGERPRINTS) return null;
  if (legacy) {
    if (got.sctpmap.length !== 1 || got['sctp-port'].length !== 0) return null;
    const sf = fields(got.sctpmap[0]);
    if (sf.length !== 3 || sf[0] !== f[3] || sf[1] !== 'webrtc-datachannel') return null;
    const port = parseDecimal(f[3], 65535), streams = parseDecimal(sf[2], 65535);
    if (port === null || streams === null) return null;
    m.sctpPort = port; m.legacy = streams;
  } else {
    if (got.sctpmap.length !== 0 || got['sctp-port'].length > 1) return null;
    if (got['sctp-port'].length === 1) {
      const port = parseDecimal(got['sctp-port'][0], 65535);
      if (port === null) return null;
      m.sctpPort = port;
    }
  }
  if (got['max-message-size'].length > 1) return null;
  if (got['max-message-size'].length === 1) {
    const v = parseDecimal(got['max-message-size'][0], Number.MAX_SAFE_INTEGER);
    if (v === null) return null;
    m.mms = v;
  }
  const cands = [];
  for (const v of got.candidate) {
    const r = parseCandidate(v);
    if (!r) return null;
    if (r.keep) cands.push(r.c);
  }
  m.cands = applyPolicy(cands, pol);
  return m;
}

const TP = [[126, 90], [100, 64], [110, 74], [2, 0]];

/** candidateLine is the a=candidate line of c with index i (SPEC.md §3.5). */
export function candidateLine(c, i) {
  const tcp = c.transport !== 0;
  const T = TP[c.typ][tcp ? 1 : 0];
  const prio = BigInt(T) * 16777216n + BigInt(65535 - Math.min(i, 65535)) * 256n + BigInt(256 - c.component);
  let s = `a=candidate:${i + 1} ${c.component} ${tcp ? 'tcp' : 'udp'} ${prio} ${c.addr} ${c.port} typ ${TYPES[c.typ]}`;
  if (c.typ !== 0) s += c.kind === KIND_IPV6 ? ' raddr :: rport 0' : ' raddr 0.0.0.0 rport 0';
  if (tcp) s += ' tcptype ' + ['', 'active', 'passive', 'so'][c.transport];
  return s;
}

function hex2(b) { return b.toString(16).padStart(2, '0'); }

/** sessionID: SPEC.md §3.5 <sess-id>. */
export function sessionID(fp) {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(i < fp.length ? fp[i] : 0);
  return (v & 0x7fffffffffffffffn).toString();
}

/** compactSDP builds the description of a compact model (SPEC.md §3.5). */
export function compactSDP(m) {
  const L = [];
  L.push('v=0', `o=- ${sessionID(m.fps[0].val)} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0');
  if (m.mid !== null) L.push('a=group:BUNDLE ' + m.mid);
  if (m.iceLite) L.push('a=ice-lite');
  L.push(...m.extraSess);
  if (m.legacy !== null) L.push(`m=application 9 DTLS/SCTP ${m.sctpPort}`);
  else L.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel');
  L.push('c=IN IP4 0.0.0.0');
  m.cands.forEach((c, i) => L.push(candidateLine(c, i)));
  L.push('a=end-of-candidates', 'a=ice-ufrag:' + m.ufrag, 'a=ice-pwd:' + m.pwd);
  for (const fp of m.fps) L.push(`a=fingerprint:${fp.alg} ${Array.from(fp.val, (b) => hex2(b).toUpperCase()).join(':')}`);
  L.push('a=setup:' + ['actpass', 'active', 'passive'][m.setup]);
  if (m.mid !== null) L.push('a=mid:' + m.mid);
  if (m.legacy === null && m.sctpPort !== null) L.push('a=sctp-port:' + m.sctpPort);
  if (m.legacy !== null) L.push(`a=sctpmap:${m.sctpPort} webrtc-datachannel ${m.legacy}`);
  if (m.mms !== null) L.push('a=max-message-size:' + m.mms);
  L.push(...m.extraMedia);
  return L.map((l) => l + '\r\n').join('');
}
