// The in-page half of the browser generator (browser.mjs serves it): makes
// one RTCPeerConnection the way an application does, for one scenario, and
// returns its local description once ICE gathering is complete. Every
// scenario but maxbundle uses the default RTCPeerConnection configuration. The scenario
// names are shared with the pion side (internal/avgen/pion.go) and listed in
// testdata/av/README.md.

const GATHER_MS = 30000;

// gathered resolves when pc has finished gathering, and fails after ms.
function gathered(pc, ms) {
  return new Promise((resolve, reject) => {
    if (pc.iceGatheringState === 'complete') { resolve(); return; }
    const timer = setTimeout(() => reject(new Error(`ICE gathering not complete after ${ms} ms`)), ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
}

// media is getUserMedia with the fake devices the browser was started with.
function media(audio, video) {
  return navigator.mediaDevices.getUserMedia({ audio, video });
}

function addAll(pc, stream) {
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
}

// build adds to pc what the scenario sends or receives.
async function build(pc, scenario) {
  switch (scenario) {
    case 'audio':
      addAll(pc, await media(true, false));
      return;
    case 'av':
      addAll(pc, await media(true, true));
      return;
    case 'avdata':
      addAll(pc, await media(true, true));
      pc.createDataChannel('data');
      return;
    case 'simulcast': {
      const stream = await media(true, true);
      pc.addTrack(stream.getAudioTracks()[0], stream);
      pc.addTransceiver(stream.getVideoTracks()[0], {
        streams: [stream],
        sendEncodings: [
          { rid: 'q', scaleResolutionDownBy: 4 },
          { rid: 'h', scaleResolutionDownBy: 2 },
          { rid: 'f' },
        ],
      });
      return;
    }
    case 'recvonly':
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      return;
    case 'twovideo':
      addAll(pc, await media(true, true));
      addAll(pc, await media(false, true));
      return;
    case 'audiodata':
      addAll(pc, await media(true, false));
      pc.createDataChannel('data');
      return;
    case 'data':
      pc.createDataChannel('data');
      return;
    case 'maxbundle': // as avdata, with bundlePolicy 'max-bundle' (config)
      addAll(pc, await media(true, true));
      pc.createDataChannel('data');
      return;
    case 'codecprefs': { // as av, the video codecs H.264 first (setCodecPreferences)
      const stream = await media(true, true);
      addAll(pc, stream);
      const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
      const h264 = codecs.filter((c) => c.mimeType.toLowerCase() === 'video/h264');
      const video = pc.getTransceivers().find((t) => t.sender.track && t.sender.track.kind === 'video');
      video.setCodecPreferences([...h264, ...codecs.filter((c) => !h264.includes(c))]);
      return;
    }
    case 'munged': // as av; the generator munges the offer's text
    case 'reoffer': case 'restart': case 'stopped': // as av, then negotiated again (again)
      addAll(pc, await media(true, true));
      return;
    case 'sendonly': {
      const stream = await media(true, true);
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      return;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

// kinds lists the media kinds of a description's m= lines.
function kinds(sdp) {
  const set = new Set();
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(audio|video) /.exec(line);
    if (m) set.add(m[1]);
  }
  return set;
}

// config is the RTCPeerConnection configuration of a scenario: the
// default, but for maxbundle (both sides, as an application configures
// them alike).
function config(scenario) {
  return scenario === 'maxbundle' ? { bundlePolicy: 'max-bundle' } : {};
}

// again changes pc for the second offer of a renego scenario.
function again(scenario) {
  switch (scenario) {
    case 'reoffer':
      pc.createDataChannel('data');
      return {};
    case 'restart':
      return { iceRestart: true };
    case 'stopped': {
      const video = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video');
      video.stop();
      return {};
    }
    default:
      throw new Error(`unknown renego scenario ${scenario}`);
  }
}

// regathered resolves when pc has gathered again after a new local
// description: an ICE restart starts gathering anew (the state leaves
// 'complete' soon after setLocalDescription), any other change does not.
async function regathered(pc, restart) {
  if (restart) {
    const until = Date.now() + 2000;
    while (pc.iceGatheringState === 'complete' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
  await gathered(pc, GATHER_MS);
}

let pc = null;

window.avgen = {
  // offer makes the scenario's offer.
  async offer(scenario) {
    pc = new RTCPeerConnection(config(scenario));
    await build(pc, scenario);
    await pc.setLocalDescription();
    await gathered(pc, GATHER_MS);
    return pc.localDescription.sdp;
  },

  // answer answers an offer as a calling application does: it sends its
  // microphone and camera on the kinds the offer has (one track each), and
  // accepts whatever else the offer carries.
  async answer(sdp, scenario) {
    pc = new RTCPeerConnection(config(scenario));
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const k = kinds(sdp);
    if (k.size > 0) addAll(pc, await media(k.has('audio'), k.has('video')));
    await pc.setLocalDescription();
    await gathered(pc, GATHER_MS);
    return pc.localDescription.sdp;
  },

  // reoffer makes the second offer of a renego scenario on the same
  // connection, after its first offer was answered and accepted.
  async reoffer(scenario) {
    const opts = again(scenario);
    await pc.setLocalDescription(await pc.createOffer(opts));
    await regathered(pc, scenario === 'restart');
    return pc.localDescription.sdp;
  },

  // reanswer answers the second offer on the same connection.
  async reanswer(sdp, scenario) {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription();
    await regathered(pc, scenario === 'restart');
    return pc.localDescription.sdp;
  },

  // accept sets an answer to the offer made last.
  async accept(sdp) {
    await pc.setRemoteDescription({ type: 'answer', sdp });
    return pc.signalingState;
  },
};
