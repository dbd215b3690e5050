// Differential test against the Go reference decoder: codes derived from the
// vectors by seeded random edits (byte flips, truncation, insertion,
// deletion, and insertion of CBOR snippets: tags, floats, simple values,
// deep nesting, large headers, unsorted or non-integer keys) must give the
// same result in JS and in `peer decode`: the same description, or the same
// error class. Errors other than CodecError are bugs whatever Go says.
//
// PEER_DIFF_N sets the mutations per vector (default 50) and PEER_DIFF_SEED
// the seed, for longer runs:
//   PEER_DIFF_N=500 PEER_DIFF_SEED=7 node --test test/differential.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encode, decode, parseText, formatText, CodecError } from '../src/index.js';
import { readItem, Writer } from '../src/cbor.js';
import { compress, inflate } from '../src/deflate.js';
import { textDictionary } from '../src/avcode.js';
import { applyEdits } from '../src/avedits.js';
import { PROFILES } from '../src/avprofiles.js';
import { skeletonParts } from '../src/codec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vdir = join(root, 'vectors');
// The A/V vectors (heads 18, 19) are left to the A/V test below, which
// decodes answers with their offers.
const seeds = readdirSync(vdir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(vdir, f), 'utf8')))
  .filter((v) => v.bin && v.expect === 'success').map((v) => Buffer.from(v.bin, 'hex'))
  .filter((b) => b[0] !== 18 && b[0] !== 19);

const haveGo = spawnSync('go', ['version']).status === 0;

// peerBinary builds ./cmd/peer once for the file's tests, in a temporary
// directory removed at exit; it returns the directory and the binary.
let built = null;
function peerBinary() {
  if (built === null) {
    const tmp = mkdtempSync(join(tmpdir(), 'peer-js-diff-'));
    process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
    const peer = join(tmp, 'peer');
    const b = spawnSync('go', ['build', '-o', peer, './cmd/peer'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    built = { tmp, peer };
  }
  return built;
}
const PER_SEED = Number(process.env.PEER_DIFF_N || 50);
const SEED = Number(process.env.PEER_DIFF_SEED || 20260101);

// `peer decode` ends a refusal with its class (SPEC.md §9): "(error class: malformed)".
const GO_CLASSES = ['foreign', 'malformed', 'non-canonical', 'unsupported', 'limit', 'binding', 'invalid-sdp', 'needs-offer']
  .map((c) => [`(error class: ${c})`, c]);

function rng(seed) { // xorshift32, fixed seed: failures replay
  let s = seed >>> 0 || 1;
  return (n) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
}

// CBOR snippets for structural edits (SPEC.md §7 steps 3–5).
const SNIPPETS = [
  [0xf9, 0x3c, 0x00], [0xfa, 0x3f, 0x80, 0, 0], [0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], [0xf3], [0xf4], [0xf5], [0xf6], [0xf7],
  [0xf8, 0x20], [0xf8, 0x13], [0xe0], [0xc0, 0x00], [0xd8, 0x20, 0x61, 0x61], [0xc2, 0x41, 0x01],
  [0x9f, 0xff], [0xbf, 0xff], [0x5f, 0xff], [0x7f, 0xff], [0x1c], [0x3d], [0xff],
  [0x99, 0x13, 0x88], [0x9a, 0, 1, 0, 0], [0xb9, 0x01, 0x01], [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x18, 0x05], [0x19, 0x00, 0x05], [0x38, 0x00], [0x20], [0x21], [0x37], [0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0], [0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0], [0x61, 0x61], [0x62, 0xc3, 0x28], [0x61, 0x80],
  [0x78, 0x01, 0x61], [0x41, 0x00], [0x80], [0xa0], [0xa1, 0x01, 0x02], [0xa2, 0x02, 0x00, 0x01, 0x00], [0xa2, 0x01, 0x00, 0x01, 0x00],
  [0xa1, 0x61, 0x61, 0x00], [0xa1, 0xf6, 0x00], [0xa1, 0x80, 0x00], [0x81, 0x81, 0x81, 0x81], [0x82, 0x00, 0xf9, 0, 0],
  Array(17).fill(0x81).concat([0x00]), Array(16).fill(0x81).concat([0x00]), Array(15).fill(0x81).concat([0x00]),
  [0xa1, 0x18, 0x40, 0x81, 0xa2, 0x02, 0x00, 0x01, 0x00], [0xa1, 0x20, 0x00], [0xa1, 0x18, 0x40, 0x00], [0xa1, 0x03, 0x61, 0x30],
  [0xa2, 0x06, 0x81, 0x63, 0x61, 0x3d, 0x78, 0x20, 0x00], [0xa1, 0x01, 0x81, 0x82, 0x02, 0x58, 0x20],
];

function mutate(b, r) {
  const x = Array.from(b);
  const edits = 1 + r(3);
  for (let i = 0; i < edits; i++) {
    switch (r(7)) {
      case 5: x.splice(r(x.length + 1), 0, ...SNIPPETS[r(SNIPPETS.length)]); break;
      case 6: x.push(...SNIPPETS[r(SNIPPETS.length)]); break;
      case 0: if (x.length) x[r(x.length)] ^= 1 << r(8); break;
      case 1: if (x.length) x[r(x.length)] = r(256); break;
      case 2: x.length = r(x.length + 1); break;
      case 3: x.splice(r(x.length + 1), 0, r(256)); break;
      case 4: if (x.length) x.splice(r(x.length), 1); break;
    }
  }
  return Buffer.from(x);
}

// textOf turns a code into one of its text forms with a random edit of the
// text (SPEC.md §5.4): white space (ASCII or not) around it, a whole link,
// a changed character, a prefix in lower case.
const AROUND = [' ', '\t', '\r\n', '\v', '\f', '\u00a0', '\u2003', '\u0085', '\ufeff', ''];
function textOf(code, r) {
  let t = formatText(code, r(2) ? 'qr' : 'link');
  switch (r(6)) {
    case 0: t = AROUND[r(AROUND.length)] + t + AROUND[r(AROUND.length)]; break;
    case 1: t = 'https://example.org/p?x=1#' + t; break;
    case 2: t = 'junk#' + t + AROUND[r(AROUND.length)]; break;
    case 3: { const i = r(t.length); t = t.slice(0, i) + String.fromCharCode(32 + r(96)) + t.slice(i + 1); break; }
    case 4: t = t.toLowerCase(); break;
    case 5: t = AROUND[r(AROUND.length)] + String.fromCharCode(r(26)) + t; break;
  }
  return Buffer.from(t, 'utf8');
}

function jsResult(code) {
  try {
    const d = decode(parseText(new Uint8Array(code)));
    return 'ok ' + d.type + '\n' + d.sdp;
  } catch (e) {
    if (e instanceof CodecError) return e.class;
    throw e;
  }
}

test('JS and Go decoders agree on edited codes', { skip: haveGo ? false : 'go is not on PATH' }, () => {
  assert.ok(seeds.length > 0, 'no positive vectors');
  const { peer } = peerBinary();
  const r = rng(SEED);
  let n = 0;
  const bad = [];
  for (const seed of seeds) {
    for (let i = 0; i < PER_SEED; i++) {
      let code = mutate(seed, r);
      if (code.length === 0) continue;
      if (i % 4 === 3) code = textOf(code, r);
      const js = jsResult(code);
      const g = spawnSync(peer, ['decode', '-json'], { input: code, encoding: 'utf8' });
      let go;
      if (g.status === 0) { const d = JSON.parse(g.stdout); go = 'ok ' + d.type + '\n' + d.sdp; }
      else go = (GO_CLASSES.find(([p]) => g.stderr.includes(p)) || [null, 'other: ' + g.stderr.trim()])[1];
      if (js !== go) bad.push(`code ${code.toString('hex')}: JS ${js.split('\n')[0]}, Go ${go.split('\n')[0]}`);
      n++;
    }
  }
  assert.ok(n > 100);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${n} mutated codes disagree`);
});

// A/V seeds: the positive A/V vectors (answers with the code of their
// offer, which decoding them needs).
function avSeeds() {
  return readdirSync(vdir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(vdir, f), 'utf8')))
    .filter((v) => v.bin && v.expect === 'success' && /^1[23]/.test(v.bin))
    .map((v) => ({ code: Buffer.from(v.bin, 'hex'), offer: v.offer_bin ? Buffer.from(v.offer_bin, 'hex') : undefined }));
}

// avItems returns the values of an A/V code's items, with the empty text
// (an empty byte string at 6) when the code has no text item (AVFORM §14.7:
// no inserted line).
function avItems(code) {
  const items = [];
  for (let off = 0; off < code.length;) { const it = readItem(code, off); items.push(it.value); off = it.end; }
  if (items.length >= 6 && !(items[6] instanceof Uint8Array)) items.splice(6, 0, new Uint8Array(0));
  return items;
}

// avMutate edits an A/V code item by item: its edits (bytes), its text
// (lines: a marker or another control byte put in, a line dropped, doubled
// or swapped; compressed again with the right dictionary), or its tables.
function avMutate(code, offer, r) {
  const items = avItems(code);
  if (items.length < 7) return code;
  const offerParts = offer ? skeletonParts(offer) : null;
  const dict = textDictionary(offerParts);
  const CTRL = [1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 0, 9, 10, 13, 0x7f, 0x30, 0x31, 0x7b, 0x7d, 0x20];
  switch (r(4)) {
    case 0: { // edits
      const e = Array.from(items[5]);
      const k = r(e.length + 1);
      if (r(2)) e.splice(k, 0, r(2) ? r(12) : r(256)); else if (e.length) e[r(e.length)] = r(2) ? r(12) : r(256);
      items[5] = Uint8Array.from(e);
      break;
    }
    case 1: case 2: { // text
      // An empty text item is the empty text (AVFORM §3).
      const t = items[6].length === 0 ? '' : new TextDecoder().decode(inflate(items[6], dict, 1 << 20));
      const lines = t === '' ? [] : t.slice(0, -1).split('\n');
      if (lines.length === 0) lines.push('a=x');
      const i = r(lines.length);
      switch (r(5)) {
        case 0: case 1: {
          const l = lines[i], k = r(l.length + 1);
          lines[i] = l.slice(0, k) + String.fromCharCode(CTRL[r(CTRL.length)]) + (r(2) ? String(r(12)) : '') + l.slice(k + (r(3) === 0 ? 1 : 0));
          break;
        }
        case 2: lines.splice(i, 1); break;
        case 3: lines.splice(i, 0, lines[i]); break;
        case 4: { const j = r(lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; break; }
      }
      items[6] = compress(new TextEncoder().encode(lines.map((l) => l + '\n').join('')), dict);
      break;
    }
    case 3: { // tables
      const k = r(4);
      if (k === 0 && items[3].length >= 4) items[3] = items[3].slice(4);
      else if (k === 1) { const s = Array.from(items[3]); s.push(r(256), r(256), r(256), r(256)); items[3] = Uint8Array.from(s); }
      else if (k === 2 && items[4].length > 1) items[4] = [items[4][1], items[4][0], ...items[4].slice(2)];
      else if (items[2] instanceof Uint8Array) items[2] = items[2].slice(0, 1 + r(items[2].length)); // one digest
      else if (items[2].length > 0) items[2] = [items[2][0].slice(0, 1 + r(items[2][0].length)), ...items[2].slice(1)];
      break;
    }
  }
  if (items[6].length === 0) items.splice(6, 1); // no inserted line: no text item
  const w = new Writer();
  for (const v of items) w.value(v);
  return Buffer.from(w.result());
}

test('JS and Go decoders agree on edited A/V codes', { skip: haveGo ? false : 'go is not on PATH' }, (t) => {
  const av = avSeeds();
  assert.ok(av.length > 0, 'no A/V seeds');
  const { tmp, peer } = peerBinary();
  const offerFile = join(tmp, 'offer.bin');
  const r = rng(SEED + 1);
  let n = 0;
  const bad = [];
  const classes = {};
  // A quarter of the edits per seed of the vectors' test: every spawn of
  // peer costs more than the decoding it checks.
  const offers = av.filter((x) => x.offer === undefined).map((x) => x.code);
  for (const seed of av) {
    for (let i = 0; i < Math.ceil(PER_SEED / 4); i++) {
      const code = i % 3 === 0 ? mutate(seed.code, r) : avMutate(seed.code, seed.offer, r);
      if (code.length === 0) continue;
      // Answers: mostly with their offer; sometimes without (needs-offer)
      // or with another code as offer (binding).
      let offer = seed.offer;
      if (offer && i % 10 === 9) offer = undefined;
      else if (offer && i % 10 === 8) offer = offers.find((o) => !o.equals(seed.offer));
      let js;
      try { const d = decode(new Uint8Array(code), { offer }); js = 'ok ' + d.type + '\n' + d.sdp; } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        js = e.class;
      }
      const args = ['decode', '-json'];
      if (offer) { writeFileSync(offerFile, offer); args.push('-offer', '@' + offerFile); }
      const g = spawnSync(peer, args, { input: code, encoding: 'utf8' });
      let go;
      if (g.status === 0) { const d = JSON.parse(g.stdout); go = 'ok ' + d.type + '\n' + d.sdp; }
      else go = (GO_CLASSES.find(([p]) => g.stderr.includes(p)) || [null, 'other: ' + g.stderr.trim()])[1];
      const k = js.split('\n')[0];
      classes[k] = (classes[k] || 0) + 1;
      if (js !== go) bad.push(`code ${code.toString('hex')}${offer ? ' offer ' + Buffer.from(offer).toString('hex') : ''}: JS ${js.split('\n')[0]}, Go ${go.split('\n')[0]}`);
      n++;
    }
  }
  assert.ok(n >= av.length, `${n} codes`);
  t.diagnostic(`outcomes: ${JSON.stringify(classes)}`);
  assert.ok(n < 100 || Object.keys(classes).length >= 4, `mutations reach too few outcomes: ${JSON.stringify(classes)}`);
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${n} mutated A/V codes disagree`);
});

// SDP edits for the encoder test: each turns a line of an A/V description
// into one that tests a rule of the skeleton (AVFORM §1, §2).
const LINE_EDITS = [
  (l) => l.replace(/^a=ssrc:(\d+)/, 'a=ssrc:0$1'), // an SSRC with a leading zero stays text
  (l) => l.replace(/^a=ssrc:(\d+)/, 'a=ssrc:4294967296'), // over 32 bits
  (l) => l.replace(/^a=msid:(\S+)/, 'a=msid:{$1}'), // braces
  (l) => l.replace(/^a=msid:(\S+)/, (_, x) => 'a=msid:' + x.toUpperCase()), // an upper-case UUID is text
  (l) => l.replace(/^a=msid:(\S+) (\S+)/, 'a=msid:$1\t$2'), // TAB separators
  (l) => l.replace(/cname:(\S+)/, 'cname:{}'),
  (l) => l.replace(/cname:(\S+)/, 'cname:'),
  (l) => l.replace(/^a=fingerprint:(\S+) (.*)$/, (_, h, d) => `a=fingerprint:${h} ${d.toLowerCase()}`),
  (l) => l.replace(/^a=fingerprint:(\S+) (..)/, (_, h, d) => `a=fingerprint:${h} ${d.toLowerCase()}`), // mixed case: verbatim
  (l) => l.replace(/^a=fingerprint:sha-256 .*$/, 'a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33'),
  (l) => l.replace(/^a=ice-ufrag:.*$/, 'a=ice-ufrag:other'), // two ufrags: not A/V-eligible
  (l) => l.replace(/^a=ice-pwd:.*$/, ''),
  (l) => l.replace(/^c=IN IP4 (\S+)$/, 'c=IN IP4 $1/127'),
  (l) => l.replace(/^m=(\w+) (\d+)/, 'm=$1 $2/2'),
  (l) => l.replace(/^m=(\w+) (\d+)/, 'm=$1 0$2'),
  (l) => l.replace(/^a=candidate:(\S+) 1 /, 'a=candidate:$1 2 '), // component 2: dropped
  (l) => l.replace(/ typ host/, ' typ relay'),
  (l) => l.replace(/^a=ssrc-group:(\w+) (\d+)/, 'a=ssrc-group:$1 x$2'),
  (l) => l.replace(/^a=msid-semantic: ?WMS.*$/, 'a=msid-semantic:WMS * {abc} x'),
  (l) => l.replace(/^o=(\S+) (\S+)/, 'o=$1 12345'),
  (l) => (l.startsWith('a=candidate') ? l + '\r\n' + l : l), // a duplicate candidate
  (l) => (l.startsWith('a=mid:') ? l + '\r\na=ice-lite' : l),
  (l) => (l.startsWith('a=setup') ? l + '\r\na=candidate:1 1 udp 1 192.0.2.1 9 typ host' : l),
  (l) => (l.startsWith('a=rtcp-mux') ? l + '\r\na=x:\u00e9\u4e2d' : l), // non-ASCII text
];

test('JS and Go encoders agree on edited A/V descriptions', { skip: haveGo ? false : 'go is not on PATH' }, (t) => {
  const dir = join(root, 'testdata', 'av', 'batch1');
  const files = readdirSync(dir).filter((f) => /-(av|avdata|simulcast|recvonly)-offer-/.test(f)).sort();
  assert.ok(files.length > 0);
  const { peer } = peerBinary();
  const r = rng(SEED + 2);
  const bad = [];
  const outcomes = {};
  const n = Math.max(20, PER_SEED * 2);
  for (let i = 0; i < n; i++) {
    const lines = readFileSync(join(dir, files[r(files.length)]), 'utf8').split('\r\n');
    for (let k = 1 + r(3); k > 0; k--) {
      const e = LINE_EDITS[r(LINE_EDITS.length)];
      const at = lines.map((l, j) => (e(l) !== l ? j : -1)).filter((j) => j >= 0);
      if (at.length > 0) { const j = at[r(at.length)]; lines[j] = e(lines[j]); }
    }
    const sdp = lines.join('\r\n');
    let js;
    try { js = Buffer.from(encode({ type: 'offer', sdp })).toString('hex'); } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      js = e.class;
    }
    const g = spawnSync(peer, ['encode', '-form', 'bin', '-type', 'offer'], { input: sdp });
    const go = g.status === 0 ? g.stdout.toString('hex') : (GO_CLASSES.find(([p]) => g.stderr.toString().includes(p)) || [null, 'other: ' + g.stderr])[1];
    const k = /^[0-9a-f]+$/.test(js) ? 'head ' + parseInt(js.slice(0, 2), 16) : js;
    outcomes[k] = (outcomes[k] || 0) + 1;
    if (js !== go) bad.push(`${JSON.stringify(sdp)}: JS ${js.slice(0, 80)}, Go ${go.slice(0, 80)}`);
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${n} edited descriptions disagree`);
});

// The canonical property on edited A/V codes, in JS alone (many more edits
// than the Go comparisons can afford): a code that decodes is what the
// encoder writes for the description it decodes to (the encoder's policy
// keeping what a decoder accepts) and its ext map, and every failure is a
// CodecError.
test('edited A/V codes that decode are canonical', (t) => {
  const av = avSeeds();
  assert.ok(av.length > 0, 'no A/V seeds');
  const r = rng(SEED + 3);
  const outcomes = {};
  for (let i = 0; i < PER_SEED * 40; i++) {
    const seed = av[r(av.length)];
    const code = new Uint8Array(r(4) === 0 ? mutate(seed.code, r) : avMutate(seed.code, seed.offer, r));
    let d;
    try { d = decode(code, { offer: seed.offer }); } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      outcomes[e.class] = (outcomes[e.class] || 0) + 1;
      continue;
    }
    outcomes.ok = (outcomes.ok || 0) + 1;
    // The same items but the text, which may be another DEFLATE stream of
    // the same lines (SPEC.md §4.7: the parse is not checked); the encoder
    // writes no ext map, which a code may add.
    const again = encode(d, seed.offer, { policy: { keepComponent2: true } });
    const [a, b] = [code, again].map(avItems);
    const dict = textDictionary(seed.offer ? skeletonParts(seed.offer) : null);
    [a[6], b[6]] = [a[6], b[6]].map((x) => (x.length === 0 ? '' : Buffer.from(inflate(x, dict, 1 << 20)).toString('hex')));
    const inflatedLines = (h) => (h === '' ? [] : Buffer.from(h, 'hex').toString('utf8').slice(0, -1).split('\n'));
    const show = (v, n) => JSON.stringify(v.slice(0, n), (k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));
    const what = `${Buffer.from(code).toString('hex')} re-encodes to ${Buffer.from(again).toString('hex')}`;
    assert.equal(show(a, 5), show(b, 5), what);
    // The edits may differ only when the code uses fewer profiles: a
    // decoder re-encodes with the profiles up to the greatest the code uses
    // (SPEC §14), the encoder with all it knows.
    if (show(a, 7) !== show(b, 7)) {
      const maxProfile = (v) => applyEdits(v[5], inflatedLines(v[6]), PROFILES, seed.offer ? skeletonParts(seed.offer) : null, 1 << 24, 0).maxProfile;
      assert.ok(maxProfile(a) < maxProfile(b), what);
    }
    assert.ok(a.length === 7 || (a.length === 8 && a[7] !== null && typeof a[7] === 'object'), 'only an ext map may follow');
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.ok > 0 && Object.keys(outcomes).length >= 4, JSON.stringify(outcomes));
});
