// Corpus parity: for every description in ../../testdata/corpus,
// ../../testdata/stacks and ../../testdata/av (every batch), the JS
// encoder's bytes equal the Go reference encoder's (`peer encode -form
// bin`), the JS decoder's description equals the Go decoder's (`peer decode
// -json`), and it is equivalent to the original. Answers are bound to an
// offer: in testdata/av to their own offer (the INDEX.tsv column `pair`),
// which an answer in the audio/video form is coded against; elsewhere to a
// fixed data-channel offer. Descriptions INDEX.tsv marks MALFORMED must fail
// with 'invalid-sdp' in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encode, decode, equivalent, CodecError } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(root, 'testdata', 'corpus');
const toHex = (b) => Buffer.from(b).toString('hex');

// readIndex returns the rows of dir's INDEX.tsv as objects keyed by the
// header's column names, with file the absolute path.
function readIndex(dir) {
  const [head, ...rows] = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n').filter((l) => l !== '');
  const cols = head.split('\t');
  return rows.map((line) => {
    const f = line.split('\t');
    const r = Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
    return { ...r, file: join(dir, r.file), pair: r.pair ? join(dir, r.pair) : '', malformed: line.includes('MALFORMED') };
  });
}

// testdata/stacks (descriptions of the WebRTC stacks we ran, same INDEX.tsv
// columns up to the type) is checked the same way.
const stacks = join(root, 'testdata', 'stacks');
const av = join(root, 'testdata', 'av');
const rows = [corpus, stacks, av].filter((d) => existsSync(join(d, 'INDEX.tsv'))).flatMap(readIndex);
const index = new Map(rows.map((r) => [r.file, r]));
const files = [corpus, stacks].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.sdp')).sort().map((f) => join(dir, f)));
// testdata/av's offers first: their answers are coded against them.
const avRows = rows.filter((r) => r.file.startsWith(av + '/'));
files.push(...avRows.filter((r) => r.type === 'offer').map((r) => r.file), ...avRows.filter((r) => r.type !== 'offer').map((r) => r.file));
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

function offerArgs(offer) {
  if (!offer) return [];
  const f = join(tmp, 'offer.bin');
  writeFileSync(f, offer);
  return ['-offer', '@' + f];
}

function goEncode(type, sdp, offer) {
  const r = spawnSync(peer, ['encode', '-form', 'bin', '-type', type, ...offerArgs(offer)], { input: sdp });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.toString() };
}

function goDecode(code, offer) {
  const r = spawnSync(peer, ['decode', '-json', ...offerArgs(offer)], { input: code, encoding: 'utf8' });
  assert.equal(r.status, 0, 'Go decoder failed: ' + r.stderr);
  return JSON.parse(r.stdout);
}

test('corpus loads', () => {
  assert.ok(files.length > 0, 'no corpus files');
  assert.ok(index.has(join(corpus, OFFER_FILE)));
  assert.ok(avRows.length > 0, 'no testdata/av descriptions');
});

const offerCode = encode({ type: 'offer', sdp: readFileSync(join(corpus, OFFER_FILE), 'utf8') });
// The codes of testdata/av's offers, for their answers.
const avCodes = new Map();

for (const f of files) {
  test(`corpus ${f.slice(root.length + 1)}`, { skip: haveGo ? false : 'go is not on PATH: the Go side of corpus parity cannot run' }, () => {
    const meta = index.get(f);
    assert.ok(meta, `${f} is not in INDEX.tsv`);
    const sdp = readFileSync(f, 'utf8');
    const type = meta.type;
    let offer;
    if (type === 'answer') {
      offer = meta.pair ? avCodes.get(meta.pair) : offerCode;
      assert.ok(offer, `the offer ${meta.pair} of ${f} was not encoded`);
    }
    const go = goEncode(type, sdp, offer);
    if (meta.malformed) {
      assert.throws(() => encode({ type, sdp }, offer), (e) => e instanceof CodecError && e.class === 'invalid-sdp');
      assert.equal(go.ok, false, 'Go encoder accepted a MALFORMED description');
      return;
    }
    assert.ok(go.ok, 'Go encoder failed: ' + go.err);
    const code = encode({ type, sdp }, offer);
    assert.equal(toHex(code), toHex(go.out), 'JS and Go codes differ');
    if (type === 'offer' && meta.pair) avCodes.set(f, code);
    const d = decode(code, { offer });
    assert.equal(d.type, type);
    assert.deepEqual(d, goDecode(code, offer), 'JS and Go decoders differ');
    assert.ok(equivalent({ type, sdp }, d), 'decoded description is not equivalent');
  });
}
