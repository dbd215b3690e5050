// IDENTITY.md's test vectors (ref/peer/testdata/identity-vectors, Appendix
// C) through the JavaScript identity blocks (src/peer/identity.js), as
// ref/peer's identity_vectors_test.go runs them: the same outcome class,
// and byte-identical signing inputs, signatures, messages, frames and
// reconnect codes. Ed25519 is node's WebCrypto, as in a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as I from '../src/peer/identity.js';
import { decode as decodeCode } from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ref', 'peer', 'testdata', 'identity-vectors');
const hex = (s) => Uint8Array.from(Buffer.from(s || '', 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

// load reads a vector; nonce, time and now may exceed 2^53: kept exact as BigInt.
function load(name) {
  const text = readFileSync(join(dir, name), 'utf8').replace(/"(nonce|time|now)": (\d+)/g, '"$1": "$2"');
  const v = JSON.parse(text);
  for (const k of ['time', 'now']) if (v[k] !== undefined) v[k] = BigInt(v[k]);
  if (v.decoded?.nonce !== undefined) v.decoded.nonce = BigInt(v.decoded.nonce);
  return v;
}

// outcome runs fn and returns 'success' or the class of the PeerError it throws.
async function outcome(fn) {
  try {
    const r = await fn();
    return r?.ignored ? 'ignored' : 'success';
  } catch (err) {
    if (err?.class) return err.class;
    throw err;
  }
}

function decodedOf(m) {
  const d = { type: m.type };
  if (m.payload) d.payload = toHex(m.payload);
  if (m.hops !== undefined) Object.assign(d, { hops: m.hops, to: toHex(m.to), nonce: BigInt(m.nonce) });
  if (m.signed) d.signed_code = toHex(I.encodeSignedCode(m.signed));
  if (m.reason !== undefined) d.reason = m.reason;
  if (m.peer) d.peer = toHex(m.peer);
  return d;
}

// checkSigning checks the author's side of a signed code: signing input,
// signature and the signed code's encoding.
async function checkSigning(v) {
  const id = await I.Identity.fromSeed(hex(v.seed));
  const code = hex(v.code), to = hex(v.to);
  assert.equal(toHex(I.codeInput(v.kind, id.publicKey, to, v.time, code)), v.signing_input, 'signing input');
  const s = await id.signCode(v.kind, to, code, v.time);
  assert.equal(toHex(s.sig), v.sig, 'signature');
  assert.equal(toHex(I.encodeSignedCode(s)), v.signed_code, 'signed code');
}

async function verifySigned(signed, v) {
  const author = await I.verifySigned(signed, hex(v.own_id), v.expect_kind, v.now, v.expect_id ? hex(v.expect_id) : undefined);
  assert.equal(toHex(author), v.id);
}

const run = {
  async id(v) {
    const id = await I.Identity.fromSeed(hex(v.seed));
    assert.equal(toHex(id.publicKey), v.public_key);
    assert.equal(toHex(id.id), v.id);
    assert.equal(id.idText, v.id_text);
    assert.equal(id.idShort, v.id_short);
    assert.equal(toHex(I.parseID(v.id_text)), v.id);
  },
  async hello(v) {
    const fpO = hex(v.fp_offerer), fpA = hex(v.fp_answerer);
    if (v.expect === 'success') {
      const id = await I.Identity.fromSeed(hex(v.seed));
      assert.equal(toHex(I.helloInput(v.role, fpO, fpA)), v.signing_input);
      assert.equal(toHex(await id.sign(hex(v.signing_input))), v.sig);
      assert.equal(toHex(await id.hello(v.role, fpO, fpA, v.addrs || [])), v.message);
    }
    return outcome(async () => {
      const r = await I.checkHello(hex(v.message), v.role, fpO, fpA, hex(v.own_id), v.expect_id ? [hex(v.expect_id)] : []);
      assert.deepEqual({ type: 0, version: 1, key: toHex(r.key), sig: toHex(r.sig), addrs: r.addrs }, { addrs: [], ...v.decoded });
      return r;
    });
  },
  async message(v) {
    return outcome(async () => {
      const m = I.decodeMessage(hex(v.message));
      if (m.ignored) return m;
      assert.deepEqual(decodedOf(m), v.decoded);
      // Re-encoding the decoded elements gives the message back.
      const again = m.type === 1 ? I.dataMessage(m.payload)
        : m.type === 3 ? I.refuseMessage(m.hops, m.to, m.nonce, m.reason)
          : m.type === 4 ? I.inviteMessage(m.peer) : I.relayMessage(m.hops, m.to, m.nonce, m.signed, m.type);
      assert.equal(toHex(again), v.message);
      return m;
    });
  },
  async signed(v) {
    if (['success', 'expired', 'auth'].includes(v.expect) && v.time < 2n ** 63n) await checkSigning(v);
    return outcome(async () => {
      const m = I.decodeMessage(hex(v.message));
      assert.deepEqual(decodedOf(m), v.decoded);
      assert.equal(toHex(I.encodeSignedCode(m.signed)), v.signed_code);
      await verifySigned(m.signed, v);
    });
  },
  async reconnect(v) {
    const rc = hex(v.reconnect_code);
    assert.equal(toHex(I.reconnectHint(rc)), v.hint);
    assert.throws(() => decodeCode(rc), (e) => e.class === 'unsupported', 'a SPEC.md decoder refuses a reconnect code');
    if (v.expect !== 'success') {
      const remembered = v.remembered.map((r) => ({ id: hex(r.id), fingerprint: hex(r.fingerprint) }));
      return outcome(() => I.resolveReconnect(rc, remembered));
    }
    const full = hex(v.code), fp = hex(v.fingerprint);
    assert.equal(toHex(I.toReconnect(full, hex(v.id), fp)), v.reconnect_code);
    assert.equal(toHex(I.fromReconnect(rc, fp)), v.code);
    assert.deepEqual(I.resolveReconnect(rc, [{ id: hex(v.id), fingerprint: fp }]).map((c) => toHex(c.code)), [v.code]);
    decodeCode(full);
  },
  async frame(v) {
    return outcome(async () => {
      const { message } = I.readFrame(hex(v.frame));
      if (v.message) {
        assert.equal(toHex(message), v.message);
        assert.equal(toHex(I.frame(message)), v.frame);
      }
      if (v.expect === 'success') await checkSigning(v);
      const m = I.decodeMessage(message);
      if (v.context === 'direct-listener' && m.type !== 2) throw new I.PeerError('protocol', 'not relay');
      if (v.context === 'direct-dialer') {
        if (m.type === 3) {
          assert.deepEqual(decodedOf(m), v.decoded);
          throw new I.PeerError(I.refusalClass(m.reason), 'refused');
        }
        if (m.type !== 2) throw new I.PeerError('protocol', 'unexpected message');
      }
      assert.deepEqual(decodedOf(m), v.decoded);
      await verifySigned(m.signed, v);
    });
  },
  async refuse(v) {
    const m = I.decodeMessage(hex(v.message));
    assert.deepEqual(decodedOf(m), v.decoded);
    assert.equal(toHex(m.to), v.own_id);
    return I.refusalClass(m.reason);
  },
};

const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('the identity vectors are there', () => {
  assert.ok(files.length >= 90, `${files.length} vectors in ${dir}`);
});

for (const f of files) {
  const area = f.slice(0, f.indexOf('_'));
  test(`identity vector ${f}`, async () => {
    const v = load(f);
    assert.ok(run[area], `no runner for area ${area}`);
    const got = (await run[area](v)) ?? 'success';
    assert.equal(got, v.expect, v.description);
  });
}

test('ed25519PublicKey agrees with WebCrypto for 64 random seeds', async () => {
  const { ed25519PublicKey } = await import('../src/peer/ed25519.js');
  const s = globalThis.crypto.subtle;
  const pkcs8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  for (let i = 0; i < 64; i++) {
    const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const key = await s.importKey('pkcs8', new Uint8Array([...pkcs8, ...seed]), { name: 'Ed25519' }, true, ['sign']);
    const x = (await s.exportKey('jwk', key)).x;
    assert.equal(Buffer.from(await ed25519PublicKey(s, seed)).toString('base64url'), x);
  }
});
