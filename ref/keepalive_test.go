package ref

import (
	"context"
	"testing"
	"time"
)

// An idle connection sends KEEPALIVE at keepaliveInterval (counted where
// the real pion peer receives them); a busy one sends none; none follows
// this side's EOS on the default channel (the peer would report a
// protocol error), nor the connection's close.
func TestKeepalive(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	time.Sleep(keepaliveInterval / 4) // the first, sent at open, arrives
	if n := a.keepalivesRecv.Load(); n != 1 {
		t.Errorf("just after open: the peer received %d keepalives, want 1 (sent at open)", n)
	}
	base := a.keepalivesRecv.Load()
	time.Sleep(5 * keepaliveInterval / 2) // idle until 2.75 intervals after open
	if n := a.keepalivesRecv.Load() - base; n != 2 {
		t.Errorf("idle for 2.75 intervals: the peer received %d more keepalives, want 2", n)
	}
	if n := o.keepalivesRecv.Load(); n < 2 {
		t.Errorf("the offerer received %d keepalives from the idle answerer, want at least 2", n)
	}

	// Busy: a message every quarter interval, for two intervals.
	base = a.keepalivesRecv.Load()
	for range 8 {
		if err := o.Channel().Send(ctx, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Channel().Receive(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(keepaliveInterval / 4)
	}
	if n := a.keepalivesRecv.Load() - base; n != 0 {
		t.Errorf("while sending every %v: %d keepalives, want none", keepaliveInterval/4, n)
	}

	// After this side's EOS on the default channel: none (a frame after
	// EOS is a protocol error at the peer).
	if err := o.Channel().CloseWrite(); err != nil {
		t.Fatal(err)
	}
	sent := o.keepalivesSent.Load()
	time.Sleep(3 * keepaliveInterval)
	if n := o.keepalivesSent.Load() - sent; n != 0 {
		t.Errorf("%d keepalives after EOS", n)
	}
	if err := a.Err(); err != nil {
		t.Fatalf("the peer after our EOS: %v", err)
	}
	if n := o.keepalivesRecv.Load(); n < 3 {
		t.Errorf("the answerer (its direction open) stopped sending keepalives: %d received", n)
	}

	// After Close: none.
	a.Close()
	sent = a.keepalivesSent.Load()
	time.Sleep(2 * keepaliveInterval)
	if n := a.keepalivesSent.Load() - sent; n != 0 {
		t.Errorf("%d keepalives after Close", n)
	}
}
