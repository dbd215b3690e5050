package peer

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// TestLargeMessage: Send carries a data message of any size up to
// MaxDataSize (fragmented by ref, FRAMING.md §3); a 50 KiB one used to be
// sent, then closed by the receiver as a protocol error (IDENTITY.md §3.1
// allowed 40 KiB). A larger one is refused by Send with
// ref.ErrMessageTooLarge, and one that a peer sends anyway is discarded
// by the receiver, whose session goes on.
func TestLargeMessage(t *testing.T) {
	a, b := newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, n := range []int{50 << 10, MaxDataSize} {
		data := bytes.Repeat([]byte{byte(n)}, n)
		data[n-1] = 'z'
		if err := a.Send(ctx, b.ID(), data); err != nil {
			t.Fatalf("Send of %d bytes: %v", n, err)
		}
		m, err := b.Receive(ctx)
		if err != nil || !bytes.Equal(m.Data, data) {
			t.Fatalf("received %d bytes, %v; want the %d sent", len(m.Data), err, n)
		}
	}
	err := a.Send(ctx, b.ID(), make([]byte, MaxDataSize+1))
	var pe *Error
	if !errors.Is(err, ref.ErrMessageTooLarge) || !errors.As(err, &pe) || pe.ID != b.ID() {
		t.Fatalf("Send of MaxDataSize+1 bytes: %v, want ref.ErrMessageTooLarge for b", err)
	}
	if err := a.Broadcast(ctx, make([]byte, MaxDataSize+1)); !errors.Is(err, ref.ErrMessageTooLarge) {
		t.Fatalf("Broadcast of MaxDataSize+1 bytes: %v, want ref.ErrMessageTooLarge", err)
	}
	// A hostile sender's data message over the limit is discarded.
	big := dataMessage(make([]byte, MaxDataSize+1))
	if err := sessionConn(a, b.ID()).Channel().Send(ctx, big); err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b, "after the large ones")
	e := waitEvent(t, b, Rejected, a.ID(), 10*time.Second)
	if !errors.Is(e.Err, ref.ErrMessageTooLarge) {
		t.Fatalf("b's event: %v, want ref.ErrMessageTooLarge", e.Err)
	}
	if !b.Connected(a.ID()) || !a.Connected(b.ID()) {
		t.Fatal("the session ended")
	}
}
