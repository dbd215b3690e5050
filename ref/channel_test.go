package ref

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
)

// prng is a deterministic byte source.
type prng struct{ r *rand.ChaCha8 }

func (p prng) Read(b []byte) (int, error) { return p.r.Read(b) }

func TestStream64MiB(t *testing.T) {
	const size = 64 << 20
	o, a := pair(t, loopback(), loopback())
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap
		defer wg.Done()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	src := io.LimitReader(prng{rand.NewChaCha8([32]byte{1})}, size)
	want := sha256.New()
	errc := make(chan error, 1)
	go func() {
		w := o.Channel()
		buf := make([]byte, 32<<10)
		_, err := io.CopyBuffer(w, io.TeeReader(src, want), buf)
		if err == nil {
			err = w.CloseWrite()
		}
		errc <- err
	}()
	got := sha256.New()
	n, err := io.Copy(got, a.Channel())
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("read after %d bytes: %v", n, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("received %d bytes, hash mismatch or short (want %d)", n, size)
	}
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("peak heap growth %d KiB", growth>>10)
	if growth > 32<<20 {
		t.Errorf("peak heap grew by %d MiB while moving 64 MiB: memory not bounded", growth>>20)
	}
}

func TestChannels(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var zero uint16
	ch, err := o.OpenChannel(ctx, "unreliable", &ChannelOptions{Unordered: true, MaxRetransmits: &zero, Protocol: "x"})
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := a.OpenChannel(ctx, "files", nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.AcceptChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.Label() != "unreliable" || in.DataChannel().Ordered() || in.DataChannel().Protocol() != "x" {
		t.Fatalf("accepted %q ordered=%v protocol=%q", in.Label(), in.DataChannel().Ordered(), in.DataChannel().Protocol())
	}
	in2, err := o.AcceptChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in2.Label() != "files" || !in2.DataChannel().Ordered() {
		t.Fatalf("accepted %q", in2.Label())
	}
	if err := ch.Send(ctx, make([]byte, 100<<10)); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("large message on an unreliable channel: %v, want ErrMessageTooLarge", err)
	}
	if err := ch.Send(ctx, []byte("dgram")); err != nil {
		t.Fatal(err)
	}
	if m, err := in.Receive(ctx); err != nil || string(m) != "dgram" {
		t.Fatalf("got %q, %v", m, err)
	}
	if _, err := ch2.Write([]byte("stream")); err != nil {
		t.Fatal(err)
	}
	ch2.CloseWrite()
	b, err := io.ReadAll(in2)
	if err != nil || string(b) != "stream" {
		t.Fatalf("got %q, %v", b, err)
	}
	// The default channel is independent.
	if err := o.Channel().Send(ctx, []byte("default")); err != nil {
		t.Fatal(err)
	}
	if m, err := a.Channel().Receive(ctx); err != nil || string(m) != "default" {
		t.Fatalf("got %q, %v", m, err)
	}
	if _, err := ch2.Write([]byte("more")); !errors.Is(err, ErrWriteClosed) {
		t.Errorf("write after CloseWrite: %v", err)
	}
	ch.Close()
	if _, err := ch.Receive(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("receive after Close: %v", err)
	}
}

func TestDeadlinesAndBackpressure(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	w := o.Channel()
	// Nobody reads on a: the send buffer fills and Write blocks until the deadline.
	w.SetWriteDeadline(time.Now().Add(time.Second))
	chunk := make([]byte, 64<<10)
	var sent int
	var err error
	start := time.Now()
	for sent < 256<<20 {
		if _, err = w.Write(chunk); err != nil {
			break
		}
		sent += len(chunk)
	}
	if !errors.Is(err, ErrDeadline) {
		t.Fatalf("after %d bytes: %v, want ErrDeadline", sent, err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("deadline hit after %v, before the deadline", d)
	}
	t.Logf("%d KiB accepted before the buffer was full", sent>>10)
	r := a.Channel()
	// Nothing comes the other way: a read deadline expires.
	o.Channel().SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := o.Channel().Read(make([]byte, 10)); !errors.Is(err, ErrDeadline) {
		t.Fatalf("read past the deadline: %v", err)
	}
	// Clearing the deadlines makes both usable again.
	w.SetWriteDeadline(time.Time{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { w.Send(ctx, []byte("x")); w.CloseWrite() }()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		t.Fatal(err)
	}
	if n < int64(sent) {
		t.Fatalf("read %d bytes, sent at least %d", n, sent)
	}
}

func TestMessageTooLargeReceive(t *testing.T) {
	o, a := pair(t, loopback(), &Config{Loopback: true, MaxMessageSize: 100 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o.Channel().Send(ctx, make([]byte, 300<<10))
	o.Channel().Send(ctx, []byte("after"))
	if _, err := a.Channel().Receive(ctx); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("got %v, want ErrMessageTooLarge", err)
	}
	if m, err := a.Channel().Receive(ctx); err != nil || string(m) != "after" {
		t.Fatalf("next message: %q, %v", m, err)
	}
}

func TestFingerprintFlipped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	o, offer, err := Offer(ctx, &Config{Loopback: true, ConnectTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	a, answer, err := Answer(ctx, loopback(), offer)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	d, err := codec.Decode(answer, &codec.DecOptions{Offer: offer})
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte (a hex digit) of the fingerprint, then re-encode.
	i := strings.Index(d.SDP, "a=fingerprint:sha-256 ") + len("a=fingerprint:sha-256 ")
	flip := byte('0')
	if d.SDP[i] == '0' {
		flip = '1'
	}
	d.SDP = d.SDP[:i] + string(flip) + d.SDP[i+1:]
	bad, err := codec.Encode(d, offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Complete(ctx, bad); err != nil {
		t.Fatal(err)
	}
	err = o.WaitOpen(ctx)
	if !errors.Is(err, ErrDTLS) {
		t.Fatalf("WaitOpen with a flipped fingerprint: %v, want ErrDTLS", err)
	}
	t.Logf("offerer: %v", err)
	select {
	case <-a.Done():
		t.Logf("answerer: %v", a.Err())
	case <-time.After(30 * time.Second):
		t.Fatal("answerer never noticed")
	}
}

// TestShutdownKeepsData: data acknowledged before the peer's Shutdown is
// still delivered to a slow reader after the connection has closed.
func TestShutdownKeepsData(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const size = 1536 << 10 // fits the receiver's queue and SCTP window
	src := make([]byte, size)
	prng{rand.NewChaCha8([32]byte{2})}.Read(src)
	go func() {
		o.Channel().Write(src)
		o.Channel().CloseWrite()
		o.Shutdown(ctx)
	}()
	<-o.Done()
	time.Sleep(300 * time.Millisecond)
	got, err := io.ReadAll(a.Channel())
	if err != nil {
		t.Fatalf("after %d bytes: %v", len(got), err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("got %d bytes, want %d", len(got), size)
	}
	<-a.Done()
	if !errors.Is(a.Err(), ErrPeerClosed) {
		t.Fatalf("Err = %v", a.Err())
	}
}

// TestFramingErrors: frames FRAMING.md forbids close the connection with
// ErrProtocol; ignorable frame types are skipped.
func TestFramingErrors(t *testing.T) {
	cases := []struct {
		name   string
		frames [][]byte
		text   bool
		ok     bool
	}{
		{"ignorable type", [][]byte{{0x40, 1, 2}, {frameData, 'x'}}, false, true},
		{"text message", [][]byte{[]byte("hi")}, true, false},
		{"must-understand type", [][]byte{{0x05}}, false, false},
		{"data after end-of-stream", [][]byte{{frameEOS}, {frameData, 'x'}}, false, false},
		{"fragment after end-of-stream", [][]byte{{frameEOS}, {frameMore, 'x'}}, false, false},
		{"ignorable type after end-of-stream", [][]byte{{frameEOS}, {0x40, '{', '}'}}, false, false},
		{"CLOSE on another channel is ignored", nil, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			o, a := pair(t, loopback(), loopback())
			ch := o.Channel()
			if tc.frames == nil { // CLOSE on another channel, then a message
				other, err := o.OpenChannel(ctx, "other", nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := other.rwc.WriteDataChannel([]byte{frameClose}, false); err != nil {
					t.Fatal(err)
				}
				tc.frames = [][]byte{{frameData, 'x'}}
			}
			for _, f := range tc.frames {
				if _, err := ch.rwc.WriteDataChannel(f, tc.text); err != nil {
					t.Fatal(err)
				}
			}
			if tc.ok {
				m, err := a.Channel().Receive(ctx)
				if err != nil || string(m) != "x" {
					t.Fatalf("got %q, %v", m, err)
				}
				if a.Err() != nil {
					t.Fatalf("connection ended: %v", a.Err())
				}
				return
			}
			select {
			case <-a.Done():
			case <-ctx.Done():
				t.Fatal("protocol error not detected")
			}
			if !errors.Is(a.Err(), ErrProtocol) {
				t.Fatalf("Err = %v, want ErrProtocol", a.Err())
			}
		})
	}
}

// TestShutdownReportsProtocolError: a reader that has read the stream to
// its end (io.EOF) learns from Shutdown that a frame followed the
// end-of-stream (FRAMING.md §2: a protocol error), instead of a clean end.
func TestShutdownReportsProtocolError(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	for _, f := range [][]byte{{frameData, 'h', 'i'}, {frameEOS}, {frameData, 'x'}} {
		if _, err := o.Channel().rwc.WriteDataChannel(f, false); err != nil {
			t.Fatal(err)
		}
	}
	got, err := io.ReadAll(a.Channel())
	if err != nil || string(got) != "hi" {
		t.Fatalf("read %q, %v; want \"hi\" and the end of the stream", got, err)
	}
	select {
	case <-a.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the frame after end-of-stream did not end the connection")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); !errors.Is(err, ErrProtocol) {
		t.Fatalf("Shutdown = %v, want ErrProtocol", err)
	}
	// A connection that ended cleanly still shuts down without error.
	o2, a2 := pair(t, loopback(), loopback())
	o2.Channel().CloseWrite()
	if _, err := io.ReadAll(a2.Channel()); err != nil {
		t.Fatal(err)
	}
	if err := a2.Shutdown(ctx); err != nil {
		t.Fatalf("clean Shutdown = %v", err)
	}
	o2.Close()
}

// TestCloseUnblocksWrite: Close returns while a Write is blocked on a full
// send buffer, and the Write then fails with ErrClosed.
func TestCloseUnblocksWrite(t *testing.T) {
	o, _ := pair(t, loopback(), loopback())
	w := o.Channel()
	errc := make(chan error, 1)
	go func() {
		chunk := make([]byte, 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(500 * time.Millisecond) // the peer does not read: the buffer fills
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked behind a blocked Write")
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("blocked Write: %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Write still blocked after Close")
	}
}
