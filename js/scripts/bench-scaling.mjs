// Decoding takes time linear in the size of its input (SPEC.md §8, §11).
// This benchmark decodes codes of growing size, shape by shape (the shapes
// of codec/scaling_test.go), and prints the time per byte of SDP text the
// code carries: flat across sizes when every step is linear.
//
//   node scripts/bench-scaling.mjs [src-dir]
//
// src-dir (default ../src) lets the same benchmark run an older copy of the
// sources, for a before/after comparison in one command.
import { pathToFileURL, fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(process.argv[2] || join(here, '..', 'src'));
const { decode, encode, errorClass } = await import(pathToFileURL(join(src, 'index.js')).href);
const { compress } = await import(pathToFileURL(join(src, 'deflate.js')).href);
const { SDP_DICTIONARY } = await import(pathToFileURL(join(src, 'dict.js')).href);

const SIZES = [8 << 10, 32 << 10, 128 << 10, 512 << 10];
const LIMITS = { maxCodeBytes: 16 << 20, maxSDPBytes: 16 << 20, maxCandidates: 1024 };
const HEAD = 'v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n';
const DC = 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\nc=IN IP4 0.0.0.0\n' +
  'a=ice-ufrag:abcd\na=ice-pwd:0123456789abcdefghijklmn\n' +
  'a=fingerprint:sha-256 ' + Array(32).fill('AB').join(':') + '\n' +
  'a=setup:actpass\na=mid:0\na=sctp-port:5000\na=max-message-size:262144\n';

function fill(parts, n, next) { let len = parts.reduce((a, p) => a + p.length, 0); for (let i = 0; len < n; i++) { const p = next(i); parts.push(p); len += p.length; } return parts; }

const SHAPES = {
  'bundle-mids': (n) => {
    const p = fill([HEAD, 'a=group:BUNDLE'], n / 2, () => ' 0');
    p.push('\nm=audio 9 RTP/AVP 0\n');
    return fill(p, n, () => 'a=x\n').join('') + 'a=mid:0';
  },
  'media-sections': (n) => {
    const k = Math.floor(n / 40);
    const ids = Array.from({ length: k }, (_, i) => 'm' + i);
    return HEAD + 'a=group:BUNDLE ' + ids.join(' ') + ids.map((m) => '\nm=audio 9 RTP/AVP 0\na=mid:' + m).join('');
  },
  'repeated-lines': (n) => HEAD + 'm=audio 9 RTP/AVP 0\n' + 'a=rtcp-mux\n'.repeat(Math.floor(n / 11)).slice(0, -1),
  'residual-candidates': (n) => fill([HEAD + DC], n, (i) => `a=candidate:1 1 udp 1 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} 1000 typ host\n`).join('').slice(0, -1),
  'extra-lines': (n) => fill([HEAD + DC], n, (i) => `a=x-${i}:${'y'.repeat(200)}\n`).join(''),
};

// residualCode builds a residual offer code (head 16) around text, whatever
// form an encoder would choose: the residual-candidates shape is eligible for
// the compact form, so its decoder must reject it (non-canonical) after
// doing all the work of deciding so.
function residualCode(text) {
  const res = compress(new TextEncoder().encode(text), SDP_DICTIONARY);
  const hdr = res.length < 24 ? [0x40 | res.length] : res.length < 256 ? [0x58, res.length]
    : res.length < 65536 ? [0x59, res.length >> 8, res.length & 255]
      : [0x5a, res.length >>> 24, (res.length >> 16) & 255, (res.length >> 8) & 255, res.length & 255];
  return Uint8Array.from([0x10, ...hdr, ...res]);
}

// time decodes code repeatedly and returns the fastest of five rounds of at
// least 100 ms (the machine is shared: the minimum is the least disturbed).
function time(code) {
  let best = Infinity, result = '';
  for (let round = 0; round < 5; round++) {
    let n = 0, ns;
    const start = process.hrtime.bigint();
    do {
      try { decode(code, LIMITS); result = 'ok'; } catch (e) { result = errorClass(e) || String(e); }
      n++;
      ns = Number(process.hrtime.bigint() - start);
    } while (ns < 1e8);
    best = Math.min(best, ns / n);
  }
  return { perOp: best, result };
}

console.log(`src ${src}`);
console.log('shape                 size      ns/op   ns/sdp-byte  result');
for (const [name, build] of Object.entries(SHAPES)) {
  for (const size of SIZES) {
    const text = build(size);
    const code = name === 'extra-lines' ? encode({ type: 'offer', sdp: text }, undefined, { maxSDPBytes: 16 << 20, maxCodeBytes: 16 << 20 }) : residualCode(text);
    const r = time(code);
    console.log(`${name.padEnd(20)} ${String(size >> 10).padStart(4)}KiB ${r.perOp.toFixed(0).padStart(11)} ${(r.perOp / text.length).toFixed(1).padStart(12)}  ${r.result}`);
  }
}
