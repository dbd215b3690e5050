package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// avBundleOnly writes the vectors of bundle-only parts (AVFORM §14.4):
// Firefox's offer with bundlePolicy max-bundle, whose video and data
// sections are bundle-only, and the same offer with the video section's
// m= port 9, which is not a bundle-only part's port and stays text.
func (g *gen) avBundleOnly() {
	const file = "firefox-maxbundle-offer-to-pion"
	b, err := os.ReadFile(filepath.Join("testdata", "av", "batch3", file+".sdp"))
	if err != nil {
		g.fail("av_firefox_maxbundle_offer", "%v", err)
		return
	}
	s := string(b)
	g.encode("av_firefox_maxbundle_offer", "A real offer of Firefox with bundlePolicy max-bundle (testdata/av/batch3/"+file+".sdp): its video and data sections hold a=bundle-only and no candidate, and their m= port 0 and c= address 0.0.0.0 are the markers 0x02 and 0x03, which render so in a bundle-only part.", codec.Offer, s, nil, nil)
	nine := strings.Replace(s, "m=video 0 ", "m=video 9 ", 1)
	if nine == s {
		g.fail("av_bundle_only_port_nine", "no m=video 0 line in %s", file)
		return
	}
	g.encode("av_bundle_only_port_nine", "av_firefox_maxbundle_offer's SDP with the video section's m= port 9 in place of 0: a bundle-only part's 0x02 renders 0, so the 9 stays text (the c= address 0.0.0.0 is still 0x03).", codec.Offer, nine, nil, nil)
}
