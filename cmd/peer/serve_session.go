package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// sessionEnd says how a session of serve ended.
type sessionEnd int

const (
	sessionFinished sessionEnd = iota // both directions ended: serve is done (its error, if any, is serve's)
	sessionStopped                    // Ctrl-C
	sessionHungUp                     // the page hung up, or the connection failed: pair again
)

// serveSession sends stdin (through pump) to the paired page and writes what
// the page sends to stdout until both directions have ended, the page hangs
// up or ctx ends; meanwhile sess plays its files to the page and records
// the page's tracks. It closes conn before it returns.
func serveSession(ctx context.Context, e *env, conn *ref.Conn, pump *stdinPump, sess *session) (sessionEnd, error) {
	sess.start(ctx, conn)
	defer func() {
		conn.Close()
		saved, err := sess.wait()
		for _, p := range saved {
			fmt.Fprintf(e.stderr, "peer serve: recorded %s\n", p)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "peer serve: media: %s\n", oneLine(err.Error()))
		}
	}()
	if err := conn.WaitOpen(ctx); err != nil {
		if ctx.Err() != nil {
			return sessionStopped, nil
		}
		return sessionHungUp, fmt.Errorf("the page did not connect: %w", explainConn(err))
	}
	fmt.Fprintf(e.stderr, "peer serve: connected (%s)\n", conn.ID())
	ch := conn.Channel()
	sendC := make(chan error, 1)
	go func() { sendC <- pump.sendTo(ch, conn.Done()) }()
	out := &errWriter{w: e.stdout}
	recvC := make(chan error, 1)
	go func() {
		_, err := io.Copy(out, ch)
		recvC <- err
	}()
	// stop ends the goroutines that still run (closing conn ends them), so
	// that the next session alone reads stdin and writes stdout.
	var sendErr, recvErr error
	stop := func() {
		conn.Close()
		if sendC != nil {
			sendErr = <-sendC
		}
		if recvC != nil {
			recvErr = <-recvC
		}
	}
	for sendC != nil || recvC != nil {
		select {
		case sendErr = <-sendC:
			sendC = nil
			var se stdinError
			if errors.As(sendErr, &se) {
				stop()
				return sessionFinished, fmt.Errorf("serve: reading stdin: %w", se.err)
			}
		case recvErr = <-recvC:
			recvC = nil
			if out.err != nil {
				stop()
				return sessionFinished, fmt.Errorf("serve: writing stdout: %w", out.err)
			}
		case <-conn.Done():
			return hungUp(ctx, conn, stop, recvC == nil && recvErr == nil)
		case <-ctx.Done():
			stop()
			return sessionStopped, nil
		}
	}
	if sendErr != nil || recvErr != nil { // the connection is failing
		select {
		case <-conn.Done():
		case <-time.After(5 * time.Second):
		}
		return hungUp(ctx, conn, stop, recvC == nil && recvErr == nil)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Shutdown(sctx); err != nil && !errors.Is(conn.Err(), ref.ErrPeerClosed) {
		return sessionFinished, fmt.Errorf("serve: %w", explainConn(err))
	}
	fmt.Fprintln(e.stderr, "peer serve: both sides have sent everything; done")
	return sessionFinished, nil
}

// hungUp ends a session whose connection ended before both directions did.
// pageEnded tells whether the page had ended its stream.
func hungUp(ctx context.Context, conn *ref.Conn, stop func(), pageEnded bool) (sessionEnd, error) {
	stop()
	if ctx.Err() != nil {
		return sessionStopped, nil
	}
	return sessionHungUp, hangUpError(conn.Err(), pageEnded)
}

// hangUpError says how a session ended early; recv tells whether the page
// had ended its stream (all it sent arrived).
func hangUpError(err error, recv bool) error {
	switch {
	case errors.Is(err, ref.ErrPeerClosed) && recv:
		return fmt.Errorf("the page hung up; pairing again")
	case errors.Is(err, ref.ErrPeerClosed):
		return fmt.Errorf("the page hung up before the end of its stream; pairing again")
	}
	return fmt.Errorf("%s; pairing again", explainConn(err))
}

// stdinPump reads stdin once for every session in turn: a chunk read while
// no page is connected waits for the next page, and a chunk that a session
// could not send goes to the next one.
type stdinPump struct {
	chunks  chan []byte // closed at the end of stdin (err says why, nil at EOF)
	err     error
	pending []byte // read, not yet sent (only the current session touches it)
}

func newStdinPump(r io.Reader) *stdinPump {
	p := &stdinPump{chunks: make(chan []byte)}
	go func() {
		defer close(p.chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := r.Read(buf)
			if n > 0 {
				p.chunks <- buf[:n]
			}
			if err != nil {
				if err != io.EOF {
					p.err = stdinError{err}
				}
				return
			}
		}
	}()
	return p
}

// stdinError is an error reading stdin (not the connection's).
type stdinError struct{ err error }

func (e stdinError) Error() string { return e.err.Error() }
func (e stdinError) Unwrap() error { return e.err }

// sendTo sends stdin on ch until its end, then ends the stream; it stops
// when done closes (the session is over) or a write fails.
func (p *stdinPump) sendTo(ch *ref.Channel, done <-chan struct{}) error {
	for {
		if p.pending == nil {
			select {
			case c, ok := <-p.chunks:
				if !ok {
					if p.err != nil {
						return p.err
					}
					return ch.CloseWrite()
				}
				p.pending = c
			case <-done:
				return errors.New("the session ended")
			}
		}
		if _, err := ch.Write(p.pending); err != nil {
			return err
		}
		p.pending = nil
	}
}
