// Differential test against the Go reference decoder: codes derived from the
// vectors by seeded random edits (byte flips, truncation, insertion,
// deletion) must give the same result in JS and in `peer decode`: the same
// description, or the same error class. Errors other than CodecError are
// bugs whatever Go says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { decode, parseText, CodecError } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vdir = join(root, 'vectors');
const seeds = readdirSync(vdir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(vdir, f), 'utf8')))
  .filter((v) => v.bin && v.expect === 'success').map((v) => Buffer.from(v.bin, 'hex'));

const haveGo = spawnSync('go', ['version']).status === 0;
const PER_SEED = Number(process.env.PEER_DIFF_N || 6);

// Go error messages start with the sentinel of the class (codec/errors.go).
const GO_CLASSES = [
  ['codec: not a peer code', 'foreign'], ['codec: malformed code', 'malformed'],
  ['codec: non-canonical code', 'non-canonical'], ['codec: unsupported version or extension', 'unsupported'],
  ['codec: limit exceeded', 'limit'], ['codec: answer belongs to another offer', 'binding'],
];

function rng(seed) { // xorshift32, fixed seed: failures replay
  let s = seed >>> 0 || 1;
  return (n) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
}

function mutate(b, r) {
  const x = Array.from(b);
  const edits = 1 + r(3);
  for (let i = 0; i < edits; i++) {
    switch (r(5)) {
      case 0: if (x.length) x[r(x.length)] ^= 1 << r(8); break;
      case 1: if (x.length) x[r(x.length)] = r(256); break;
      case 2: x.length = r(x.length + 1); break;
      case 3: x.splice(r(x.length + 1), 0, r(256)); break;
      case 4: if (x.length) x.splice(r(x.length), 1); break;
    }
  }
  return Buffer.from(x);
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
  const tmp = mkdtempSync(join(tmpdir(), 'peer-js-diff-'));
  try {
    const peer = join(tmp, 'peer');
    const b = spawnSync('go', ['build', '-o', peer, './cmd/peer'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const r = rng(20260101);
    let n = 0;
    for (const seed of seeds) {
      for (let i = 0; i < PER_SEED; i++) {
        const code = mutate(seed, r);
        if (code.length === 0) continue;
        const js = jsResult(code);
        const g = spawnSync(peer, ['decode', '-json'], { input: code, encoding: 'utf8' });
        let go;
        if (g.status === 0) { const d = JSON.parse(g.stdout); go = 'ok ' + d.type + '\n' + d.sdp; }
        else go = (GO_CLASSES.find(([p]) => g.stderr.includes(p)) || [null, 'other: ' + g.stderr.trim()])[1];
        assert.equal(js, go, `code ${code.toString('hex')}`);
        n++;
      }
    }
    assert.ok(n > 100);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
