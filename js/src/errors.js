// Error classes of SPEC.md §9. Every error thrown by this package is a
// CodecError whose `class` is one of the names below; each class also has its
// own subclass so that `instanceof` works.

/** The SPEC.md §9 class names, in the order of the spec. */
export const ErrorClass = Object.freeze({
  FOREIGN: 'foreign',
  MALFORMED: 'malformed',
  NON_CANONICAL: 'non-canonical',
  UNSUPPORTED: 'unsupported',
  LIMIT: 'limit',
  BINDING: 'binding',
  INVALID_SDP: 'invalid-sdp',
  NEEDS_OFFER: 'needs-offer',
});

/**
 * CodecError is the base of every error of this package.
 * `offset` is the byte offset in the code (decoding) or the 1-based line
 * number (encoding), or -1 when unknown; `field` names the part concerned.
 */
export class CodecError extends Error {
  constructor(cls, offset, field, message) {
    super(`peer-codec: ${cls}: ${field ? field + ': ' : ''}${message}${offset >= 0 ? ` (at ${offset})` : ''}`);
    this.name = 'CodecError';
    /** @type {string} */
    this.class = cls;
    /** @type {number} */
    this.offset = offset;
    /** @type {string} */
    this.field = field || '';
  }
}

function sub(cls, name) {
  const C = class extends CodecError {
    constructor(offset = -1, field = '', message = cls) {
      super(cls, offset, field, message);
      this.name = name;
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  Object.defineProperty(C, 'class', { value: cls });
  return C;
}

export const ForeignError = sub('foreign', 'ForeignError');
export const MalformedError = sub('malformed', 'MalformedError');
export const NonCanonicalError = sub('non-canonical', 'NonCanonicalError');
export const UnsupportedError = sub('unsupported', 'UnsupportedError');
export const LimitError = sub('limit', 'LimitError');
export const BindingError = sub('binding', 'BindingError');
export const InvalidSDPError = sub('invalid-sdp', 'InvalidSDPError');
export const NeedsOfferError = sub('needs-offer', 'NeedsOfferError');

/** classes maps each class name to its error class. */
export const classes = Object.freeze({
  foreign: ForeignError,
  malformed: MalformedError,
  'non-canonical': NonCanonicalError,
  unsupported: UnsupportedError,
  limit: LimitError,
  binding: BindingError,
  'invalid-sdp': InvalidSDPError,
  'needs-offer': NeedsOfferError,
});

/** errorClass returns the §9 class name of err, or '' if it has none. */
export function errorClass(err) {
  return err instanceof CodecError ? err.class : '';
}
