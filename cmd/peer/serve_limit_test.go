package main

import (
	"net"
	"testing"
	"time"
)

// TestLimitListener: beyond perAddr connections from one source the next is
// closed at once; beyond total, Accept waits until one is closed.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(inner, 2, 3)
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func(ip net.IP) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
		c, err := d.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	next := func(what string) net.Conn {
		t.Helper()
		select {
		case c := <-accepted:
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: not accepted", what)
		}
		return nil
	}
	a, b := net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)
	dial(a)
	first := next("a1")
	dial(a)
	next("a2")
	third := dial(a) // over perAddr: closed by the server
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("a third connection from one address was not closed: %v", err)
	}
	dial(b) // another address: accepted (3 of 3)
	next("b1")
	dial(b) // over total: waits
	select {
	case <-accepted:
		t.Fatal("accepted beyond the total")
	case <-time.After(500 * time.Millisecond):
	}
	first.Close() // frees a slot: the waiting one is accepted
	next("b2 after a slot freed")
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestSourceKey(t *testing.T) {
	for _, c := range []struct {
		addr string
		want string
	}{
		{"192.0.2.1:5", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:5", "192.0.2.1"},
		{"[2001:db8:1:2:aaaa::1]:5", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:6", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:5", "2001:db8:1:3::/64"},
	} {
		a, _ := net.ResolveTCPAddr("tcp", c.addr)
		if got := sourceKey(a); got != c.want {
			t.Errorf("sourceKey(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
}
