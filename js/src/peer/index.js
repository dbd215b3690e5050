// @peer-sdp/codec/peer: two peers over codes in a browser (the counterpart
// of ref/, Go), on RTCPeerConnection, in the framing of SPEC.md §13.
export { PeerConnection, patientOffer, DEFAULTS } from './connection.js';
export { Channel } from './channel.js';
export { PeerError } from './errors.js';
export { formatText, parseText, link, CodecError } from '../index.js';
export {
  Identity, idOf, idText, idShort, parseID, verify, helloInput, checkHello, codeInput, verifySigned,
  decodeMessage, dataMessage, relayMessage, refuseMessage, inviteMessage, encodeSignedCode, refusalClass,
  frame, readFrame, toReconnect, fromReconnect, reconnectHint, resolveReconnect,
  MSG, REFUSE, KIND_OFFER, KIND_ANSWER, VERSION, SIGNED_CODE_LIFETIME,
} from './identity.js';
export { Peer, Pairing, Session } from './peer.js';
