// Package qrsize tells which QR code version a text needs, by encoding it
// with github.com/skip2/go-qrcode (which picks numeric, alphanumeric and byte
// segments to minimise the symbol).
package qrsize

import (
	qrcode "github.com/skip2/go-qrcode"
)

// Level is a QR error-correction level.
type Level = qrcode.RecoveryLevel

// Error-correction levels.
const (
	L = qrcode.Low
	M = qrcode.Medium
	Q = qrcode.High
	H = qrcode.Highest
)

// Version returns the smallest QR version (1..40) that holds text at level,
// or 0 if no version does.
func Version(text string, level Level) int {
	q, err := qrcode.New(text, level)
	if err != nil {
		return 0
	}
	return q.VersionNumber
}
