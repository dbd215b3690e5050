// Package web holds the peer web page: static files, ready to serve, embedded
// in the Go binary (no build step). `peer serve` serves them; README.md says
// how to use the page and how to run its real-browser tests.
//
// The page pairs two browsers, or a browser and a Go peer, through compact
// codes (SPEC.md) shown as QR codes and links, then offers a chat and a file
// transfer over the default data channel in the framing of FRAMING.md. It
// uses the JavaScript codec (js/dist/peer-codec.js, served from package js
// as vendor/peer-codec.js: one copy), jsQR (Apache-2.0) to read camera
// frames and qrcode-generator (MIT) to draw QR codes, both vendored
// unchanged from npm with their licences.
package web

import (
	"bytes"
	"embed"
	"io/fs"
	"time"

	"github.com/peer-sdp/peer/js"
)

//go:embed static
var static embed.FS

// FS is the page's files: index.html at its root, app.js, style.css and
// vendor/, where vendor/peer-codec.js is the codec bundle of package js.
var FS fs.FS = withBundle{mustSub(static, "static")}

// bundlePath is where the page imports the codec from.
const bundlePath = "vendor/peer-codec.js"

// withBundle adds the codec bundle at bundlePath to the page's files.
type withBundle struct{ fs.FS }

func (w withBundle) Open(name string) (fs.File, error) {
	if name == bundlePath {
		return bundleFile{bytes.NewReader(js.Bundle)}, nil
	}
	return w.FS.Open(name)
}

// bundleFile is an open js.Bundle: it seeks, as http.FileServerFS needs.
type bundleFile struct{ *bytes.Reader }

func (bundleFile) Close() error               { return nil }
func (bundleFile) Stat() (fs.FileInfo, error) { return bundleInfo{}, nil }

type bundleInfo struct{}

func (bundleInfo) Name() string       { return "peer-codec.js" }
func (bundleInfo) Size() int64        { return int64(len(js.Bundle)) }
func (bundleInfo) Mode() fs.FileMode  { return 0o444 }
func (bundleInfo) ModTime() time.Time { return time.Time{} }
func (bundleInfo) IsDir() bool        { return false }
func (bundleInfo) Sys() any           { return nil }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error()) // dir is a constant that go:embed checked
	}
	return sub
}
