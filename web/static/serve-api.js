// The HTTP API of `peer serve` (web/README.md), which serves this page and
// holds a Go peer the page can pair with.
//
// A link made by `peer serve` carries its pairing secret in the fragment,
// before the code: BASE#K-SECRET#P-CODE (the page's URL alone: BASE#K-SECRET).
// The code stays the last '#'-part, which is where SPEC.md §5.4 looks for it.
// The page sends the secret with every API request (Authorization: Bearer);
// peer serve refuses requests without it. Each pairing of peer serve has
// its own secret: once a page paired, or after a hang-up, the secret of the
// link is worth nothing and peer serve shows a new link.
import * as codec from './vendor/peer-codec.js';
import { sameBytes } from './codes.js';

const SECRET_PART = /^K-([A-Z2-7]{26})$/;
const SECRET_KEY = 'peer-serve-secret';
let secret = null;

// splitFragment reads a fragment (without its '#'): the pairing secret of a
// K- part, and the code of the last part when it is one.
export function splitFragment(frag) {
  const parts = frag.split('#');
  let found = null;
  for (const p of parts) {
    const m = SECRET_PART.exec(p);
    if (m) found = m[1];
  }
  const last = parts[parts.length - 1];
  const code = last.startsWith('P-') || last.startsWith('P:') ? last : null;
  return { secret: found, code };
}

// fragmentOf returns the decoded fragment of a URL or text ('' if none).
export function fragmentOf(text) {
  const i = text.indexOf('#');
  if (i < 0) return '';
  try { return decodeURIComponent(text.slice(i + 1)); } catch { return text.slice(i + 1); }
}

// keepSecret remembers the pairing secret for this tab (a reload keeps it;
// the address bar and history do not).
export function keepSecret(s) {
  secret = s;
  try { sessionStorage.setItem(SECRET_KEY, s); } catch { /* storage off: memory only */ }
}

// restoreSecret takes the secret this tab kept (a reload).
export function restoreSecret() {
  try { secret = sessionStorage.getItem(SECRET_KEY); } catch { secret = null; }
}

export const hasSecret = () => !!secret;

function headers(extra = {}) {
  return secret ? { ...extra, Authorization: `Bearer ${secret}` } : extra;
}

// probe asks the page's origin whether it is `peer serve` and can pair
// (GET api/offer answers with the Go peer's offer). It returns
// {offer: {code, link, base}} when it can, {busy: true} when it is paired
// with another page, {stale: true} when this secret is from an earlier
// pairing, and {} without a secret (peer serve would refuse) or when the
// origin is not peer serve.
export async function probe() {
  if (!secret) return {};
  try {
    const r = await fetch('api/offer', { cache: 'no-store', headers: headers() });
    if (r.status === 409) return { busy: true };
    if (r.status === 401) return { stale: true };
    if (!r.ok) return {};
    const j = await r.json();
    return j && typeof j.code === 'string' ? { offer: j } : {};
  } catch {
    return {};
  }
}

// adoptLink takes the pairing secret of a link pasted or scanned into this
// page when the link is to this page (peer serve's), so that the page can
// send its answer itself; it returns the probe, or null for another link.
export async function adoptLink(text) {
  if (!text.includes('#')) return null;
  let u;
  try { u = new URL(text.slice(0, text.indexOf('#'))); } catch { return null; }
  if (u.origin !== location.origin || u.pathname !== location.pathname) return null;
  const { secret: s } = splitFragment(fragmentOf(text));
  if (!s) return null;
  keepSecret(s);
  return probe();
}

// postText posts a code; it throws an Error with the API's class.
export async function postText(path, text) {
  const r = await fetch(path, { method: 'POST', headers: headers({ 'Content-Type': 'text/plain' }), body: text });
  let j = {};
  try { j = await r.json(); } catch { /* no body */ }
  if (!r.ok) {
    const err = new Error(j.error || `HTTP ${r.status}`);
    err.class = j.class || 'server';
    throw err;
  }
  return j;
}

// isServerOffer tells whether offerCode is the offer of the Go peer of the
// `peer serve` that served this page (server: probe().offer).
export function isServerOffer(server, offerCode) {
  if (!server) return false;
  try {
    return sameBytes(codec.parseText(server.code), offerCode);
  } catch {
    return false;
  }
}
