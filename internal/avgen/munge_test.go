package main

import "testing"

// TestMunge: the Opus format gets stereo and a bitrate, in its a=fmtp line
// or a line of its own; the video section gets b=AS after its c= line;
// nothing else changes, and line ends are kept.
func TestMunge(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"fmtp", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
			"a=rtpmap:0 PCMU/8000\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n",
			"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;stereo=1;maxaveragebitrate=128000\r\n" +
				"a=rtpmap:0 PCMU/8000\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:2000\r\na=rtpmap:96 VP8/90000\r\n"},
		{"no fmtp, no c=", "v=0\nm=audio 9 RTP/AVP 109\na=rtpmap:109 opus/48000/2\nm=video 9 RTP/AVP 96\na=rtpmap:96 VP8/90000\n",
			"v=0\nm=audio 9 RTP/AVP 109\na=rtpmap:109 opus/48000/2\na=fmtp:109 stereo=1;maxaveragebitrate=128000\nm=video 9 RTP/AVP 96\nb=AS:2000\na=rtpmap:96 VP8/90000\n"},
		{"other fmtp first", "m=audio 9 RTP/AVP 63 111\na=fmtp:63 111/111\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1\n",
			"m=audio 9 RTP/AVP 63 111\na=fmtp:63 111/111\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1;stereo=1;maxaveragebitrate=128000\n"},
		{"fmtp before rtpmap, stereo already", "m=audio 9 RTP/AVP 109 9\na=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1\na=rtpmap:109 opus/48000/2\na=rtpmap:9 G722/8000/1\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n",
			"m=audio 9 RTP/AVP 109 9\na=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1;maxaveragebitrate=128000\na=rtpmap:109 opus/48000/2\na=rtpmap:9 G722/8000/1\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n"},
	} {
		if got := munge(c.in); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}
