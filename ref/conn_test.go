package ref

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/peer-sdp/peer/codec"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func loopback() *Config { return &Config{Loopback: true} }

// pair connects an offerer and an answerer through their codes.
func pair(t testing.TB, ocfg, acfg *Config) (o, a *Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, offer, err := Offer(ctx, ocfg)
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}
	a, answer, err := Answer(ctx, acfg, offer)
	if err != nil {
		o.Close()
		t.Fatalf("Answer: %v", err)
	}
	if err := o.Complete(ctx, answer); err != nil {
		o.Close()
		a.Close()
		t.Fatalf("Complete: %v", err)
	}
	if err := o.WaitOpen(ctx); err != nil {
		o.Close()
		a.Close()
		t.Fatalf("offerer WaitOpen: %v", err)
	}
	if err := a.WaitOpen(ctx); err != nil {
		o.Close()
		a.Close()
		t.Fatalf("answerer WaitOpen: %v", err)
	}
	t.Cleanup(func() { o.Close(); a.Close() })
	return o, a
}

func TestConnectMessages(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if len(o.Code()) == 0 || len(a.Code()) == 0 {
		t.Fatal("empty codes")
	}
	t.Logf("offer %d B, answer %d B", len(o.Code()), len(a.Code()))
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 kB: several frames
	msgs := [][]byte{[]byte("hello"), {}, big}
	for _, m := range msgs {
		if err := o.Channel().Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range msgs {
		got, err := a.Channel().Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, m) {
			t.Fatalf("message %d: got %d bytes, want %d", i, len(got), len(m))
		}
	}
	if err := o.Channel().CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Channel().Receive(ctx); err != io.EOF {
		t.Fatalf("after CloseWrite: %v, want io.EOF", err)
	}
	// The other direction still works.
	if err := a.Channel().Send(ctx, []byte("back")); err != nil {
		t.Fatal(err)
	}
	if got, err := o.Channel().Receive(ctx); err != nil || string(got) != "back" {
		t.Fatalf("got %q, %v", got, err)
	}
	if fp := a.RemoteFingerprints(); len(fp) == 0 || fp[0].Value != o.LocalFingerprints()[0].Value {
		t.Fatalf("remote fingerprints %v, local %v", fp, o.LocalFingerprints())
	}
	if len(o.RemoteCertificate()) == 0 {
		t.Fatal("no remote certificate")
	}
}

func TestCloseDetected(t *testing.T) {
	for _, closer := range []string{"offerer", "answerer"} {
		t.Run(closer, func(t *testing.T) {
			o, a := pair(t, loopback(), loopback())
			c, other := o, a
			if closer == "answerer" {
				c, other = a, o
			}
			start := time.Now()
			c.Close()
			select {
			case <-other.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("close not detected")
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("close seen after %v, want within 1 s", d)
			}
			if !errors.Is(other.Err(), ErrPeerClosed) {
				t.Errorf("peer's Err = %v, want ErrPeerClosed", other.Err())
			}
			if !errors.Is(c.Err(), ErrClosed) {
				t.Errorf("closer's Err = %v, want ErrClosed", c.Err())
			}
			var ce *ConnError
			if !errors.As(other.Err(), &ce) || ce.ID != other.ID() {
				t.Errorf("error %v not attributed to connection %s", other.Err(), other.ID())
			}
		})
	}
}

func TestBadCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o1, offer1, err := Offer(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	defer o1.Close()
	o2, offer2, err := Offer(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	defer o2.Close()
	a2, answer2, err := Answer(ctx, loopback(), offer2)
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	if err := o1.Complete(ctx, answer2); !errors.Is(err, codec.ErrBinding) {
		t.Errorf("answer to another offer: %v, want codec.ErrBinding", err)
	}
	if err := o1.Complete(ctx, offer1); !errors.Is(err, ErrCode) && !errors.Is(err, codec.ErrBinding) {
		t.Errorf("offer as answer: %v, want ErrCode", err)
	}
	if c, _, err := Answer(ctx, loopback(), answer2); err == nil {
		c.Close()
		t.Errorf("answer as offer accepted")
	} else if !errors.Is(err, ErrCode) {
		t.Errorf("answer as offer: %v, want ErrCode", err)
	}
	if _, _, err := Answer(ctx, loopback(), []byte("hello")); !errors.Is(err, codec.ErrForeign) && !errors.Is(err, codec.ErrMalformed) {
		t.Errorf("foreign code: %v", err)
	}
	bad := bytes.Clone(offer1)
	bad[len(bad)/2] ^= 0x55
	if c, _, err := Answer(ctx, loopback(), bad); err == nil {
		c.Close()
		t.Logf("a corrupted code decoded (codec has no checksum); fine if it then fails to connect")
	}
}
