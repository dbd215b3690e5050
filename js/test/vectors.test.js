// Runs every conformance vector of ../../vectors (see vectors/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { encode, decode, formatText, parseText, checkBinding, CodecError } from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

const hex = (s) => Uint8Array.from((s || '').match(/../g) || [], (x) => parseInt(x, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function policyOf(p = {}) {
  return {
    maxCandidates: p.max_candidates || 0, dropTCPActive: !!p.drop_tcp_active, dropTCP: !!p.drop_tcp,
    keepComponent2: !!p.keep_component2, dropIPv6: !!p.drop_ipv6, dropMDNS: !!p.drop_mdns, dropPrivate: !!p.drop_private,
  };
}

function classOf(fn) {
  try { fn(); } catch (e) {
    if (e instanceof CodecError) return e.class;
    throw e;
  }
  return 'success';
}

test('vectors load', () => {
  assert.ok(files.length > 0, `no vectors in ${dir}`);
});

for (const f of files) {
  test(`vector ${f}`, () => {
    const v = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const offer = v.offer_bin ? hex(v.offer_bin) : undefined;
    const ok = v.expect === 'success';
    if (v.sdp !== undefined) {
      if (ok) {
        const code = encode({ type: v.type, sdp: v.sdp }, offer, { policy: policyOf(v.policy) });
        assert.equal(toHex(code), v.bin, 'encoded bytes');
      } else if (v.bin === undefined && v.text === undefined) {
        assert.equal(classOf(() => encode({ type: v.type, sdp: v.sdp }, offer, { policy: policyOf(v.policy) })), v.expect);
        return;
      }
    }
    let code = v.bin !== undefined ? hex(v.bin) : undefined;
    if (v.text !== undefined) {
      let parsed;
      const c = classOf(() => { parsed = parseText(v.text); });
      if (c !== 'success') { assert.equal(c, v.expect, 'parseText class'); return; }
      if (code !== undefined) assert.equal(toHex(parsed), v.bin, 'parsed text');
      else code = parsed;
    }
    if (code !== undefined) {
      const l = v.limits || {};
      const opts = { maxCodeBytes: l.max_code_bytes, maxSDPBytes: l.max_sdp_bytes, maxCandidates: l.max_candidates, offer };
      let d;
      const c = classOf(() => { d = decode(code, opts); });
      assert.equal(c, v.expect, 'decode class');
      if (ok) {
        assert.equal(d.sdp, v.decoded_sdp, 'decoded sdp');
        if (v.type) assert.equal(d.type, v.type, 'decoded type');
      }
      if (v.expect === 'binding') assert.equal(classOf(() => checkBinding(code, offer)), 'binding', 'checkBinding');
    }
    if (ok && v.qr !== undefined) {
      assert.equal(formatText(code, 'qr'), v.qr);
      assert.equal(formatText(code, 'link'), v.link);
      assert.equal(toHex(parseText(v.qr)), toHex(code));
      assert.equal(toHex(parseText(v.link)), toHex(code));
    }
  });
}
