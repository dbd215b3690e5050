// @peer-sdp/codec/peer: two peers over codes in a browser (the counterpart
// of ref/, Go), on RTCPeerConnection, in the framing of SPEC.md §13.
export { PeerConnection, patientOffer, DEFAULTS } from './connection.js';
export { Channel } from './channel.js';
export { PeerError } from './errors.js';
export { formatText, parseText, link, CodecError } from '../index.js';
