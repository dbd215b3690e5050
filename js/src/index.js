// @peer-sdp/codec: compact WebRTC session descriptions (SPEC.md, version 1).
export { encode, decode, checkBinding, equivalent, limits, bindingOf } from './codec.js';
export { formatText, parseText, link, PREFIX_QR, PREFIX_LINK } from './text.js';
export {
  ErrorClass, CodecError, ForeignError, MalformedError, NonCanonicalError, UnsupportedError,
  LimitError, BindingError, InvalidSDPError, NeedsOfferError, classes, errorClass,
} from './errors.js';
export { sha256 } from './sha256.js';
export { detachDigest, attachDigest, hasExtKey } from './reconnect.js';
// The package's one CBOR module (src/cbor.js), which the peer layer's
// identity messages use too (src/peer/identity.js, IDENTITY_LIMITS).
export * as cbor from './cbor.js';
