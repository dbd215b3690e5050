//go:build tools

package peer

import (
	_ "github.com/andybalholm/brotli"
	_ "github.com/fxamacker/cbor/v2"
	_ "github.com/leanovate/gopter"
	_ "github.com/pion/sdp/v3"
	_ "github.com/pion/turn/v5"
	_ "github.com/pion/webrtc/v4"
	_ "github.com/skip2/go-qrcode"
	_ "go.uber.org/goleak"
	_ "golang.org/x/term"
)
