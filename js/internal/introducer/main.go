// Command introducer is the Go peer (ref/peer) of the JavaScript library's
// introduction test (js/btest/intro.suite.mjs): a peer with a fresh
// identity that answers offers' codes and can introduce two of its peers.
// It reads commands from stdin, one a line, and writes one line each to
// stdout:
//
//	(at start)              id <ID>
//	answer <code>           answer <code, link form>; later joined <ID>
//	introduce <ID> <ID>     introduced, or error <message>
//	peers                   peers <ID>… (its live sessions, in the order they joined)
//	second [below|above <ID>]  second <C's ID>: a second peer C (second.go), paired with this one,
//	                        whose ID is lower or higher than ID
//	cut                     cut: C's UDP sockets but those with this peer drop all from now on
//	down                    down: as cut, and C's sockets opened later drop all too, until up
//	up                      up: C's sockets opened since down work (its network came back)
//	send2 <ID> <text>       sent: C sends text to the peer ID
//	connect2 <ID>           C connects to the peer ID through this one (ConnectVia), in the
//	                        background: connected2 <ID>, or error <message>
//
// Session events are written as event <type> <ID> [<error>]. It ends at the end of
// stdin.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref/peer"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "introducer:", err)
		os.Exit(1)
	}
}

func run() error {
	id, err := peer.NewIdentity()
	if err != nil {
		return err
	}
	p, err := peer.New(&peer.Config{Identity: id})
	if err != nil {
		return err
	}
	defer p.Close()
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", a...)
	}
	say("id %s", p.ID())
	go report(p, "event", say)
	go func() { // messages are not this command's business: drain them
		for {
			if _, err := p.Receive(context.Background()); err != nil {
				return
			}
		}
	}()
	var c *second
	defer func() {
		if c != nil {
			c.p.Close()
		}
	}()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<10), 64<<10)
	for in.Scan() {
		line := in.Text()
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "answer "):
			if err := answer(p, strings.TrimPrefix(line, "answer "), say); err != nil {
				say("error %v", err)
			}
		case len(f) == 3 && f[0] == "introduce":
			introduce(p, f[1], f[2], say)
		case len(f) > 0 && f[0] == "second" && c == nil:
			if c, err = startSecond(p, f[1:], say); err != nil {
				say("error %v", err)
			}
		case line == "cut" && c != nil:
			c.net.Cut()
			say("cut")
		case line == "down" && c != nil:
			c.net.Down()
			say("down")
		case line == "up" && c != nil:
			c.net.Up()
			say("up")
		case len(f) >= 3 && f[0] == "send2" && c != nil:
			if err := c.send(f[1], strings.Join(f[2:], " ")); err != nil {
				say("error %v", err)
			} else {
				say("sent")
			}
		case len(f) == 2 && f[0] == "connect2" && c != nil:
			go c.connect(f[1], p.ID(), say)
		case line == "peers":
			var live []string
			for _, id := range p.Peers() {
				if p.Connected(id) {
					live = append(live, id.String())
				}
			}
			say("peers %s", strings.Join(live, " "))
		default:
			say("error unknown command")
		}
	}
	return in.Err()
}

// report writes the events of p as "<prefix> <type> <ID> [<error>]".
func report(p *peer.Peer, prefix string, say func(string, ...any)) {
	for ev := range p.Events() {
		if ev.Err != nil {
			say("%s %s %s %v", prefix, ev.Type, ev.Peer, ev.Err)
		} else {
			say("%s %s %s", prefix, ev.Type, ev.Peer)
		}
	}
}

// introduce asks the peers a and b (IDs) to connect, through p.
func introduce(p *peer.Peer, a, b string, say func(string, ...any)) {
	ia, errA := peer.ParseID(a)
	ib, errB := peer.ParseID(b)
	if errA != nil || errB != nil {
		say("error bad ID")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Introduce(ctx, ia, ib); err != nil {
		say("error %v", err)
	} else {
		say("introduced")
	}
}

// answer answers an offer's code and reports the peer once HELLO verified it.
func answer(p *peer.Peer, text string, say func(string, ...any)) error {
	code, err := codec.ParseText(text)
	if err != nil {
		return err
	}
	pr, err := p.Answer(context.Background(), code)
	if err != nil {
		return err
	}
	say("answer %s", codec.FormatText(pr.Code(), codec.FormLink))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if id, err := pr.Wait(ctx); err != nil {
			say("error %v", err)
		} else {
			say("joined %s", id)
		}
	}()
	return nil
}
