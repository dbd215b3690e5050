// The framing of SPEC.md §13 (ref/FRAMING.md) on the default channel, so
// that the page talks to `peer offer`, `peer answer` and `peer serve` too:
// binary messages whose first byte is the frame type.

export const F_DATA = 0x00, F_MORE = 0x01, F_EOS = 0x02, F_CLOSE = 0x03, F_IGNORABLE = 0x40;
// F_FILE is this page's extension, in the ignorable range so `peer` skips it:
// a UTF-8 JSON {name, size, type} announcing that the next `size` bytes of the
// stream are a file. A peer that does not know it sees only the file's bytes.
export const F_FILE = 0x40;

const FRAME_MAX = 16384;    // bytes per data-channel message we send (every browser takes 16 KiB)
const HIGH_WATER = 1 << 20; // a send waits while more than this is buffered

// Sender sends frames on the channel dc of pc, one job at a time, so that
// messages never interleave.
export class Sender {
  constructor(pc, dc) {
    this.pc = pc;
    this.dc = dc;
    this.chain = Promise.resolve();
  }

  open() { return this.dc.readyState === 'open'; }

  // limit is the largest frame we send: 16 KiB, or less when the peer's
  // max-message-size says so.
  limit() {
    const m = this.pc.sctp?.maxMessageSize;
    return m && m > 1 ? Math.min(FRAME_MAX, m) : FRAME_MAX;
  }

  waitLow() {
    const d = this.dc;
    return new Promise((resolve) => {
      const done = () => { d.removeEventListener('bufferedamountlow', done); d.removeEventListener('close', done); resolve(); };
      d.addEventListener('bufferedamountlow', done);
      d.addEventListener('close', done);
    });
  }

  async frame(f) {
    if (!this.open()) throw new Error('not connected');
    while (this.dc.bufferedAmount > HIGH_WATER) {
      await this.waitLow();
      if (!this.open()) throw new Error('not connected');
    }
    this.dc.send(f);
  }

  // message sends payload as one message, fragmented (MORE…DATA).
  async message(payload) {
    const room = this.limit() - 1;
    let off = 0;
    do {
      const end = Math.min(payload.length, off + room);
      const f = new Uint8Array(1 + end - off);
      f[0] = end < payload.length ? F_MORE : F_DATA;
      f.set(payload.subarray(off, end), 1);
      await this.frame(f);
      off = end;
    } while (off < payload.length);
  }

  // typed sends a frame of type t with payload (one frame).
  typed(t, payload) {
    const f = new Uint8Array(1 + payload.length);
    f[0] = t;
    f.set(payload, 1);
    return this.frame(f);
  }

  // queue runs job after the jobs queued before it.
  queue(job) {
    const p = this.chain.then(job);
    this.chain = p.catch(() => {});
    return p;
  }

  // end queues our end-of-stream.
  end() { return this.queue(() => this.frame(Uint8Array.of(F_EOS))); }

  // close sends CLOSE at once, ahead of what is queued (a hang-up).
  close() {
    if (this.open()) {
      try { this.dc.send(Uint8Array.of(F_CLOSE)); } catch { /* closing anyway */ }
    }
  }
}

// Receiver reads the frames of the peer and tells h: message(bytes) for a
// whole message, file({name, type, size}) for an announcement, end() at the
// peer's end-of-stream, close() for CLOSE, error(why) when the peer breaks
// the framing (the connection must then close).
export class Receiver {
  constructor(h) {
    this.h = h;
    this.partial = [];
    this.ended = false;
  }

  frame(data) {
    if (typeof data === 'string' || data.byteLength === 0) {
      return this.h.error('the peer sent a text or empty message: it does not speak peer\'s framing');
    }
    const b = new Uint8Array(data);
    const t = b[0];
    if (t === F_CLOSE) return this.h.close();
    // SPEC.md §13.2: after the end-of-stream, any frame but CLOSE is a
    // protocol error, ignorable ones included.
    if (this.ended) return this.h.error(`a frame (type 0x${t.toString(16).padStart(2, '0')}) after the end of the stream`);
    if (t === F_DATA || t === F_MORE) {
      this.partial.push(b.subarray(1));
      if (t === F_DATA) {
        const msg = concat(this.partial);
        this.partial = [];
        this.h.message(msg);
      }
    } else if (t === F_EOS) {
      this.ended = true;
      this.h.end();
    } else if (t === F_FILE) {
      let hdr = null;
      try { hdr = JSON.parse(new TextDecoder().decode(b.subarray(1))); } catch { /* the bytes stay in the stream */ }
      if (hdr) this.h.file({ name: String(hdr.name || 'file'), type: String(hdr.type || ''), size: Math.max(0, Number(hdr.size) || 0) });
    } else if (t < F_IGNORABLE) {
      this.h.error(`unknown frame type 0x${t.toString(16)}`);
    } // other ignorable types: skipped
  }
}

export function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
