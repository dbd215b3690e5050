// Corpus parity: for every description in ../../testdata/corpus and
// ../../testdata/stacks, the JS encoder's bytes equal the Go reference
// encoder's (`peer encode -form bin`), and the code decodes to an
// equivalent description. Descriptions INDEX.tsv
// marks MALFORMED must fail with 'invalid-sdp' in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encode, decode, equivalent, CodecError } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(root, 'testdata', 'corpus');
const toHex = (b) => Buffer.from(b).toString('hex');

// testdata/stacks (descriptions of the WebRTC stacks we ran, same INDEX.tsv
// columns up to the type) is checked the same way.
const stacks = join(root, 'testdata', 'stacks');
const index = new Map();
for (const dir of [corpus, stacks]) {
  for (const line of readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n').slice(1)) {
    const f = line.split('\t');
    if (f.length > 3) index.set(join(dir, f[0]), { type: f[3], malformed: line.includes('MALFORMED') });
  }
}
const files = [corpus, stacks].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.sdp')).sort().map((f) => join(dir, f)));
const OFFER_FILE = 'chrome-datachannel-offer-04.sdp';

const haveGo = spawnSync('go', ['version']).status === 0;
let tmp, peer;
if (haveGo) {
  tmp = mkdtempSync(join(tmpdir(), 'peer-js-corpus-'));
  peer = join(tmp, 'peer');
  const b = spawnSync('go', ['build', '-o', peer, './cmd/peer'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error('go build ./cmd/peer failed: ' + b.stderr);
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
}

function goEncode(type, sdp, offerFile) {
  const args = ['encode', '-form', 'bin', '-type', type];
  if (offerFile) args.push('-offer', '@' + offerFile);
  const r = spawnSync(peer, args, { input: sdp });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.toString() };
}

test('corpus loads', () => {
  assert.ok(files.length > 0, 'no corpus files');
  assert.ok(index.has(join(corpus, OFFER_FILE)));
});

const offerCode = encode({ type: 'offer', sdp: readFileSync(join(corpus, OFFER_FILE), 'utf8') });

for (const f of files) {
  test(`corpus ${f.slice(root.length + 1)}`, { skip: haveGo ? false : 'go is not on PATH: the Go side of corpus parity cannot run' }, () => {
    const meta = index.get(f);
    assert.ok(meta, `${f} is not in INDEX.tsv`);
    const sdp = readFileSync(f, 'utf8');
    const type = meta.type;
    const offer = type === 'answer' ? offerCode : undefined;
    let offerFile;
    if (offer) { offerFile = join(tmp, 'offer.bin'); writeFileSync(offerFile, offer); }
    const go = goEncode(type, sdp, offerFile);
    if (meta.malformed) {
      assert.throws(() => encode({ type, sdp }, offer), (e) => e instanceof CodecError && e.class === 'invalid-sdp');
      assert.equal(go.ok, false, 'Go encoder accepted a MALFORMED description');
      return;
    }
    assert.ok(go.ok, 'Go encoder failed: ' + go.err);
    const code = encode({ type, sdp }, offer);
    assert.equal(toHex(code), toHex(go.out), 'JS and Go codes differ');
    const d = decode(code, { offer });
    assert.equal(d.type, type);
    assert.ok(equivalent({ type, sdp }, d), 'decoded description is not equivalent');
  });
}
