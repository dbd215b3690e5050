// The peer library's node tests (its connections run in real browsers:
// btest/, go test ./js -run TestBrowsers): dist/peer.js is built from
// src/peer, src/peer needs nothing a browser lacks, option ranges, the
// patient answerer's offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as peer from '../src/peer/index.js';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');

test('dist/peer.js is built from src/peer (npm run build-peer)', (t) => {
  if (!existsSync(join(js, 'node_modules', '.bin', 'esbuild'))) { t.skip('esbuild is not installed: run "cd js && npm ci"'); return; }
  const tmp = mkdtempSync(join(tmpdir(), 'peer-js-dist-'));
  try {
    const out = join(tmp, 'peer.js');
    const r = spawnSync('npm', ['run', '-s', 'build-peer', '--', out], { cwd: js, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(js, 'dist', 'peer.js'), 'utf8'), readFileSync(out, 'utf8'), 'dist/peer.js is stale: run "npm run build-peer"');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('dist/peer.js exports the names of src/peer and imports only ./peer-codec.js', async () => {
  const text = readFileSync(join(js, 'dist', 'peer.js'), 'utf8');
  for (const m of text.matchAll(/^import[^'"]*from\s*['"]([^'"]+)['"]/gm)) assert.equal(m[1], './peer-codec.js');
  const dist = await import('../dist/peer.js');
  assert.deepEqual(Object.keys(dist).sort(), Object.keys(peer).sort());
});

test('src/peer imports nothing a browser lacks, and the codec only through src/index.js', () => {
  for (const f of readdirSync(join(js, 'src', 'peer')).filter((x) => x.endsWith('.js'))) {
    const text = readFileSync(join(js, 'src', 'peer', f), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)) {
      assert.ok(m[1].startsWith('./') || m[1] === '../index.js', `${f} imports ${m[1]}`);
    }
    assert.ok(!/\b(require|process|Buffer)\b/.test(text), `${f} uses a node global`);
  }
});

test('options out of range throw a RangeError before any connection is made', () => {
  for (const o of [{ deadPeerTimeout: 4999 }, { gatherTimeout: 0 }, { maxMessageSize: 2 ** 31 }, { offerTimeout: NaN }, { form: 'png' }]) {
    assert.throws(() => new peer.PeerConnection(o), RangeError, JSON.stringify(o));
  }
});

test('patientOffer drops candidates, except from an ice-lite offer', () => {
  const sdp = 'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n' +
    'a=candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host\r\na=end-of-candidates\r\na=mid:0\r\n';
  const p = peer.patientOffer({ type: 'offer', sdp });
  assert.equal(p.sdp, sdp.replace(/a=candidate:[^\n]*\n/, '').replace('a=end-of-candidates\r\n', ''));
  const lite = { type: 'offer', sdp: sdp.replace('t=0 0\r\n', 't=0 0\r\na=ice-lite\r\n') };
  assert.equal(peer.patientOffer(lite), lite);
});
