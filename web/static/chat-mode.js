// The chat-and-files mode of a session (section #session): chat lines, and
// files with a progress bar, over the stream of FRAMING.md on the session's
// default channel (the peer library's Channel).
// A chat message is one message of UTF-8 text plus "\n" (what a terminal
// shows and sends); a file is announced by a FILE frame, then its bytes.
// Another mode (a call) would be a module like this one with its own
// section: app.js gives it the session and the peer's messages.
import * as codec from './vendor/peer-codec.js';

// F_FILE is the FILE frame (FRAMING.md), of an ignorable type so that `peer`
// skips it: a UTF-8 JSON {name, size, type} announcing that the next `size`
// bytes of the stream are a file. A peer that does not know it sees only
// the file's bytes.
export const F_FILE = 0x40;

const FILE_CHUNK = 64 << 10; // one message per chunk of a file
const $ = (id) => document.getElementById(id);

// createChatMode returns the mode. Its state lives in app (window.peerApp,
// which the tests read): chat, files, stream, streamBytes, peerEnded,
// ended, sentFiles.
export function createChatMode(app) {
  let channel = null; // the session's default channel while it is open
  let chain = Promise.resolve();
  let incoming = null; // the file being received {name, type, size, got, chunks}

  // queue runs job after the jobs queued before it: a file's announcement
  // and chunks go out with no chat line between them.
  function queue(job) {
    const p = chain.then(job);
    chain = p.catch(() => {});
    return p;
  }

  function reset() {
    Object.assign(app, { chat: [], files: [], stream: [], streamBytes: 0, peerEnded: false, ended: false, sentFiles: 0 });
    incoming = null;
    chain = Promise.resolve(); // a job of an earlier session fails on its own
    $('chat-log').replaceChildren();
    for (const id of ['send-progress', 'recv-progress']) { $(id).value = 0; $(id).max = 1; }
    $('send-label').textContent = '';
    $('recv-label').textContent = '';
    setSending(true);
  }

  function setSending(on) {
    for (const id of ['chat-input', 'file-input', 'btn-end']) $(id).disabled = !on;
    $('chat-form').querySelector('button').disabled = !on;
  }

  function addChat(cls, text) {
    const li = document.createElement('li');
    li.className = cls;
    li.textContent = text;
    $('chat-log').append(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  function note(text) {
    app.chat.push({ from: 'info', text });
    addChat('info', text);
  }

  function sendChat(text) {
    if (app.ended) return Promise.reject(new Error('your stream has ended'));
    if (!channel) return Promise.reject(new Error('not connected'));
    if (!text) return Promise.resolve();
    app.chat.push({ from: 'me', text });
    addChat('me', text);
    const ch = channel;
    return queue(() => ch.send(text + '\n'));
  }

  // sendFile announces a file (F_FILE), sends its bytes, and ends the
  // stream when endAfter is set (what `peer answer > file` needs to finish).
  function sendFile(name, type, size, readChunk, endAfter) {
    if (app.ended) return Promise.reject(new Error('your stream has ended'));
    if (!channel) return Promise.reject(new Error('not connected'));
    if (endAfter) app.ended = true;
    const ch = channel;
    return queue(async () => {
      await ch.sendExtension(F_FILE, JSON.stringify({ name, size, type }));
      const bar = $('send-progress');
      bar.max = Math.max(size, 1); bar.value = 0;
      for (let off = 0; off < size; off += FILE_CHUNK) {
        await ch.send(await readChunk(off, Math.min(size, off + FILE_CHUNK)));
        bar.value = Math.min(size, off + FILE_CHUNK);
        $('send-label').textContent = `${name}: ${fmtBytes(bar.value)} / ${fmtBytes(size)}`;
      }
      if (size === 0) $('send-label').textContent = `${name}: empty`;
      if (endAfter) await ch.end();
      app.sentFiles++;
      note(`Sent ${name} (${fmtBytes(size)})` + (endAfter ? '; your stream has ended.' : '.'));
      if (endAfter) setSending(false);
    });
  }

  function endStream() {
    if (app.ended || !channel) return Promise.resolve();
    app.ended = true;
    setSending(false);
    note('You ended your stream: the other side has everything you sent.');
    const ch = channel;
    return queue(() => ch.end());
  }

  function message(msg) {
    if (incoming) {
      incoming.chunks.push(msg);
      incoming.got += msg.length;
      $('recv-progress').value = incoming.got;
      $('recv-label').textContent = `${incoming.name}: ${fmtBytes(incoming.got)} / ${fmtBytes(incoming.size)}`;
      if (incoming.got >= incoming.size) finishFile();
      return;
    }
    app.stream.push(msg);
    app.streamBytes += msg.length;
    let text = null;
    if (msg.length <= 4096) {
      try { text = new TextDecoder('utf-8', { fatal: true }).decode(msg); } catch { text = null; }
    }
    if (text !== null) {
      text = text.replace(/\r?\n$/, '');
      app.chat.push({ from: 'peer', text });
      addChat('peer', text);
    } else {
      $('recv-progress').max = 1; $('recv-progress').value = 0;
      $('recv-label').textContent = `stream: ${fmtBytes(app.streamBytes)} received`;
    }
  }

  // extension takes a frame of an ignorable type: FILE announces a file
  // (one it cannot read leaves the bytes in the stream); others are skipped.
  function extension(t, payload) {
    if (t !== F_FILE) return;
    let hdr = null;
    try { hdr = JSON.parse(new TextDecoder().decode(payload)); } catch { return; }
    if (!hdr || typeof hdr !== 'object') return;
    const size = Math.max(0, Number(hdr.size) || 0);
    incoming = { name: String(hdr.name || 'file'), type: String(hdr.type || ''), size, got: 0, chunks: [] };
    $('recv-progress').max = Math.max(size, 1);
    $('recv-progress').value = 0;
    if (size === 0) finishFile();
  }

  function finishFile() {
    const f = incoming;
    incoming = null;
    const bytes = codec.cbor.concatBytes(f.chunks);
    app.files.push({ name: f.name, type: f.type, bytes });
    offerDownload(f.name, bytes, f.type);
    $('recv-progress').value = $('recv-progress').max;
    note(`Received ${f.name} (${fmtBytes(bytes.length)}).`);
  }

  function peerEnd() {
    app.peerEnded = true;
    if (incoming) {
      note(`The file ${incoming.name} was cut short (${fmtBytes(incoming.got)} of ${fmtBytes(incoming.size)}).`);
      incoming = null;
    }
    if (app.streamBytes > 0 && app.stream.some((m) => m.length > 4096)) {
      offerDownload('received.bin', codec.cbor.concatBytes(app.stream), 'application/octet-stream');
    }
    note(`The other side ended its stream (${fmtBytes(app.streamBytes)} outside files): it sends nothing more.`);
  }

  function wire() {
    $('chat-form').onsubmit = (ev) => {
      ev.preventDefault();
      const v = $('chat-input').value;
      $('chat-input').value = '';
      sendChat(v).catch((err) => note(`Not sent: ${err.message}`));
    };
    $('file-input').onchange = () => {
      const f = $('file-input').files[0];
      if (!f) return;
      sendFile(f.name, f.type, f.size, async (a, b) => new Uint8Array(await f.slice(a, b).arrayBuffer()), $('file-eos').checked)
        .catch((err) => note(`File not sent: ${err.message}`));
      $('file-input').value = '';
    };
    $('btn-end').onclick = () => endStream();
  }

  reset();
  wire();
  return {
    section: 'session',
    reset, note, message, extension, peerEnd, sendChat, sendFile, endStream,
    // start: the session is open; sending goes through ch (its default
    // Channel). focus puts the cursor in the message box: not in a video
    // call, where Firefox spends some 70-100 ms of the page's thread on
    // it just as the first frames arrive (web/README.md, "Time to the
    // first frame"), and a phone would cover the video with its keyboard.
    start(ch, focus = true) {
      channel = ch;
      setSending(!app.ended);
      if (focus) $('chat-input').focus();
    },
    // stop: the session is over; the log stays, sending is off.
    stop() {
      channel = null;
      setSending(false);
    },
  };
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function offerDownload(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type: type || 'application/octet-stream' }));
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.textContent = `Save ${name} (${fmtBytes(bytes.length)})`;
  li.append(a);
  $('downloads').append(li);
}
