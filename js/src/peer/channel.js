// A data channel in the framing of SPEC.md §13 (ref/FRAMING.md): messages
// (MORE… DATA), end of stream per direction (EOS), CLOSE on the default
// channel, frames of ignorable types for extensions; as events and
// promises, and as WHATWG streams.
import { Emitter } from './emitter.js';
import { PeerError } from './errors.js';
import { cbor } from '../index.js'; // concatBytes

export const DATA = 0x00, MORE = 0x01, EOS = 0x02, CLOSE = 0x03, IGNORABLE = 0x40, KEEPALIVE = 0x41;

// FRAME_MAX bounds the frames we send (SPEC.md §13.3: at most 64 KiB, and
// at most the peer's a=max-message-size).
const FRAME_MAX = 65536;
// A send waits while more than HIGH_WATER bytes are buffered, until the
// channel drains to LOW_WATER (ref/ blocks at 1 MiB too).
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

const utf8 = new TextEncoder();

// bytesOf turns what a user sends into bytes: a string as UTF-8, an
// ArrayBuffer or a view of one as its bytes.
export function bytesOf(data) {
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('send takes a string, an ArrayBuffer or a view of one');
}

/**
 * Channel is one data channel of a connection. Events: 'open', 'message'
 * (Uint8Array, a whole message), 'end' (the peer's end of stream), 'close'
 * (the channel is gone), 'error' (PeerError: a message over the size limit,
 * a channel closed without end of stream), 'extension' (type, payload: a
 * frame of an ignorable type, see sendExtension).
 */
export class Channel extends Emitter {
  constructor(conn, dc, isDefault) {
    super();
    this._conn = conn;
    this.dc = dc;
    this.isDefault = isDefault;
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER;
    this._chain = Promise.resolve();
    this._partial = [];
    this._partialBytes = 0;
    this._skipping = false; // discarding a message over the limit
    this._ended = false; // the peer's EOS arrived
    this._wrote = false; // our EOS is queued
    this._gone = false;
    this._readable = null;
    this._rctl = null;
    this._writable = null;
    dc.addEventListener('open', () => this.emit('open'));
    dc.addEventListener('message', (e) => this._frame(e.data));
    dc.addEventListener('close', () => this._closed());
  }

  get label() { return this.dc.label; }
  get id() { return this.dc.id; }
  /** open is true while the channel can send. */
  get open() { return this.dc.readyState === 'open' && !this._gone; }
  get ended() { return this._ended; }

  // limit is the largest frame we send.
  _limit() {
    const m = this._conn.pc.sctp?.maxMessageSize;
    return m && m > 1 ? Math.min(FRAME_MAX, m) : FRAME_MAX;
  }

  _fragmentable() {
    return this.dc.ordered && this.dc.maxRetransmits == null && this.dc.maxPacketLifeTime == null;
  }

  // queue runs job after the jobs queued before it, so that the frames of
  // two messages never interleave.
  _queue(job) {
    const p = this._chain.then(job);
    this._chain = p.catch(() => {});
    return p;
  }

  _check() {
    if (this._gone || this.dc.readyState === 'closing' || this.dc.readyState === 'closed') {
      throw this._conn.reason || new PeerError('closed', 'peer: the channel is closed');
    }
  }

  async _whenOpen() {
    this._check();
    if (this.dc.readyState === 'connecting') {
      await new Promise((resolve) => {
        const done = () => { offs.forEach((f) => f()); resolve(); };
        const offs = [this.on('open', done), this.on('close', done)];
      });
      this._check();
    }
  }

  async _frame1(f) {
    await this._whenOpen();
    while (this.dc.bufferedAmount > HIGH_WATER) {
      await new Promise((resolve) => {
        const done = () => { this.dc.removeEventListener('bufferedamountlow', done); offClose(); resolve(); };
        const offClose = this.on('close', done);
        this.dc.addEventListener('bufferedamountlow', done);
      });
      this._check();
    }
    this.dc.send(f);
    this._conn._sentAt = Date.now();
  }

  // keepalive sends KEEPALIVE (FRAMING.md §2) now, unless this side's
  // direction ended (our EOS is queued or sent), the channel is not open,
  // or frames wait in the browser's buffer (traffic already). It reports
  // whether it sent one.
  _keepalive() {
    if (this._wrote || this._gone || this.dc.readyState !== 'open' || this.dc.bufferedAmount > 0) return false;
    try {
      this.dc.send(Uint8Array.of(KEEPALIVE));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * send sends one message (a string as UTF-8, or bytes), fragmented into
   * frames, after the messages sent before it. It resolves when the message
   * is handed to the browser, waiting while more than 1 MiB is buffered
   * (backpressure); it rejects with 'write-closed' after end(), and with the
   * connection's reason once it is closed.
   */
  send(data) {
    const b = bytesOf(data);
    if (this._wrote) return Promise.reject(new PeerError('write-closed', 'peer: send after end of stream'));
    return this._queue(async () => {
      const room = this._limit() - 1;
      if (b.length > room && !this._fragmentable()) {
        throw new PeerError('message-too-large', `peer: a message of ${b.length} bytes does not fit one frame of this unordered or partially reliable channel`);
      }
      let off = 0;
      do {
        const end = Math.min(b.length, off + room);
        const f = new Uint8Array(1 + end - off);
        f[0] = end < b.length ? MORE : DATA;
        f.set(b.subarray(off, end), 1);
        await this._frame1(f);
        off = end;
      } while (off < b.length);
    });
  }

  /**
   * sendExtension sends one frame of an ignorable type (0x40–0xFF: a peer
   * that does not implement it skips it, SPEC.md §13.2; FRAMING.md lists
   * 0x40, FILE) after the messages sent before it. The payload must fit one
   * frame; the peer sees it as an 'extension' event, in order with the
   * messages.
   */
  sendExtension(type, payload = new Uint8Array(0)) {
    if (!(Number.isInteger(type) && type >= IGNORABLE && type <= 0xff)) {
      throw new RangeError(`peer: frame type ${type} is not an ignorable type (0x40–0xff)`);
    }
    const b = bytesOf(payload);
    if (this._wrote) return Promise.reject(new PeerError('write-closed', 'peer: send after end of stream'));
    return this._queue(async () => {
      if (b.length + 1 > this._limit()) {
        throw new PeerError('message-too-large', `peer: an extension frame of ${b.length} bytes does not fit one frame`);
      }
      const f = new Uint8Array(1 + b.length);
      f[0] = type;
      f.set(b, 1);
      await this._frame1(f);
    });
  }

  /** end sends this side's end of stream (EOS) after the queued messages. */
  end() {
    if (this._wrote) return this._chain;
    this._wrote = true;
    return this._queue(() => this._frame1(Uint8Array.of(EOS)));
  }

  /**
   * flush resolves when everything sent so far has left the browser's
   * buffer (bufferedAmount 0), or when ms pass.
   */
  async flush(ms = 5000) {
    await this._chain;
    const t0 = Date.now();
    while (this.dc.readyState === 'open' && this.dc.bufferedAmount > 0 && Date.now() - t0 < ms) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * close ends this side's stream (EOS) and, on a channel other than the
   * default one, closes the data channel. It does not close the connection.
   */
  async close() {
    if (this.open) await this.end().catch(() => {});
    if (!this.isDefault) this.dc.close();
  }

  // sendClose sends CLOSE now, ahead of the queue (a hang-up).
  _sendClose() {
    if (this.dc.readyState !== 'open') return false;
    try {
      this.dc.send(Uint8Array.of(CLOSE));
      return true;
    } catch {
      return false;
    }
  }

  _frame(data) {
    if (this._gone) return;
    if (typeof data === 'string' || data.byteLength === 0) {
      return this._conn._protocol('a text or empty message: the peer does not speak the framing of SPEC.md §13');
    }
    const b = new Uint8Array(data);
    const t = b[0];
    this._conn._heardFrame(t);
    if (t === CLOSE) {
      if (this.isDefault) this._conn._peerClosed();
      return; // CLOSE elsewhere is ignored
    }
    if (this._ended) return this._conn._protocol(`a frame (type 0x${t.toString(16)}) after the end of the stream`);
    if (t === DATA || t === MORE) {
      const p = b.subarray(1);
      this._streamBytes(p);
      this._message(p, t === DATA);
    } else if (t === EOS) {
      this._ended = true;
      this._partial = []; // an EOS in the middle of a message ends it
      this._partialBytes = 0;
      this._skipping = false;
      if (this._rctl) { try { this._rctl.close(); } catch { /* cancelled */ } }
      this.emit('end');
    } else if (t === KEEPALIVE) {
      // Liveness only (counted by _heardFrame above).
    } else if (t < IGNORABLE) {
      this._conn._protocol(`unknown frame type 0x${t.toString(16)}`);
    } else {
      // Ignorable types (SPEC.md §13.2): skipped, unless a listener of
      // 'extension' implements one.
      this.emit('extension', t, b.subarray(1));
    }
  }

  _message(p, last) {
    const max = this._conn.options.maxMessageSize;
    if (!this._skipping) {
      if (this._partialBytes + p.length > max) {
        this._skipping = true;
        this._partial = [];
        this._partialBytes = 0;
      } else {
        this._partial.push(p);
        this._partialBytes += p.length;
      }
    }
    if (!last) return;
    if (this._skipping) {
      this._skipping = false;
      this.emit('error', new PeerError('message-too-large', `peer: a message over maxMessageSize (${max} bytes) was discarded`));
      return;
    }
    const msg = this._partial.length === 1 ? this._partial[0] : cbor.concatBytes(this._partial);
    this._partial = [];
    this._partialBytes = 0;
    this.emit('message', msg);
  }

  _streamBytes(p) {
    if (this._rctl && p.length) {
      try { this._rctl.enqueue(p); } catch { /* cancelled by the reader */ }
    }
  }

  _closed() {
    if (this._gone) return;
    this._gone = true;
    if (this.isDefault) this._conn._defaultClosed();
    else if (!this._ended && !this._conn.reason) this.emit('error', new PeerError('channel-closed', 'peer: the channel closed without an end of stream'));
    this._abandon(this._ended ? null : new PeerError('channel-closed', 'peer: the channel closed without an end of stream'));
    this.emit('close');
  }

  // abandon ends the stream views when the channel or the connection goes.
  _abandon(err) {
    this._gone = true;
    if (this._rctl) {
      try {
        if (err) this._rctl.error(err); else this._rctl.close();
      } catch { /* already ended */ }
    }
  }

  /**
   * readable is the channel's byte stream (SPEC.md §13.3, stream view): the
   * payloads of every message from now on, ending at the peer's end of
   * stream. A browser cannot stop a data channel's sender, so what is not
   * read waits in memory; read it, or use 'message' events instead.
   */
  get readable() {
    if (!this._readable) {
      this._readable = new ReadableStream({
        start: (c) => {
          this._rctl = c;
          if (this._ended) c.close();
          else if (this._gone) c.error(this._conn.reason || new PeerError('closed', 'peer: the channel is closed'));
        },
        cancel: () => { this._rctl = null; },
      });
    }
    return this._readable;
  }

  /**
   * writable is the channel's sending side as a stream: each chunk (bytes
   * or a string) is one message, with backpressure (a write waits while
   * more than 1 MiB is buffered); close() sends the end of stream.
   */
  get writable() {
    if (!this._writable) {
      this._writable = new WritableStream({
        write: (chunk) => this.send(chunk),
        close: () => this.end(),
        abort: () => this.close(),
      });
    }
    return this._writable;
  }
}
