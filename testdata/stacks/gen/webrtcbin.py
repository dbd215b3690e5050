"""Makes a data-channel offer with GStreamer's webrtcbin (Debian:
gstreamer1.0-plugins-bad, gstreamer1.0-nice, python3-gst-1.0,
gir1.2-gst-plugins-bad-1.0) and the STUN/TURN server testdata/stacks/gen
runs on 127.0.0.1. Prints one JSON line: {name, stack, version, type, how,
sdp}. Run by `go run ./testdata/stacks/gen -gst` with Debian's
/usr/bin/python3. (No answer: a second webrtcbin in the same process gave
empty offers.)"""
import json
import os
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

Gst.init(None)
turn = os.environ['PEER_TURN'][len('turn:'):]
user, password = os.environ['PEER_TURN_USER'], os.environ['PEER_TURN_PASS']
pipe = Gst.Pipeline.new('p')
w = Gst.ElementFactory.make('webrtcbin', 'w')
if w is None:
    sys.exit('no webrtcbin element')
w.set_property('bundle-policy', GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
w.set_property('stun-server', 'stun://' + turn)
w.set_property('turn-server', 'turn://%s:%s@%s' % (user, password, turn))
pipe.add(w)
loop = GLib.MainLoop()
out = []


def on_offer(p, _):
    r = p.get_reply()
    print('create-offer replied', r.to_string() if r else None, file=sys.stderr)
    w.emit('set-local-description', r.get_value('offer'), Gst.Promise.new())


def on_gather(*_):
    if w.get_property('ice-gathering-state') == GstWebRTC.WebRTCICEGatheringState.COMPLETE and not out:
        out.append(w.get_property('local-description').sdp.as_text())
        loop.quit()


w.connect('notify::ice-gathering-state', on_gather)
pipe.set_state(Gst.State.PLAYING)
w.emit('create-data-channel', 'peer', None)
w.emit('create-offer', None, Gst.Promise.new_with_change_func(on_offer, None))
GLib.timeout_add_seconds(30, loop.quit)
loop.run()
pipe.set_state(Gst.State.NULL)
if not out:
    sys.exit('webrtcbin made no offer')
print(json.dumps({'name': 'gstreamer-offer-turn', 'stack': 'gstreamer', 'version': Gst.version_string() + ' webrtcbin',
                  'type': 'offer', 'how': 'GStreamer webrtcbin (max-bundle), STUN/TURN on 127.0.0.1', 'sdp': out[0]}))
