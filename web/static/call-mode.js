// The video-call mode of a session (section #call): this side's camera and
// microphone (getUserMedia) and the other side's video, mute, camera off
// and hang up. The codes are made once (non-trickle), so the tracks are
// added before the offer or the answer is made: prepare(). The chat and
// files (chat-mode.js) stay below, over the data channel.
const $ = (id) => document.getElementById(id);

// INSECURE says why there is no camera on a page that is not a secure
// context (a phone that opened http://LAN-ADDRESS).
export const INSECURE = 'This browser gives the camera and microphone only to pages opened over HTTPS or from ' +
  'localhost. On a phone, open the page through an HTTPS tunnel or forward the port to the phone\'s localhost ' +
  '(adb reverse tcp:8080 tcp:8080, then http://localhost:8080/); see web/README.md. This side of the call only ' +
  'receives.';

// hasMedia tells whether an SDP offers audio or video.
export function hasMedia(sdp) {
  return /^m=(audio|video) /m.test(sdp);
}

// createCallMode returns the mode. Its state is app.call (window.peerApp):
// {active, local, muted, cameraOff, remote, note}.
export function createCallMode(app, hangup) {
  let stream = null; // this side's camera and microphone
  let remote = null; // the other side's tracks
  let shown = false; // the videos are attached (start): a media element
  // waiting for a stream's first frame delays the page's load event, so
  // they are attached only once connected.

  function reset() {
    stop();
    app.call = { active: false, local: [], muted: false, cameraOff: false, remote: [], note: '' };
    $('call-note').textContent = '';
    $('call-note').hidden = true;
  }

  function say(text) {
    app.call.note = text;
    $('call-note').textContent = text;
    $('call-note').hidden = !text;
  }

  // prepare makes conn (a PeerConnection) a call before its code is made:
  // the camera and microphone go in as tracks (an answerer's take the
  // offer's m-lines of their kind when it applies the offer), and an
  // offerer without them still asks to receive.
  async function prepare(conn, offerer) {
    app.call.active = true;
    if (!navigator.mediaDevices?.getUserMedia) {
      say(INSECURE);
    } else {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      } catch (err) {
        say(`The camera or microphone is not available (${err.name}); this side of the call only receives.`);
      }
    }
    const kinds = new Set();
    for (const t of stream?.getTracks() ?? []) {
      conn.addTrack(t, stream);
      kinds.add(t.kind);
      app.call.local.push(t.kind);
    }
    if (offerer) {
      for (const k of ['audio', 'video']) if (!kinds.has(k)) conn.addTransceiver(k, { direction: 'recvonly' });
    }
    $('local-video').hidden = !stream;
    buttons();
  }

  // start shows the videos: the session is connected.
  function start() {
    shown = true;
    $('local-video').srcObject = stream;
    if (remote) $('remote-video').srcObject = remote;
    for (const v of [$('local-video'), $('remote-video')]) v.play?.().catch(() => {});
  }

  // track shows a track of the other side (the connection's 'track').
  function track(t) {
    if (!remote) remote = new MediaStream();
    remote.addTrack(t);
    app.call.remote.push(t.kind);
    if (!shown) return;
    const v = $('remote-video');
    v.srcObject = remote;
    v.play?.().catch(() => {});
  }

  function setMuted(on) {
    app.call.muted = on;
    for (const t of stream?.getAudioTracks() ?? []) t.enabled = !on;
    buttons();
  }

  function setCameraOff(on) {
    app.call.cameraOff = on;
    for (const t of stream?.getVideoTracks() ?? []) t.enabled = !on;
    buttons();
  }

  function buttons() {
    $('btn-mute').textContent = app.call.muted ? 'Unmute' : 'Mute';
    $('btn-camera').textContent = app.call.cameraOff ? 'Camera on' : 'Camera off';
    $('btn-mute').disabled = !stream?.getAudioTracks().length;
    $('btn-camera').disabled = !stream?.getVideoTracks().length;
  }

  // stop ends the camera and microphone and clears the videos.
  function stop() {
    for (const t of stream?.getTracks() ?? []) t.stop();
    stream = null;
    remote = null;
    shown = false;
    $('local-video').srcObject = null;
    $('remote-video').srcObject = null;
  }

  // stats sums the inbound RTP of pc by kind (the tests read them):
  // {video: {framesDecoded, packetsReceived}, audio: {packetsReceived}}.
  async function stats(pc) {
    const out = { video: { framesDecoded: 0, packetsReceived: 0 }, audio: { packetsReceived: 0 } };
    if (!pc) return out;
    for (const r of (await pc.getStats()).values()) {
      if (r.type !== 'inbound-rtp') continue;
      const k = r.kind ?? r.mediaType;
      if (k === 'video') {
        out.video.framesDecoded += r.framesDecoded ?? 0;
        out.video.packetsReceived += r.packetsReceived ?? 0;
      } else if (k === 'audio') {
        out.audio.packetsReceived += r.packetsReceived ?? 0;
      }
    }
    return out;
  }

  $('btn-mute').onclick = () => setMuted(!app.call.muted);
  $('btn-camera').onclick = () => setCameraOff(!app.call.cameraOff);
  $('btn-call-hangup').onclick = () => hangup();
  reset();
  return { section: 'call', reset, prepare, start, track, stop, stats, setMuted, setCameraOff, say };
}
