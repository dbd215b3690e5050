package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// The bounds of `peer serve`'s HTTP server. A request is a few hundred bytes
// of headers and a code of at most codec.DefaultMaxTextBytes, from a device
// on the same network: the deadlines are generous for that and short for a
// client that holds a connection open on purpose.
const (
	serveReadHeaderTimeout = 5 * time.Second  // the request's head
	serveReadTimeout       = 10 * time.Second // the whole request, body included
	serveWriteTimeout      = 30 * time.Second // from the head to the end of the response (an answer gathers for up to 2 s)
	serveIdleTimeout       = 30 * time.Second // a kept-alive connection between requests
	serveMaxHeaderBytes    = 8 << 10
	serveConnsPerAddr      = 32  // open connections from one IPv4 address or IPv6 /64
	serveConns             = 128 // open connections in all; more wait in the kernel's queue
)

// newServeServer returns the HTTP server of `peer serve` with its deadlines.
func newServeServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
	}
}

// limitListener bounds the connections a listener hands out: at most
// perAddr from one source (an IPv4 address or an IPv6 /64), closed at once
// beyond that, and at most total in all, beyond which Accept waits (the
// connections wait in the kernel's queue, holding no descriptor of ours).
// One host that opens connections without end then holds perAddr
// descriptors, and another host is still served.
type limitListener struct {
	net.Listener
	perAddr int
	slots   chan struct{}
	closed  chan struct{}
	once    sync.Once

	mu     sync.Mutex
	byAddr map[string]int
}

func newLimitListener(ln net.Listener, perAddr, total int) *limitListener {
	return &limitListener{Listener: ln, perAddr: perAddr, slots: make(chan struct{}, total),
		closed: make(chan struct{}), byAddr: map[string]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		src := sourceKey(c.RemoteAddr())
		l.mu.Lock()
		full := l.byAddr[src] >= l.perAddr
		if !full {
			l.byAddr[src]++
		}
		l.mu.Unlock()
		if full {
			c.Close()
			<-l.slots
			continue
		}
		return &limitConn{Conn: c, l: l, src: src}, nil
	}
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *limitListener) release(src string) {
	l.mu.Lock()
	if l.byAddr[src]--; l.byAddr[src] <= 0 {
		delete(l.byAddr, src)
	}
	l.mu.Unlock()
	<-l.slots
}

// sourceKey is what a connection counts against: its IPv4 address, or the
// /64 of its IPv6 address (one host may hold a whole /64).
func sourceKey(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		return ip4.String()
	}
	return ta.IP.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

type limitConn struct {
	net.Conn
	l    *limitListener
	src  string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.src) })
	return err
}
