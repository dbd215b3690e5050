package ref

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/pion/sctp"
)

// TestPeerEnded: the peer's ABORT and its stream reset that arrives as
// the association ends are a close by the peer (FRAMING.md §5), not a lost
// path; other read errors stay what they are.
func TestPeerEnded(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("[0x1] %w: (User Initiated Abort: Close called)", sctp.ErrChunk), true},
		{fmt.Errorf("%w: state=Closed", sctp.ErrResetPacketInStateNotExist), true},
		{io.ErrUnexpectedEOF, false},
		{errors.New("dtls: fatal alert"), false},
		{sctp.ErrShutdownNonEstablished, false},
	} {
		if got := peerEnded(c.err); got != c.want {
			t.Errorf("peerEnded(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
