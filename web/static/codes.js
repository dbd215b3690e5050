// Codes as the page meets them: read from any text form (SPEC.md §5.4),
// refused with a message a person understands, and drawn as QR codes.
import * as codec from './vendor/peer-codec.js';
import qrcode from './vendor/qrcode.mjs';

// What each refused code means, and what to do (codec error classes,
// SPEC.md §9).
export const CODE_ERRORS = {
  'foreign': 'This is not a peer code. Scan or paste the code (P:… or P-…) or the link the other side shows.',
  'malformed': 'This code is damaged: part of it is missing or mistyped. Copy or scan it again.',
  'non-canonical': 'This code was not produced correctly (non-canonical encoding); it was refused.',
  'unsupported': 'This code uses a newer version of the format than this page understands.',
  'limit': 'This code is larger than this page accepts.',
  'binding': 'This answer belongs to another offer. Scan the answer made for the offer shown on this page.',
  'invalid-sdp': 'This code does not hold a usable WebRTC description.',
};

// Problem is a refusal shown to the person: a class (a codec class, or the
// page's own: 'role', 'protocol', 'timeout', …) and a message.
export class Problem extends Error {
  constructor(cls, message) {
    super(message);
    this.class = cls;
  }
}

// codeProblem turns a codec error into a Problem.
export function codeProblem(err) {
  if (!err || typeof err.class !== 'string') {
    return new Problem('malformed', `This code could not be read (${err?.message ?? err}).`);
  }
  return new Problem(err.class, CODE_ERRORS[err.class] ?? `Bad code: ${err.message}`);
}

// readCode parses text (a code in any text form, or a link) and decodes it,
// an answer against its offer. It returns {code, desc} or throws a Problem.
export function readCode(text, offer) {
  try {
    const code = codec.parseText(text);
    return { code, desc: codec.decode(code, offer ? { offer } : {}) };
  } catch (err) {
    throw codeProblem(err);
  }
}

export function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// makeQR encodes text at level L, in alphanumeric mode where possible: a
// link's base in byte mode, its fragment (P-…, all alphanumeric) in
// alphanumeric mode (SPEC.md §5.3).
export function makeQR(text) {
  const alnum = /^[0-9A-Z $%*+\-./:]*$/;
  const segs = [];
  const hash = text.lastIndexOf('#');
  if (alnum.test(text)) segs.push([text, 'Alphanumeric']);
  else if (hash >= 0 && alnum.test(text.slice(hash + 1))) {
    segs.push([text.slice(0, hash + 1), 'Byte'], [text.slice(hash + 1), 'Alphanumeric']);
  } else segs.push([text, 'Byte']);
  const qr = qrcode(0, 'L');
  for (const [s, mode] of segs) qr.addData(s, mode);
  qr.make();
  return { qr, version: (qr.getModuleCount() - 17) / 4 };
}

// drawQR draws a QR code on canvas, black on white with its quiet zone,
// 8 pixels a module (whatever the page's colour scheme).
export function drawQR(canvas, { qr }) {
  const n = qr.getModuleCount(), quiet = 4, scale = 8;
  const size = (n + 2 * quiet) * scale;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#000';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) g.fillRect((c + quiet) * scale, (r + quiet) * scale, scale, scale);
    }
  }
}
