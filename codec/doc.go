// Package codec implements version 1 of the peer compact session
// description format (SPEC.md): it turns a WebRTC session description (SDP
// offer or answer) into a code small enough for a QR code, a link or a chat
// message, and back.
//
// Encode maps an SDP to the format's model (SPEC.md §3) and writes it as a
// CBOR sequence (§4): data-channel descriptions in the compact form (ICE
// credentials packed, fingerprints as raw bytes, candidates as packed
// records); audio/video descriptions in the compact audio/video form (heads
// 18 and 19: credentials, fingerprints, candidates, SSRCs and identifiers
// as bytes, the rest of the text as line edits of registry profiles,
// avprofiles.txt, or, for an answer, of its offer's sections); every other
// valid description losslessly in the residual form (DEFLATE with a preset
// dictionary). FormatText and ParseText convert the
// binary code to and from its text forms "qr" (Base45) and "link" (Base32),
// and Link builds a URL carrying a code in its fragment (§5). Decode rebuilds
// an SDP that WebRTC stacks accept and that is equivalent to the original
// (§3.6, Equivalent).
//
// An answer's code is bound to its offer's code (§6): Encode needs the
// offer's code, and a Decoder built with DecOptions.Offer refuses an answer
// made for another offer with ErrBinding. An answer in the audio/video form
// is coded against its offer: it decodes only with DecOptions.Offer
// (ErrNeedsOffer without it).
//
// Options compile to immutable modes (EncOptions.Encoder, DecOptions.Decoder)
// that validate their limits when built.
//
// # Errors
//
// Every error wraps exactly one class: ErrForeign, ErrMalformed,
// ErrNonCanonical, ErrUnsupported, ErrLimit, ErrBinding, ErrInvalidSDP or
// ErrNeedsOffer (SPEC.md §9);
// test with errors.Is. The concrete type is *Error, which gives the byte
// offset in the code (or the line of the SDP) and the field concerned.
//
// # Limits
//
// Decoders enforce DefaultMaxCodeBytes (32 KiB) on codes,
// DefaultMaxSDPBytes (64 KiB) on decompressed and produced SDP, and
// DefaultMaxCandidates (64) on candidates; ParseText refuses text over
// DefaultMaxTextBytes. Each limit is configurable within the ranges of the
// Min*/Max* constants. Decoding time and memory are linear in these limits.
//
// # Security
//
// A code carries the DTLS fingerprint that authenticates the remote peer: the
// channel that carries a code must protect its integrity and origin (a QR
// code shown on a device the user holds, a link in an authenticated chat).
// Host candidates reveal local addresses; CandidatePolicy can drop IPv6,
// private or mDNS candidates. The answer binding detects mistakes, not
// attacks. Every code a decoder sees is untrusted: it is validated, size
// limited and checked canonical before any SDP is built. See SPEC.md §11.
package codec
