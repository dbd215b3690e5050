package main

import (
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// The vectors made of testdata/av/batch3, the habits scenarios.

// avHabits writes av_munged_offer, Chromium's offer whose text its
// application edited (the edits text of the dictionary, AVFORM §14.6),
// and the vectors of bundle-only parts (avBundleOnly).
func (g *gen) avHabits() {
	const munged = "chromium-munged-offer-to-pion"
	s, err := readBatch("batch3", munged)
	if err != nil {
		g.fail("av_munged_offer", "%v", err)
		return
	}
	g.encode("av_munged_offer", "A real offer of Chromium whose application edited its text before sending it (testdata/av/batch3/"+munged+".sdp): stereo=1;maxaveragebitrate=128000 added to Opus's a=fmtp line and b=AS:2000 in the video section. The two lines are inserted text, compressed with the edits text of the dictionary.", codec.Offer, s, nil, nil)
	g.avBundleOnly()
	g.avVersion()
}

// avBundleOnly writes the vectors of bundle-only parts (AVFORM §14.4):
// Firefox's offer with bundlePolicy max-bundle, whose video and data
// sections are bundle-only, and the same offer with the video section's
// m= port 9, which is not a bundle-only part's port and stays text.
func (g *gen) avBundleOnly() {
	const file = "firefox-maxbundle-offer-to-pion"
	s, err := readBatch("batch3", file)
	if err != nil {
		g.fail("av_firefox_maxbundle_offer", "%v", err)
		return
	}
	g.encode("av_firefox_maxbundle_offer", "A real offer of Firefox with bundlePolicy max-bundle (testdata/av/batch3/"+file+".sdp): its video and data sections hold a=bundle-only and no candidate, and their m= port 0 and c= address 0.0.0.0 are the markers 0x02 and 0x03, which render so in a bundle-only part.", codec.Offer, s, nil, nil)
	nine := strings.Replace(s, "m=video 0 ", "m=video 9 ", 1)
	if nine == s {
		g.fail("av_bundle_only_port_nine", "no m=video 0 line in %s", file)
		return
	}
	g.encode("av_bundle_only_port_nine", "av_firefox_maxbundle_offer's SDP with the video section's m= port 9 in place of 0: a bundle-only part's 0x02 renders 0, so the 9 stays text (the c= address 0.0.0.0 is still 0x03).", codec.Offer, nine, nil, nil)
}
