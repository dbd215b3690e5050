// Package js holds the JavaScript implementation of SPEC.md (an npm package,
// see README.md). For Go, it embeds the built bundle, so that the web page
// (package web) serves the one copy that `npm run build` and
// `npm run build-peer` write and the tests check.
package js

import "embed"

//go:embed dist/peer-codec.js dist/peer.js
var dist embed.FS

// Bundle is the built ES module of the codec, js/dist/peer-codec.js.
var Bundle = mustRead("dist/peer-codec.js")

// PeerBundle is the built ES module of the peer library, js/dist/peer.js.
// It imports the codec as ./peer-codec.js: serve it beside Bundle.
var PeerBundle = mustRead("dist/peer.js")

func mustRead(name string) []byte {
	b, err := dist.ReadFile(name)
	if err != nil {
		panic("js: " + err.Error()) // name is a constant that go:embed checked
	}
	return b
}
