// Package web holds the peer web page: static files, ready to serve, embedded
// in the Go binary (no build step). `peer serve` serves them; README.md says
// how to use the page and how to run its real-browser tests.
//
// The page pairs two browsers, or a browser and a Go peer, through compact
// codes (SPEC.md) shown as QR codes and links, then offers a chat and a file
// transfer over the default data channel in the framing of FRAMING.md. It
// runs on the JavaScript peer library and codec (js/dist/peer.js and
// js/dist/peer-codec.js, served from package js as vendor/peer.js and
// vendor/peer-codec.js: one copy), jsQR (Apache-2.0) to read camera
// frames and qrcode-generator (MIT) to draw QR codes, both vendored
// unchanged from npm with their licences.
package web

import (
	"bytes"
	"embed"
	"io/fs"
	"path"
	"time"

	"github.com/peer-sdp/peer/js"
)

//go:embed static
var static embed.FS

// FS is the page's files: index.html at its root, app.js, style.css and
// vendor/, where vendor/peer-codec.js and vendor/peer.js are the codec and
// peer library bundles of package js.
var FS fs.FS = withBundles{mustSub(static, "static")}

// bundles are the files of package js that the page imports, by path.
var bundles = map[string][]byte{
	"vendor/peer-codec.js": js.Bundle,
	"vendor/peer.js":       js.PeerBundle,
}

// withBundles adds the bundles of package js to the page's files.
type withBundles struct{ fs.FS }

func (w withBundles) Open(name string) (fs.File, error) {
	if b, ok := bundles[name]; ok {
		return bundleFile{bytes.NewReader(b), path.Base(name)}, nil
	}
	return w.FS.Open(name)
}

// bundleFile is an open bundle: it seeks, as http.FileServerFS needs.
type bundleFile struct {
	*bytes.Reader
	name string
}

func (bundleFile) Close() error                 { return nil }
func (f bundleFile) Stat() (fs.FileInfo, error) { return bundleInfo{f.name, f.Size()}, nil }

type bundleInfo struct {
	name string
	size int64
}

func (i bundleInfo) Name() string     { return i.name }
func (i bundleInfo) Size() int64      { return i.size }
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
