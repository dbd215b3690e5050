// RENUMBER (AVFORM §14.5): a registry profile with its payload types and
// header extension ids renumbered as a part's base. Descriptions whose
// numbers are rotated round-trip, cost little more than the originals and
// code as the Go encoder codes them; malformed RENUMBERs are malformed; a
// renumbered base's lines count toward the SDP limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encode, decode, equivalent, CodecError } from '../src/index.js';
import { applyEdits } from '../src/avedits.js';
import { numTokens } from '../src/avrenumber.js';
import { PROFILES } from '../src/avprofiles.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const av = join(root, 'testdata', 'av');
const offers = ['batch1', 'batch2'].flatMap((b) => readdirSync(join(av, b))
  .filter((f) => f.endsWith('.sdp') && f.includes('-offer-')).sort().map((f) => join(av, b, f)));

// replaceNumbers returns l with each number numTokens finds replaced by
// to(kind, n) (undefined keeps it).
function replaceNumbers(l, to) {
  let out = '', last = 0;
  for (const t of numTokens(l)) {
    const v = to(t.kind, t.n);
    if (v === undefined) continue;
    out += l.slice(last, t.start) + v;
    last = t.end;
  }
  return out + l.slice(last);
}

// rotateNumbers returns the description sdp with the payload types of each
// media section, and its header extension ids, each given the next one's
// number in ascending order (the greatest the least's), and how many
// numbers changed.
function rotateNumbers(sdp) {
  const sections = sdp.split('\r\nm=');
  let changed = 0;
  for (let i = 1; i < sections.length; i++) {
    const lines = sections[i].split('\r\n');
    const found = [new Set(), new Set()];
    for (const l of lines) {
      for (const t of numTokens(l)) {
        if (t.start === l.indexOf(':') + 1 && (t.kind === 1 || l.startsWith('a=rtpmap:'))) found[t.kind].add(t.n);
      }
    }
    const maps = found.map((set) => {
      const ns = [...set].sort((a, b) => a - b), m = new Map();
      if (ns.length > 1) ns.forEach((n, k) => { m.set(n, ns[(k + 1) % ns.length]); changed++; });
      return m;
    });
    sections[i] = lines.map((l, k) => {
      if (k > 0) return replaceNumbers(l, (kind, n) => maps[kind].get(n));
      const f = l.split(' '); // the m= line: its format list
      for (let x = 3; x < f.length; x++) if (maps[0].has(Number(f[x]))) f[x] = String(maps[0].get(Number(f[x])));
      return f.join(' ');
    }).join('\r\n');
  }
  return { sdp: sections.join('\r\nm='), changed, sections: sections.length - 1 };
}

const haveGo = spawnSync('go', ['version']).status === 0;
let peer = null;
if (haveGo) {
  const tmp = mkdtempSync(join(tmpdir(), 'peer-js-renumber-'));
  peer = join(tmp, 'peer');
  const b = spawnSync('go', ['build', '-o', peer, './cmd/peer'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error('go build ./cmd/peer failed: ' + b.stderr);
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
}

test('rotated-number offers round-trip, cost a few bytes a number, and code as Go codes them', () => {
  let rotated = 0;
  for (const f of offers) {
    const sdp = readFileSync(f, 'utf8');
    const rot = rotateNumbers(sdp);
    if (rot.changed === 0) continue;
    rotated++;
    const code = encode({ type: 'offer', sdp });
    const rcode = encode({ type: 'offer', sdp: rot.sdp });
    assert.ok(equivalent({ type: 'offer', sdp: rot.sdp }, decode(rcode)), `${f}: rotated offer not equivalent after decoding`);
    const extra = rcode.length - code.length;
    assert.ok(extra <= 2 * rot.changed + 8 * rot.sections, `${f}: rotated ${rcode.length} bytes, offer ${code.length}, ${rot.changed} numbers changed`);
    if (peer !== null) {
      const r = spawnSync(peer, ['encode', '-form', 'bin', '-type', 'offer'], { input: rot.sdp });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(Buffer.from(rcode).toString('hex'), r.stdout.toString('hex'), `${f}: JS and Go codes of the rotated offer differ`);
    }
  }
  assert.ok(rotated > 0, 'no offer with numbers to rotate');
});

const edits = (...b) => Uint8Array.from(b);
const classOf = (fn) => {
  try { fn(); } catch (e) {
    if (e instanceof CodecError) return e.class;
    throw e;
  }
  return 'success';
};

test('RENUMBER renumbers a profile: payload types in rtpmap, rtcp-fb, fmtp and its lists; extension ids', () => {
  // Profile 1 (base 4), 111 → 112 (gap 111, shift 1: 8·2 + 7 = 23, then
  // 111 − 7 = 104) and extmap 2 → 9 (gap 2, shift 7: 8·14 + 2 = 114), then
  // COPY END.
  const r = applyEdits(edits(4, 11, 17, 1, 23, 104, 1, 114, 7), [], PROFILES, null, 1 << 20, 0);
  const want = PROFILES[1].map((l) => l
    .replace(/^a=(rtpmap|rtcp-fb|fmtp):111 /, 'a=$1:112 ')
    .replace('a=fmtp:63 111/111', 'a=fmtp:63 112/112')
    .replace(/^a=extmap:2 /, 'a=extmap:9 '));
  assert.notDeepEqual(want, PROFILES[1]);
  assert.deepEqual(r.parts, [want]);
  assert.equal(r.maxProfile, 1);
});

test('a malformed RENUMBER is malformed', () => {
  const cases = {
    'no pair': [4, 11, 17, 0, 0, 3],
    'a number to itself': [4, 11, 17, 1, 7, 104, 0, 3], // 111 → 111: shift 0
    'a payload type below 0': [4, 11, 17, 1, 0xff, 0x0d, 104, 0, 3], // 111 → −1: 8·223 + 7
    // 63 → 64 (23, 56), then 111 → 64 (gap 47, shift −47, a change of −48: 8·95 + 7, 40)
    'two pairs to one number': [4, 11, 17, 2, 23, 56, 0xff, 0x05, 40, 0, 3],
    'a payload type of 128': [4, 11, 17, 1, 0x97, 0x02, 104, 0, 3], // 111 → 128: 8·34 + 7
    'a gap past the payload types': [4, 11, 17, 1, 23, 121, 0, 3], // 128 → 129
    'too many pairs': [4, 11, 17, 0x81, 1],
    'truncated': [4, 11, 17, 1, 23], // before the gap's varint
    'on the empty base': [0, 11, 17, 1, 23, 104, 0, 3],
  };
  for (const [name, b] of Object.entries(cases)) {
    assert.equal(classOf(() => applyEdits(edits(...b), [], PROFILES, null, 1 << 20, 0)), 'malformed', name);
  }
  assert.equal(classOf(() => applyEdits(edits(4, 11, 17, 1, 23, 104, 0, 3), [], PROFILES, null, 1 << 20, 0)), 'success');
});

test('a renumbered base counts toward the SDP limit', () => {
  const size = PROFILES[1].reduce((n, l) => n + new TextEncoder().encode(l).length + 2, 0);
  const e = edits(4, 11, 17, 1, 23, 104, 0, 3); // renumbered (111 → 112), then END: no line of the part
  assert.equal(classOf(() => applyEdits(e, [], PROFILES, null, size, 0)), 'success');
  assert.equal(classOf(() => applyEdits(e, [], PROFILES, null, size - 1, 0)), 'limit');
  assert.equal(classOf(() => applyEdits(edits(4, 3), [], PROFILES, null, 1, 0)), 'success');
});
