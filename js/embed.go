// Package js holds the JavaScript implementation of SPEC.md (an npm package,
// see README.md). For Go, it embeds the built bundle, so that the web page
// (package web) serves the one copy that `npm run build` writes and the
// tests check.
package js

import "embed"

//go:embed dist/peer-codec.js
var dist embed.FS

// Bundle is the built ES module of the codec, js/dist/peer-codec.js.
var Bundle = mustRead("dist/peer-codec.js")

func mustRead(name string) []byte {
	b, err := dist.ReadFile(name)
	if err != nil {
		panic("js: " + err.Error()) // name is a constant that go:embed checked
	}
	return b
}
