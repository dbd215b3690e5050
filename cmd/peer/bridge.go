package main

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// connBridge waits for the connection, then sends stdin (con.data) to the
// peer and writes what the peer sends to stdout, until both directions have
// ended (FRAMING.md §2: each ends with its end-of-stream); then it drains
// what it sent and closes. A framing error of the peer is an error even
// when it comes after the peer's end-of-stream (ref.Conn.Shutdown reports
// it). When ctx ends (Ctrl-C) it closes the connection at once, which the
// peer sees within a second.
//
// A person who receives into a file or a pipe (stdin a terminal, stdout
// not) has nothing to send: once the peer's stream has ended, this side
// ends its own, so that neither side waits for a Ctrl-D.
func connBridge(ctx context.Context, conn *ref.Conn, con *console, e *env) error {
	if err := conn.WaitOpen(ctx); err != nil {
		return interrupted(ctx, explainConn(err))
	}
	con.sayf("peer: connected. %s\n", bridgeHint(e))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	ch := conn.Channel()
	var sentN, recvN atomic.Int64
	var ended atomic.Bool // our end-of-stream is out
	sent := make(chan error, 1)
	go func() { sent <- sendAll(ctx, ch, con.data, &sentN, &ended) }()
	if _, err := io.Copy(countWriter{e.stdout, &recvN}, ch); err != nil {
		return interrupted(ctx, explainConn(err))
	}
	if f, ok := e.stdout.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return err
		}
	}
	if e.stdinTTY && !e.stdoutTTY {
		con.sayf("peer: the other side has sent everything (%d bytes)\n", recvN.Load())
		if err := ch.CloseWrite(); err != nil {
			return interrupted(ctx, explainConn(err))
		}
	} else {
		if e.stdinTTY {
			con.sayf("peer: the other side has sent everything (%d bytes); press Ctrl-D to end this side\n", recvN.Load())
		}
		select {
		case err := <-sent:
			if err != nil {
				return interrupted(ctx, explainConn(err))
			}
		case <-conn.Done():
			switch {
			case errors.Is(conn.Err(), ref.ErrPeerClosed) && ended.Load():
				// The peer closes after it has read our end-of-stream: it
				// had everything.
			case errors.Is(conn.Err(), ref.ErrPeerClosed):
				return explainf(conn.Err(), "the other side hung up before this side ended its stream; what this side sent last may be lost")
			default:
				return interrupted(ctx, explainConn(conn.Err()))
			}
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Shutdown(sctx); err != nil {
		return interrupted(ctx, explainConn(err))
	}
	con.sayf("peer: done: sent %d bytes, received %d bytes\n", sentN.Load(), recvN.Load())
	return nil
}

// sendAll sends in on ch, ends the stream, and waits until the peer has
// it all (a peer that closes after our end-of-stream has had everything).
func sendAll(ctx context.Context, ch *ref.Channel, in io.Reader, n *atomic.Int64, ended *atomic.Bool) error {
	if _, err := io.Copy(countWriter{ch, n}, in); err != nil {
		return err
	}
	if err := ch.CloseWrite(); err != nil {
		return err
	}
	ended.Store(true)
	if err := ch.Flush(ctx); err != nil && !errors.Is(err, ref.ErrPeerClosed) {
		return err
	}
	return nil
}

// bridgeHint tells the person what happens to stdin and stdout.
func bridgeHint(e *env) string {
	switch {
	case e.stdinTTY && e.stdoutTTY:
		return "What you type is sent (a line at a time); what the other side sends appears here. Ctrl-D ends what you send."
	case e.stdinTTY:
		return "Receiving into stdout; this ends when the other side has sent everything."
	case e.stdoutTTY:
		return "Sending stdin; what the other side sends appears here. This ends when both sides have sent everything."
	}
	return "Sending stdin, receiving into stdout."
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
