// Package web holds the peer web page: static files, ready to serve, embedded
// in the Go binary (no build step). `peer serve` serves them; README.md says
// how to use the page and how to run its real-browser tests.
//
// The page pairs two browsers, or a browser and a Go peer, through compact
// codes (SPEC.md) shown as QR codes and links, then offers a chat and a file
// transfer over the default data channel in the framing of FRAMING.md. It
// uses the JavaScript codec (js/dist/peer-codec.js, copied to
// static/vendor/peer-codec.js), jsQR (Apache-2.0) to read camera frames and
// qrcode-generator (MIT) to draw QR codes, both vendored unchanged from npm
// with their licences.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS is the page's files: index.html at its root, app.js, style.css and
// vendor/.
var FS fs.FS = mustSub(static, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error()) // dir is a constant that go:embed checked
	}
	return sub
}
