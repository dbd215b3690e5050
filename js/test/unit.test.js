// Unit tests: generated files are up to date, SHA-256 and DEFLATE agree with
// node's implementations, src/ needs nothing a browser lacks, error classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as api from '../src/index.js';
import { compress, inflate } from '../src/deflate.js';
import { SDP_DICTIONARY } from '../src/dict.js';
import { render, dictPath } from '../scripts/gen-dict.mjs';
import { render as renderProfiles, profilesPath } from '../scripts/gen-avprofiles.mjs';
import { PROFILES } from '../src/avprofiles.js';
import { extractSkeleton } from '../src/avskeleton.js';
import { parseSDP } from '../src/sdp.js';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');

test('src/dict.js is generated from sdp_dict.txt (npm run gen-dict)', () => {
  assert.equal(readFileSync(join(js, 'src', 'dict.js'), 'utf8'), render(readFileSync(dictPath, 'latin1')));
  assert.deepEqual(Buffer.from(SDP_DICTIONARY), readFileSync(dictPath));
});

test('src/avprofiles.js is generated from codec/avprofiles.txt (npm run gen-avprofiles)', () => {
  assert.equal(readFileSync(join(js, 'src', 'avprofiles.js'), 'utf8'), renderProfiles(readFileSync(profilesPath, 'utf8')));
  assert.ok(PROFILES.length > 0);
});

// The registry's sources (AVFORM §6, avRegistrySources in
// codec/avregistry.go): the JS skeleton of each, parts identical to an
// earlier one dropped, is the registry the Go code made.
test('the JS skeletons of the registry sources are the registry', () => {
  const go = readFileSync(join(js, '..', 'codec', 'avregistry.go'), 'utf8');
  const block = go.slice(go.indexOf('var avRegistrySources = []string{'));
  const sources = [...block.slice(0, block.indexOf('\n}')).matchAll(/"(testdata\/[^"]+\.sdp)"/g)].map((m) => m[1]);
  assert.ok(sources.length >= 4, 'no registry sources found in codec/avregistry.go');
  const out = [];
  for (const f of sources) {
    const sk = extractSkeleton(parseSDP(readFileSync(join(js, '..', f), 'utf8')), { maxCandidates: 0 });
    assert.ok(sk, `${f} is not A/V-eligible`);
    for (const part of sk.parts) if (!out.some((q) => q.length === part.length && q.every((l, i) => l === part[i]))) out.push(part);
  }
  assert.deepEqual(out, PROFILES);
});

test('dist/peer-codec.js is built from src/ (npm run build)', (t) => {
  const esbuild = join(js, 'node_modules', '.bin', 'esbuild');
  if (!existsSync(esbuild)) { t.skip('esbuild is not installed: run "cd js && npm ci"'); return; }
  const tmp = mkdtempSync(join(tmpdir(), 'peer-js-dist-'));
  try {
    const pkg = JSON.parse(readFileSync(join(js, 'package.json'), 'utf8'));
    const out = join(tmp, 'peer-codec.js');
    const r = spawnSync('npm', ['run', '-s', 'build', '--', `--outfile=${out}`], { cwd: js, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(pkg.scripts.build.includes('esbuild'));
    assert.equal(readFileSync(join(js, 'dist', 'peer-codec.js'), 'utf8'), readFileSync(out, 'utf8'), 'dist is stale: run "npm run build"');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('dist exports the same names as src', async () => {
  const dist = await import('../dist/peer-codec.js');
  assert.deepEqual(Object.keys(dist).sort(), Object.keys(api).sort());
  for (const n of ['encode', 'decode', 'formatText', 'parseText', 'link', 'checkBinding', 'classes', 'CodecError']) assert.ok(n in dist, n);
});

test('src/ imports nothing a browser lacks', () => {
  for (const f of readdirSync(join(js, 'src')).filter((x) => x.endsWith('.js'))) {
    const text = readFileSync(join(js, 'src', f), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)) {
      assert.ok(m[1].startsWith('./'), `${f} imports ${m[1]}`);
    }
    assert.ok(!/\b(require|process|Buffer)\b/.test(text), `${f} uses a node global`);
  }
});

test('sha256 agrees with node:crypto', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100000]) {
    const b = randomBytes(n);
    assert.equal(Buffer.from(api.sha256(b)).toString('hex'), createHash('sha256').update(b).digest('hex'), `length ${n}`);
  }
});

test('compress output inflates with zlib and with our inflater', () => {
  const inputs = [new Uint8Array(0), new TextEncoder().encode('a=candidate:1 1 udp 2130706431 1.2.3.4 9 typ host\n'.repeat(40))];
  for (let i = 0; i < 20; i++) {
    const b = randomBytes(1 + (i * 997) % 5000);
    if (i % 2) for (let k = 0; k < b.length; k++) b[k] = 97 + (b[k] % 4);
    inputs.push(b);
  }
  for (const input of inputs) {
    const c = compress(input, SDP_DICTIONARY);
    assert.deepEqual(Buffer.from(inflateRawSync(c, { dictionary: SDP_DICTIONARY })), Buffer.from(input));
    assert.deepEqual(Buffer.from(inflate(c, SDP_DICTIONARY, 1 << 20)), Buffer.from(input));
  }
});

test('inflate enforces its limit and rejects trailing bytes', () => {
  const input = new Uint8Array(5000).fill(120);
  const c = compress(input, SDP_DICTIONARY);
  assert.throws(() => inflate(c, SDP_DICTIONARY, 4999), (e) => e.limit === true);
  assert.equal(inflate(c, SDP_DICTIONARY, 5000).length, 5000);
  assert.throws(() => inflate(Uint8Array.from([...c, 0]), SDP_DICTIONARY, 1 << 20), (e) => e.limit === false);
  assert.throws(() => inflate(c.subarray(0, c.length - 1), SDP_DICTIONARY, 1 << 20));
});

test('error classes carry their SPEC.md §9 names', () => {
  assert.deepEqual(Object.keys(api.classes), ['foreign', 'malformed', 'non-canonical', 'unsupported', 'limit', 'binding', 'invalid-sdp', 'needs-offer']);
  for (const [name, C] of Object.entries(api.classes)) {
    const e = new C(3, 'x', 'msg');
    assert.ok(e instanceof api.CodecError);
    assert.equal(e.class, name);
    assert.equal(C.class, name);
    assert.equal(e.offset, 3);
    assert.equal(api.errorClass(e), name);
  }
  assert.throws(() => api.parseText('hello'), api.ForeignError);
  assert.throws(() => api.decode(new Uint8Array(0)), api.MalformedError);
  assert.throws(() => api.encode({ type: 'pranswer', sdp: 'v=0' }), (e) => e.class === 'invalid-sdp');
});

test('link replaces the base fragment', () => {
  const code = Uint8Array.from([0, 1, 2]);
  assert.equal(api.link('https://example.net/p/#old', code), 'https://example.net/p/#' + api.formatText(code, 'link'));
  assert.deepEqual(api.parseText(api.link('HTTPS://EXAMPLE.NET/', code)), code);
  assert.deepEqual(api.parseText(api.formatText(code, 'bin')), code);
});

test('SPEC.md §12 worked example', () => {
  const spec = readFileSync(join(js, '..', 'SPEC.md'), 'utf8');
  const sec = spec.slice(spec.indexOf('## 12. Worked example'), spec.indexOf('## 13.'));
  const blocks = [...sec.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
  const [sdp, , hexText, qr, link, decoded] = blocks;
  const code = api.encode({ type: 'offer', sdp });
  assert.equal(Buffer.from(code).toString('hex'), hexText.replace(/\s/g, ''));
  assert.equal(api.formatText(code, 'qr'), qr.trim());
  assert.equal(api.formatText(code, 'link'), link.trim());
  assert.equal(api.decode(code).sdp, decoded.replace(/\n/g, '\r\n'));
});

// SPEC.md §8: the encoder refuses codes a decoder with the same limits
// rejects (codec/limits_test.go has the same cases).
test('encode refuses codes the default decoder rejects', () => {
  const head = 'v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\n';
  let s = head;
  while (s.length < 65536 - 2048) s += 'a=x:' + String.fromCharCode(...Array.from(randomBytes(70), (b) => 0x21 + (b % 0x5e))) + '\n';
  const classOf = (fn) => { try { fn(); return 'success'; } catch (e) { return api.errorClass(e) || String(e); } };
  assert.equal(classOf(() => api.encode({ type: 'offer', sdp: s })), 'limit', 'random text: code over 32768 bytes');
  const code = api.encode({ type: 'offer', sdp: s }, undefined, { maxCodeBytes: 65536 });
  assert.ok(code.length > 32768);
  assert.equal(api.decode(code, { maxCodeBytes: 65536 }).type, 'offer');
  const short = head + 'a=x\n'.repeat((65536 - head.length - 8) / 4);
  assert.equal(classOf(() => api.encode({ type: 'offer', sdp: short })), 'limit', 'decodes to more than 65536 bytes');
});
