// The error classes of a connection (the counterparts of ref/'s sentinel
// errors, ref/errors.go). Codes that do not decode throw the codec's
// CodecError instead (SPEC.md §9).

/**
 * PeerError is every error of this library that is not a codec error. Test
 * its class, never its message:
 *
 * - 'closed': this side closed the connection (ref.ErrClosed);
 * - 'peer-closed': the other side closed it (CLOSE frame, DTLS close_notify
 *   or its channel closing; ref.ErrPeerClosed);
 * - 'unreachable': nothing heard from the peer for the dead-peer timeout,
 *   or ICE failed after the connection opened (ref.ErrPeerUnreachable);
 *   also a restart offer that gathered no candidate (not fatal);
 * - 'connect': no connection in time (ref.ErrConnect);
 * - 'offer-expired': no answer within the offer timeout (ref.ErrOfferExpired);
 * - 'state': a call not allowed now (ref.ErrState);
 * - 'code': an offer's code where an answer's was expected, or the reverse
 *   (ref.ErrCode);
 * - 'message-too-large': a received message over maxMessageSize (not fatal:
 *   the following messages arrive), or a message to send that cannot be
 *   fragmented (ref.ErrMessageTooLarge);
 * - 'protocol': the peer broke the framing of SPEC.md §13 (ref.ErrProtocol);
 * - 'write-closed': a send after this side's end of stream
 *   (ref.ErrWriteClosed);
 * - 'channel-closed': a channel closed without an end of stream.
 */
export class PeerError extends Error {
  constructor(cls, message) {
    super(message);
    this.name = 'PeerError';
    this.class = cls;
  }
}
