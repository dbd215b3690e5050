// Package cutnet is a host network for pion (webrtc.SettingEngine.SetNet)
// whose UDP sockets can be cut, as the sockets of a network that went
// away: the Go side of the JavaScript library's ICE restart tests
// (js/internal/restarter, js/internal/introducer).
package cutnet

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// Net is the host's network, whose UDP sockets Cut kills and Down
// silences until Up.
type Net struct {
	transport.Net
	mu    sync.Mutex
	conns []*cutConn
	down  atomic.Bool
}

// New returns the host's network, nothing cut.
func New() (*Net, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &Net{Net: n}, nil
}

// ListenUDP opens a UDP socket that a later Cut kills (unless Keep
// spares it first).
func (n *Net) ListenUDP(network string, addr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, addr)
	if err != nil {
		return nil, err
	}
	cc := &cutConn{UDPConn: c, net: n}
	n.mu.Lock()
	n.conns = append(n.conns, cc)
	n.mu.Unlock()
	return cc, nil
}

// Cut kills every UDP socket open now (but those Keep spared): each drops
// all it sends and receives from now on. Sockets opened later work.
func (n *Net) Cut() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.conns {
		c.dead.Store(true)
	}
	n.conns = nil
}

// Keep spares the UDP sockets open now from every later Cut and Down.
func (n *Net) Keep() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.conns {
		c.kept.Store(true)
	}
	n.conns = nil
}

// Down cuts the network for longer than a restart: the sockets open now
// die as with Cut, and every socket opened until Up (those Keep spared
// excepted) drops all it sends and receives while the network is down.
func (n *Net) Down() {
	n.down.Store(true)
	n.Cut()
}

// Up ends Down: the sockets opened while the network was down work from
// now on (those open at Down stay dead).
func (n *Net) Up() {
	n.down.Store(false)
}

// cutConn is a UDP socket that, once dead or while its network is down,
// drops every packet.
type cutConn struct {
	transport.UDPConn
	net  *Net
	dead atomic.Bool
	kept atomic.Bool // spared by Keep
}

// drops reports whether c drops what it sends and receives now.
func (c *cutConn) drops() bool {
	return c.dead.Load() || (c.net.down.Load() && !c.kept.Load())
}

func (c *cutConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, a, err := c.UDPConn.ReadFrom(b)
		if err != nil || !c.drops() {
			return n, a, err
		}
	}
}

func (c *cutConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	for {
		n, a, err := c.UDPConn.ReadFromUDP(b)
		if err != nil || !c.drops() {
			return n, a, err
		}
	}
}

func (c *cutConn) Read(b []byte) (int, error) {
	for {
		n, err := c.UDPConn.Read(b)
		if err != nil || !c.drops() {
			return n, err
		}
	}
}

func (c *cutConn) ReadMsgUDP(b, oob []byte) (int, int, int, *net.UDPAddr, error) {
	for {
		n, oobn, flags, a, err := c.UDPConn.ReadMsgUDP(b, oob)
		if err != nil || !c.drops() {
			return n, oobn, flags, a, err
		}
	}
}

func (c *cutConn) WriteTo(b []byte, a net.Addr) (int, error) {
	if c.drops() {
		return len(b), nil
	}
	return c.UDPConn.WriteTo(b, a)
}

func (c *cutConn) WriteToUDP(b []byte, a *net.UDPAddr) (int, error) {
	if c.drops() {
		return len(b), nil
	}
	return c.UDPConn.WriteToUDP(b, a)
}

func (c *cutConn) Write(b []byte) (int, error) {
	if c.drops() {
		return len(b), nil
	}
	return c.UDPConn.Write(b)
}

func (c *cutConn) WriteMsgUDP(b, oob []byte, a *net.UDPAddr) (int, int, error) {
	if c.drops() {
		return len(b), len(oob), nil
	}
	return c.UDPConn.WriteMsgUDP(b, oob, a)
}
