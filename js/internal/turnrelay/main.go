// Command turnrelay is a TURN server (pion/turn) on 127.0.0.1 whose
// network can be cut and restored: the path between two browser pages
// of the JavaScript library's media restart tests
// (js/btest/mediarestart.suite.mjs, peermedia.suite.mjs), which use it with iceTransportPolicy
// 'relay', so that everything they exchange passes through it. It writes
// "turn <host:port> <user> <password>" at start, then reads commands from
// stdin, one a line, and writes one line each:
//
//	cut    cut: the server's socket drops all it sends and receives from now on
//	up     up: it carries packets again
//
// It ends at the end of stdin.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"github.com/peer-sdp/peer/internal/turntest"
)

const user, pass, realm = "peer", "test", "peer.test"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "turnrelay:", err)
		os.Exit(1)
	}
}

func run() error {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sw := &switchConn{PacketConn: pc}
	srv, err := turntest.Serve(sw, user, pass, realm)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Printf("turn %s %s %s\n", pc.LocalAddr(), user, pass)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "cut":
			sw.cut.Store(true)
			fmt.Println("cut")
		case "up":
			sw.cut.Store(false)
			fmt.Println("up")
		default:
			fmt.Println("error unknown command")
		}
	}
	return in.Err()
}

// switchConn is the server's socket: while cut, it drops every packet it
// sends or receives (the clients' path to the server is gone).
type switchConn struct {
	net.PacketConn
	cut atomic.Bool
}

func (c *switchConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, a, err := c.PacketConn.ReadFrom(b)
		if err != nil || !c.cut.Load() {
			return n, a, err
		}
	}
}

func (c *switchConn) WriteTo(b []byte, a net.Addr) (int, error) {
	if c.cut.Load() {
		return len(b), nil
	}
	return c.PacketConn.WriteTo(b, a)
}
