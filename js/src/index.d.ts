// Type declarations of @peer-sdp/codec (SPEC.md version 1).

/** A session description as RTCPeerConnection produces and takes it. */
export interface Description {
  type: 'offer' | 'answer';
  sdp: string;
}

/** The candidate policy of SPEC.md §3.4; every member defaults to false / 0. */
export interface CandidatePolicy {
  /** Keep at most this many candidates (0: no limit). */
  maxCandidates?: number;
  dropTCPActive?: boolean;
  dropTCP?: boolean;
  /** Keep candidates of components other than 1 (dropped by default). */
  keepComponent2?: boolean;
  dropIPv6?: boolean;
  dropMDNS?: boolean;
  /** Drop host candidates with loopback, private or link-local addresses. */
  dropPrivate?: boolean;
}

export interface EncodeOptions {
  policy?: CandidatePolicy;
  /** Limit on the SDP text accepted; default 65536, range 1024..16 MiB. */
  maxSDPBytes?: number;
  /** Most candidates a code may carry after the policy (more: 'limit'); default 64, range 1..1024. */
  maxCandidates?: number;
  /** Longest code made (longer, or decoding to more than maxSDPBytes: 'limit'); default 32768, range 64..16 MiB. */
  maxCodeBytes?: number;
}

export interface DecodeOptions {
  /** Default 32768, range 64..16 MiB. */
  maxCodeBytes?: number;
  /** Limit on the decompressed residual and on the produced SDP; default 65536, range 1024..16 MiB. */
  maxSDPBytes?: number;
  /** Default 64, range 1..1024. */
  maxCandidates?: number;
  /**
   * The binary code of the offer this side made: an answer bound to another offer fails with
   * 'binding'. An answer in the audio/video form (head 19) is coded against its offer and needs it:
   * without it, decoding fails with 'needs-offer'.
   */
  offer?: Uint8Array | null;
}

export type Form = 'qr' | 'link' | 'bin';

export type ErrorClassName =
  | 'foreign' | 'malformed' | 'non-canonical' | 'unsupported' | 'limit' | 'binding' | 'invalid-sdp' | 'needs-offer';

/** Encodes a description as a binary code. Throws CodecError ('invalid-sdp', 'limit', 'binding'). */
export function encode(description: Description, offerCode?: Uint8Array | null, options?: EncodeOptions): Uint8Array;
/** Decodes a binary code. Throws CodecError (every class but 'invalid-sdp'). */
export function decode(code: Uint8Array, options?: DecodeOptions): Description;
/** Throws BindingError unless answer is an answer code bound to offer (other classes when answer is invalid). */
export function checkBinding(answer: Uint8Array, offer: Uint8Array): void;
/** SPEC.md §3.6: whether decoded is equivalent to original encoded with policy. */
export function equivalent(original: Description, decoded: Description, policy?: CandidatePolicy): boolean;
/** The first 4 bytes of SHA-256 of an offer's code (SPEC.md §6). */
export function bindingOf(offer: Uint8Array): Uint8Array;
/** Synchronous SHA-256. */
export function sha256(data: Uint8Array): Uint8Array;

/** 'qr': "P:" + Base45; 'link': "P-" + Base32; 'bin': the bytes as a string of code units 0–255. */
export function formatText(code: Uint8Array, form?: Form): string;
/** Any text form, a whole link, or the binary code. Throws 'foreign', 'malformed' or 'limit'. */
export function parseText(text: string | Uint8Array, options?: { maxTextBytes?: number }): Uint8Array;
/** base without its fragment, then "#", then the link form. */
export function link(base: string, code: Uint8Array): string;

export const PREFIX_QR: 'P:';
export const PREFIX_LINK: 'P-';

export const limits: Readonly<{
  DEFAULT_MAX_SDP_BYTES: number;
  DEFAULT_MAX_CODE_BYTES: number;
  DEFAULT_MAX_CANDIDATES: number;
  DEFAULT_MAX_TEXT_BYTES: number;
  MIN_MAX_SDP_BYTES: number;
  MAX_MAX_SDP_BYTES: number;
  MIN_MAX_CODE_BYTES: number;
  MAX_MAX_CODE_BYTES: number;
  MAX_MAX_CANDIDATES: number;
}>;

export const ErrorClass: Readonly<{
  FOREIGN: 'foreign';
  MALFORMED: 'malformed';
  NON_CANONICAL: 'non-canonical';
  UNSUPPORTED: 'unsupported';
  LIMIT: 'limit';
  BINDING: 'binding';
  INVALID_SDP: 'invalid-sdp';
  NEEDS_OFFER: 'needs-offer';
}>;

/** Every error this package throws; `class` is the SPEC.md §9 name. */
export class CodecError extends Error {
  readonly class: ErrorClassName;
  /** Byte offset in the code (decoding) or 1-based line number (encoding); -1 when unknown. */
  readonly offset: number;
  readonly field: string;
}
export class ForeignError extends CodecError { static readonly class: 'foreign'; }
export class MalformedError extends CodecError { static readonly class: 'malformed'; }
export class NonCanonicalError extends CodecError { static readonly class: 'non-canonical'; }
export class UnsupportedError extends CodecError { static readonly class: 'unsupported'; }
export class LimitError extends CodecError { static readonly class: 'limit'; }
export class BindingError extends CodecError { static readonly class: 'binding'; }
export class InvalidSDPError extends CodecError { static readonly class: 'invalid-sdp'; }
/** An answer in the audio/video form decoded without the code of its offer. */
export class NeedsOfferError extends CodecError { static readonly class: 'needs-offer'; }

export const classes: Readonly<Record<ErrorClassName, typeof CodecError>>;
/** The class name of err, or '' when it is not a CodecError. */
export function errorClass(err: unknown): ErrorClassName | '';

/** Limits of the CBOR checker: nesting, array elements, map pairs, and whether every simple and floating-point value is admitted. */
export interface CBORLimits { nesting: number; array: number; map: number; anySimple: boolean; }

/**
 * The package's one CBOR module (RFC 8949), which the peer layer's identity
 * messages use too. Its errors are the codec's classes (MalformedError,
 * LimitError, NonCanonicalError).
 */
export namespace cbor {
  /** SPEC.md §8's limits: nesting 16, 4096 elements, 256 pairs; only false, true and null. */
  const CODEC_LIMITS: Readonly<CBORLimits>;
  /** The identity messages' limits: nesting 8, 64 elements, 64 pairs; any simple or float value. */
  const IDENTITY_LIMITS: Readonly<CBORLimits>;
  /** checkItem checks the item at b[off]; nonCanon notes faults of deterministic encoding. */
  function checkItem(b: Uint8Array, off: number, limits?: CBORLimits): { end: number; nonCanon: boolean };
  /** decodeOne decodes b, exactly one checked, canonical item. */
  function decodeOne(b: Uint8Array, limits?: CBORLimits): unknown;
  /** encode returns the deterministic encoding of v. */
  function encode(v: unknown): Uint8Array;
  /** head returns the shortest head of major type major and argument arg. */
  function head(major: number, arg: number | bigint): Uint8Array;
  function concatBytes(parts: Uint8Array[]): Uint8Array;
  function compareBytes(a: Uint8Array, b: Uint8Array): number;
  /** Raw is an item already encoded, written as it is. */
  class Raw { constructor(bytes: Uint8Array); readonly bytes: Uint8Array; }
}

/**
 * detachDigest returns full (a canonical compact code whose body ends with
 * the SHA-256 digest, without ext key 1 or key) without that digest, marked
 * with the byte string mark under ext key key, and the digest; null for any
 * other code (IDENTITY.md §4's reconnect codes use key −1).
 */
export function detachDigest(full: Uint8Array, key: number, mark: Uint8Array): { code: Uint8Array; digest: Uint8Array } | null;

/**
 * attachDigest is detachDigest's inverse, reading code strictly: the byte
 * string under key and the full code. Throws MalformedError (or LimitError).
 */
export function attachDigest(code: Uint8Array, key: number, digest: Uint8Array): { mark: Uint8Array; full: Uint8Array };

/** hasExtKey reports whether the last item of code is a map holding key, however code is encoded otherwise. */
export function hasExtKey(code: Uint8Array, key: number): boolean;
