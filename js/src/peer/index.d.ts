// Type declarations of @peer-sdp/codec/peer: two peers over codes in a
// browser, in the framing of SPEC.md §13 (the counterpart of ref/, Go).
import type { CandidatePolicy, Form } from '../index.js';
export { formatText, parseText, link, CodecError } from '../index.js';

export type PeerErrorClass = IdentityErrorClass
  | 'closed' | 'peer-closed' | 'unreachable' | 'connect' | 'offer-expired' | 'state' | 'code'
  | 'message-too-large' | 'protocol' | 'write-closed' | 'channel-closed';

/** Every error of the library that is not a codec error (CodecError). Test .class, never the message. */
export class PeerError extends Error {
  readonly class: PeerErrorClass;
}

export interface PeerConnectionOptions {
  /** STUN and TURN servers; none by default (peers on the same network). */
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** The RTCPeerConnection's bundle policy ('balanced' by default): with 'max-bundle', Firefox writes every section but the first bundle-only, which the codes carry (SPEC.md §14.4). */
  bundlePolicy?: RTCBundlePolicy;
  /** A DTLS certificate to keep (RTCPeerConnection.generateCertificate; storable in IndexedDB). */
  certificates?: RTCCertificate[];
  /** Text form of the codes offer() and connect() return: 'qr' (P:…, default), 'link' (P-…) or 'bin'. */
  form?: Form;
  /** The codec's candidate policy for this side's codes (SPEC.md §3.4). */
  policy?: CandidatePolicy;
  /**
   * Answer patiently (default true): the answer may reach the offerer minutes later. Chromium
   * (every browser but Firefox) checks the offer's candidates at once, connecting as fast as
   * answering at once, waits out an ICE failure before the answer arrives, and answers as the
   * DTLS server (a=setup:passive: the offerer starts the handshake once it has the answer);
   * Firefox applies the offer without its candidates (patientOffer) and drips them.
   */
  patient?: boolean;
  /** On pagehide (a closed tab, a navigation) send CLOSE and close (default true): the peer sees the page gone at once. */
  closeOnPageHide?: boolean;
  /** Firefox patient answerers re-add the offer's candidates every drip ms (default 3000 in Firefox, 0 elsewhere; only Firefox holds them back). */
  drip?: number;
  /** Bound on candidate gathering, ms; default 2000, range 1..60000. */
  gatherTimeout?: number;
  /** How long an offer waits for its answer, ms; default 15 min, range 1 s..24 h. */
  offerTimeout?: number;
  /** How long an answerer waits for the offerer to connect, ms; default 10 min, range 5 s..1 h. */
  answerTimeout?: number;
  /** How long an offerer waits, after the answer, for the connection, ms; default 30 s, range 1 s..1 h. */
  connectTimeout?: number;
  /** Silence after which an open connection's peer is unreachable, ms; default 10 s, range 5 s..1 h. */
  deadPeerTimeout?: number;
  /** Largest message reassembled, bytes; default 16 MiB, range 1 B..1 GiB. */
  maxMessageSize?: number;
  /**
   * At the dead-peer deadline, emit 'unreachable' and wait restartTimeout for an ICE
   * restart (or the path to come back) instead of closing (ref's Config.RestartableICE). Default false.
   */
  restartable?: boolean;
  /** How long an ICE restart may take to connect, and the hold after 'unreachable', ms; default 15 s, range 1 s..1 h. */
  restartTimeout?: number;
}

export const DEFAULTS: Readonly<Required<Pick<PeerConnectionOptions,
  'gatherTimeout' | 'offerTimeout' | 'answerTimeout' | 'connectTimeout' | 'deadPeerTimeout' | 'maxMessageSize' | 'restartTimeout'>>>;

type Unsubscribe = () => void;

export interface ChannelEvents {
  open: () => void;
  /** A whole message (MORE… DATA). */
  message: (data: Uint8Array) => void;
  /** The peer's end of stream (EOS). */
  end: () => void;
  close: () => void;
  /** Not fatal: a message over maxMessageSize was discarded, or the channel closed without EOS. */
  error: (err: PeerError) => void;
  /** A frame of an ignorable type (0x40–0xFF; FRAMING.md: 0x40 is FILE), in order with the messages; never KEEPALIVE (0x41), which the library consumes. */
  extension: (type: number, payload: Uint8Array) => void;
}

/** A data channel in the framing of SPEC.md §13. */
export class Channel {
  readonly label: string;
  readonly id: number | null;
  readonly open: boolean;
  /** The peer's end of stream arrived. */
  readonly ended: boolean;
  readonly isDefault: boolean;
  /** The browser's data channel. */
  readonly dc: RTCDataChannel;
  /** Sends one message (a string as UTF-8); waits while more than 1 MiB is buffered. */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  /** Sends one frame of an ignorable type (0x40–0xFF) after the queued messages; the payload fits one frame. */
  sendExtension(type: number, payload?: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  /** Sends this side's end of stream after the queued messages. */
  end(): Promise<void>;
  /** Resolves when what was sent has left the browser's buffer, or after ms (default 5000). */
  flush(ms?: number): Promise<void>;
  /** Ends this side's stream and, except on the default channel, closes the data channel. */
  close(): Promise<void>;
  /** The byte stream (SPEC.md §13.3): every payload from now on, ending at the peer's EOS. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Each chunk one message, with backpressure; close() sends EOS. */
  readonly writable: WritableStream<string | ArrayBuffer | ArrayBufferView>;
  on<K extends keyof ChannelEvents>(type: K, fn: ChannelEvents[K]): Unsubscribe;
  once<K extends keyof ChannelEvents>(type: K, fn: ChannelEvents[K]): Unsubscribe;
  off<K extends keyof ChannelEvents>(type: K, fn: ChannelEvents[K]): void;
}

export interface PeerConnectionEvents {
  /** The default channel is open. */
  connect: () => void;
  /** A message on the default channel. */
  data: (data: Uint8Array) => void;
  /** The peer's end of stream on the default channel. */
  end: () => void;
  /** A channel the peer opened. */
  channel: (channel: Channel) => void;
  /** A media track of the peer. */
  track: (track: MediaStreamTrack, streams: readonly MediaStream[]) => void;
  /** A failure (before 'close'), or a non-fatal error on the default channel. */
  error: (err: PeerError) => void;
  /** Why the connection ended: fires once. */
  close: (reason: PeerError) => void;
  /** options.restartable: the dead-peer deadline passed; the connection waits restartTimeout for a restart. */
  unreachable: () => void;
  /** ICE connected again after 'unreachable' (a restart, or the path by itself). */
  reachable: () => void;
  /** An ICE restart connected; count is restarts so far. */
  restart: (count: number) => void;
}

export type ConnectionState = 'new' | 'offering' | 'answering' | 'connecting' | 'open' | 'closed';

/** Two peers connected through codes, on RTCPeerConnection. */
export class PeerConnection {
  constructor(options?: PeerConnectionOptions);
  readonly options: Readonly<PeerConnectionOptions>;
  /** The browser's connection, for what this class does not cover. */
  readonly pc: RTCPeerConnection;
  readonly role: 'offerer' | 'answerer' | null;
  readonly state: ConnectionState;
  /** Why the connection ended, once it has. */
  readonly reason: PeerError | null;
  /** The offer's binary code (ours or the peer's). */
  readonly offerCode: Uint8Array | null;
  /** This side's binary code. */
  readonly localCode: Uint8Array | null;
  /** The default channel (label "peer", negotiated, id 0). */
  readonly channel: Channel;
  readonly channels: Channel[];
  /** Resolves when the connection opens; rejects with the reason if it ends first. */
  readonly connected: Promise<void>;
  /** Resolves with the reason when the connection ends. */
  readonly closed: Promise<PeerError>;
  /** Makes this side the offerer: its code in options.form. */
  offer(): Promise<string>;
  /** Answers an offer's code (resolves with the answer's code) or applies the answer's code (resolves with null). */
  connect(code: string | Uint8Array): Promise<string | null>;
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  end(): Promise<void>;
  /** Before offer() or connect(offer). */
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender;
  /** Before offer() or connect(offer); e.g. ('video', {direction: 'recvonly'}) to receive only. */
  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver;
  openChannel(label: string, init?: RTCDataChannelInit): Channel;
  /**
   * Starts an ICE restart of the open connection: the restart offer's code (options.form), for the
   * peer's restartAnswer() or ref.Conn.RestartAnswer. It must connect within options.restartTimeout,
   * else the connection closes 'unreachable'. Replaces a pending restart offer. PeerError 'state' unless open;
   * 'unreachable' when it gathered no candidate within options.gatherTimeout (rolled back: offer again later).
   */
  restartOffer(): Promise<string>;
  /** Applies the peer's restart offer (any form): the answer's code, for its completeRestart(). 'code' for an answer or an offer with the current credentials. */
  restartAnswer(code: string | Uint8Array): Promise<string>;
  /** Applies the restart answer's code (CodecError 'binding' for an answer to another offer); resolves with null. */
  completeRestart(code: string | Uint8Array): Promise<null>;
  /** Resolves when the pending restart has connected (at once when none is); rejects with the reason if the connection ends. */
  waitRestart(): Promise<void>;
  /** ICE restarts that have connected. */
  readonly restarts: number;
  /** A restart began and has not connected yet. */
  readonly restarting: boolean;
  /** False from 'unreachable' until ICE connects again. */
  readonly reachable: boolean;
  /** CLOSE, then the browser's close; the peer sees it well within 1 s. */
  close(): Promise<void>;
  on<K extends keyof PeerConnectionEvents>(type: K, fn: PeerConnectionEvents[K]): Unsubscribe;
  once<K extends keyof PeerConnectionEvents>(type: K, fn: PeerConnectionEvents[K]): Unsubscribe;
  off<K extends keyof PeerConnectionEvents>(type: K, fn: PeerConnectionEvents[K]): void;
}

/** The offer without its candidates (a patient Firefox answerer), or the offer itself for an ice-lite offerer. */
export function patientOffer(desc: RTCSessionDescriptionInit & { sdp: string }): { type: RTCSdpType; sdp: string };

// --- Identity blocks (IDENTITY.md) ---

export type IdentityErrorClass =
  | 'auth' | 'tampered' | 'no-route' | 'unknown-peer' | 'too-many' | 'refused' | 'expired' | 'protocol'
  | 'malformed' | 'unsupported';

/** An Ed25519 key pair (WebCrypto) and its peer ID. */
export class Identity {
  /** Non-extractable private key; storable in IndexedDB. Throws PeerError 'unsupported' without Ed25519 in WebCrypto. */
  static generate(): Promise<Identity>;
  /** The identity of a 32-byte Ed25519 seed (test vectors). */
  static fromSeed(seed: Uint8Array): Promise<Identity>;
  constructor(privateKey: CryptoKey, publicKey: Uint8Array);
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
  /** SHA-256 of the public key. */
  readonly id: Uint8Array;
  readonly idText: string;
  readonly idShort: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** HELLO (IDENTITY.md §3.2); role 0 offerer, 1 answerer. */
  hello(role: 0 | 1, fpOfferer: Uint8Array, fpAnswerer: Uint8Array, addrs?: string[]): Promise<Uint8Array>;
  signCode(kind: 0 | 1, to: Uint8Array, code: Uint8Array, time?: number | bigint): Promise<SignedCode>;
}

export interface SignedCode {
  kind: number; key: Uint8Array; to: Uint8Array; time: number | bigint; code: Uint8Array; sig: Uint8Array;
}

export type Message =
  | { type: 1; payload: Uint8Array }
  | { type: 2 | 5; hops: number; to: Uint8Array; nonce: number | bigint; signed: SignedCode }
  | { type: 3; hops: number; to: Uint8Array; nonce: number | bigint; reason: number | bigint }
  | { type: 4; peer: Uint8Array }
  | { type: number; ignored: true };

export function idOf(publicKey: Uint8Array): Uint8Array;
export function idText(id: Uint8Array): string;
export function idShort(id: Uint8Array): string;
export function parseID(text: string): Uint8Array;
export function verify(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): Promise<boolean>;
export function helloInput(role: 0 | 1, fpOfferer: Uint8Array, fpAnswerer: Uint8Array): Uint8Array;
/** Every failure is PeerError 'auth'. */
export function checkHello(message: Uint8Array, peerRole: 0 | 1, fpOfferer: Uint8Array, fpAnswerer: Uint8Array,
  ownID: Uint8Array, expect?: Uint8Array[]): Promise<{ id: Uint8Array; key: Uint8Array; sig: Uint8Array; addrs: string[] }>;
export function codeInput(kind: number, key: Uint8Array, to: Uint8Array, time: number | bigint, code: Uint8Array): Uint8Array;
/** 'protocol' (kind, to), 'tampered', 'expired', 'auth' (answer's author). Resolves with the author's ID. */
export function verifySigned(s: SignedCode, ownID: Uint8Array, kind: 0 | 1, now: number | bigint, expectID?: Uint8Array): Promise<Uint8Array>;
/** 'protocol' for anything but a message of Appendix A. */
export function decodeMessage(message: Uint8Array): Message;
export function dataMessage(payload: Uint8Array): Uint8Array;
export function relayMessage(hops: 0 | 1, to: Uint8Array, nonce: number | bigint, signed: SignedCode, type?: 2 | 5): Uint8Array;
export function refuseMessage(hops: 0 | 1, to: Uint8Array, nonce: number | bigint, reason: number): Uint8Array;
export function inviteMessage(peer: Uint8Array): Uint8Array;
export function encodeSignedCode(s: SignedCode): Uint8Array;
export function refusalClass(reason: number | bigint): IdentityErrorClass;
export function frame(message: Uint8Array): Uint8Array;
export function readFrame(stream: Uint8Array): { message: Uint8Array; rest: Uint8Array };
export function toReconnect(full: Uint8Array, author: Uint8Array, fingerprint: Uint8Array): Uint8Array | null;
export function fromReconnect(code: Uint8Array, fingerprint: Uint8Array): Uint8Array;
export function reconnectHint(code: Uint8Array): Uint8Array | null;
/** 'unknown-peer' when no remembered ID starts with the hint; 'malformed' when the code is not read strictly. */
export function resolveReconnect(code: Uint8Array, remembered: { id: Uint8Array; fingerprint: Uint8Array; lastSeen?: number }[]): { id: Uint8Array; code: Uint8Array }[];
export const MSG: Readonly<{ hello: 0; data: 1; relay: 2; refuse: 3; invite: 4; restart: 5 }>;
export const REFUSE: Readonly<Record<'no-route' | 'tampered' | 'unknown-peer' | 'too-many' | 'refused' | 'other', number>>;
export const KIND_OFFER: 0;
export const KIND_ANSWER: 1;
export const VERSION: 1;
export const SIGNED_CODE_LIFETIME: number;

// --- Peer (identity in IndexedDB, HELLO, known peers, reconnect codes) ---

export interface PeerRecord {
  idText: string; id: Uint8Array; key: Uint8Array;
  /** The peer's certificate digest, and ours as it last saw it. */
  fingerprint: Uint8Array; sentFingerprint: Uint8Array;
  firstSeen: number; lastSeen: number;
  /** Paired by code (true), or first met through an introducer (its ID text). */
  chosen: boolean; introducer?: string;
  /** The addresses the peer announced in its HELLO (a Go peer that listens). */
  addrs?: string[];
}

export interface SessionEvents {
  data: (data: Uint8Array) => void;
  /** The session ended: either side closed it, or no connection came back within reconnectTimeout ('no-route'). */
  close: (reason: PeerError) => void;
  /**
   * The connection passed the dead-peer deadline and is kept for an ICE restart (IDENTITY.md §8.2),
   * or it was lost (then a fresh connection is made, §8.1). Once until 'reconnected'.
   */
  reconnecting: (err: PeerError) => void;
  /** This side asks a connected peer to introduce it again (attempt: 1, 2, ...; IDENTITY.md §8.1). */
  redialing: (attempt: number) => void;
  /** ICE connected again on the same connection (a restart, or the path by itself), or a fresh connection replaced it. */
  reconnected: () => void;
}

/** A peer verified by HELLO (one per ID, IDENTITY.md §8.1), on its current connection. */
export class Session {
  readonly id: Uint8Array;
  readonly idText: string;
  readonly idShort: string;
  readonly key: Uint8Array;
  /** The current connection: replaced by a fresh one after a loss (or a glare). */
  readonly conn: PeerConnection;
  /** From 'reconnecting' until 'reconnected' (or 'close'). */
  readonly restarting: boolean;
  /** When 'reconnecting' began (Date.now()), 0 while connected: reconnectTimeout counts from it. */
  readonly lostAt: number;
  /**
   * Runs one ICE restart of the connection now (IDENTITY.md §8.2), its signed offer carried by another
   * connected peer; resolves once it connected. PeerError 'state' for a connection made from codes
   * carried by hand, 'no-route' when no other peer carried it. Unreachable sessions restart by themselves.
   */
  restart(): Promise<void>;
  /** Sends on the current connection; rejects while the session has none (reconnecting after a loss). */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  /** Ends the session: its connection closes (the peer sees 'left'); one waiting for a connection is left at once. */
  close(): Promise<void>;
  on<K extends keyof SessionEvents>(type: K, fn: SessionEvents[K]): Unsubscribe;
  once<K extends keyof SessionEvents>(type: K, fn: SessionEvents[K]): Unsubscribe;
  off<K extends keyof SessionEvents>(type: K, fn: SessionEvents[K]): void;
}

export interface PairingOptions {
  /** The ID(s), text form, the connection must reach: an offer to one known peer is a reconnect code. */
  expect?: string | string[];
  conn?: PeerConnectionOptions;
}

/** One connection of a Peer through codes. */
export class Pairing {
  readonly conn: PeerConnection;
  /** Resolves when HELLO verified the peer; rejects with the reason ('auth' for an impostor). */
  readonly session: Promise<Session>;
  offer(): Promise<string>;
  connect(code: string | Uint8Array): Promise<string | null>;
}

export interface PeerEvents {
  /** A new session: HELLO verified a peer with no session (not a return: that is 'reconnected'). */
  joined: (session: Session) => void;
  data: (session: Session, data: Uint8Array) => void;
  /**
   * The session ended: closed by either side ('closed', 'peer-closed'), or no connection came back
   * within reconnectTimeout ('no-route').
   */
  left: (session: Session, reason: PeerError) => void;
  /**
   * A session made through an introduction passed the dead-peer deadline; it is kept for an ICE
   * restart (IDENTITY.md §8.2), run by the initiator through another connected peer. Or a session's
   * connection was lost (then reconnected with a fresh connection, §8.1). Once until 'reconnected'.
   */
  reconnecting: (session: Session, err: PeerError) => void;
  /**
   * The same session is connected again, same ID: its connection by an ICE restart (no new HELLO),
   * or a fresh connection (HELLO verified the same ID) that replaced the lost one.
   */
  reconnected: (session: Session) => void;
  /** One restart attempt of ours failed (the next follows within the restart window). */
  'restart-failed': (session: Session, err: PeerError) => void;
  /**
   * The session has no connection and this side is the initiator (IDENTITY.md §8.1): it asks its other
   * connected peers (the most recently joined first) to introduce it again; attempt 1, 2, ... backing off
   * from 1 s doubling to 30 s.
   */
  redialing: (session: Session, attempt: number) => void;
  /** That attempt failed ('no-route', 'connect', a refusal's class, ...); the next follows the backoff. */
  'redial-failed': (session: Session, err: PeerError) => void;
  /**
   * An introduction offered to this peer was refused (as ref/peer's Rejected):
   * err.class says why ('refused', 'expired' for a replay, 'too-many',
   * 'tampered', ...); from: the author's ID text when the code names one;
   * via: the session it came through. The author is sent the refusal.
   */
  rejected: (err: PeerError, from: string | null, via: Session) => void;
  /** A failure while handling an introduction message. */
  error: (err: Error) => void;
}

export interface PeerOpenOptions extends PeerConnectionOptions {
  /** IndexedDB database name; default 'peer-sdp'. */
  name?: string;
  /** false: keep the identity and known peers in memory only. */
  persist?: boolean;
  /** Sessions plus introductions being answered; more are refused (too-many). Default 64, range 1..4096. */
  maxPeers?: number;
  /** The peer's HELLO must arrive within this, ms, after the connection opens (else auth). Default 15000, range 1 s..10 min. */
  handshakeTimeout?: number;
  /**
   * How long a session may stay without a connection before it is left ('no-route'), ms, from its
   * 'reconnecting' (IDENTITY.md §5's retry budget, ref/peer's ReconnectTimeout). Default 300000, range 1 s..24 h.
   */
  reconnectTimeout?: number;
}

/** This browser's identity and the peers it knows. */
export class Peer {
  static open(options?: PeerOpenOptions): Promise<Peer>;
  readonly identity: Identity;
  readonly certificate: RTCCertificate;
  /** The sha-256 digest of the certificate. */
  readonly fingerprint: Uint8Array;
  readonly id: Uint8Array;
  readonly idText: string;
  readonly idShort: string;
  pair(options?: PairingOptions): Pairing;
  /** Connects to `to` (ID text) through a connected peer, with no code (IDENTITY.md §6). */
  introduce(to: string, options?: { via?: Session | string }): Pairing;
  /** The sessions by ID text, connected or reconnecting. */
  readonly sessions: Map<string, Session>;
  remembered(): Promise<PeerRecord[]>;
  forget(idText: string): Promise<void>;
  on<K extends keyof PeerEvents>(type: K, fn: PeerEvents[K]): Unsubscribe;
  once<K extends keyof PeerEvents>(type: K, fn: PeerEvents[K]): Unsubscribe;
  off<K extends keyof PeerEvents>(type: K, fn: PeerEvents[K]): void;
}
