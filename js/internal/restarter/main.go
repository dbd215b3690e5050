// Command restarter is the Go peer (ref.Conn with Config.RestartableICE)
// of the JavaScript library's ICE restart test (js/btest/restart.suite.mjs).
// It reads commands from stdin, one a line, and writes one line each to
// stdout (codes in the link form):
//
//	offer                     offer <code>
//	answer <code>             answer <code>
//	complete <code>           ok
//	restart-offer             restart-offer <code>
//	restart-answer <code>     restart-answer <code>
//	complete-restart <code>   ok
//	wait-restart              restarted <count>
//	send <text>               ok (a message on the default channel)
//	cut                       ok: every UDP socket open now drops all it
//	                          sends and receives from now on, as the
//	                          sockets of a network that went away; sockets
//	                          opened later (a restart's) work
//
// A failed command writes error <message>. Events are written as they
// happen: open, msg <text>, unreachable, reachable, done <error>. Flags:
// -dead (Config.DeadPeerTimeout), -restart (Config.RestartTimeout). It
// ends at the end of stdin.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/js/internal/cutnet"
	"github.com/peer-sdp/peer/ref"
)

func main() {
	dead := flag.Duration("dead", 5*time.Second, "Config.DeadPeerTimeout")
	restart := flag.Duration("restart", 15*time.Second, "Config.RestartTimeout")
	flag.Parse()
	if err := run(*dead, *restart); err != nil {
		fmt.Fprintln(os.Stderr, "restarter:", err)
		os.Exit(1)
	}
}

// peer is the program's one connection and its output.
type peer struct {
	mu   sync.Mutex
	cfg  *ref.Config
	conn *ref.Conn
	net  *cutnet.Net
}

func (p *peer) say(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf(format+"\n", a...)
}

func run(dead, restart time.Duration) error {
	n, err := cutnet.New()
	if err != nil {
		return err
	}
	p := &peer{net: n}
	p.cfg = &ref.Config{
		RestartableICE: true, DeadPeerTimeout: dead, RestartTimeout: restart,
		SettingEngine: func(se *webrtc.SettingEngine) { se.SetNet(p.net) },
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<10), 64<<10)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := p.do(ctx, cmd, arg)
		cancel()
		if err != nil {
			p.say("error %v", err)
		} else {
			p.say("%s", out)
		}
	}
	if p.conn != nil {
		p.conn.Close()
	}
	return in.Err()
}

// do runs one command and returns its line.
func (p *peer) do(ctx context.Context, cmd, arg string) (string, error) {
	if p.conn == nil && cmd != "offer" && cmd != "answer" {
		return "", errors.New("no connection yet")
	}
	var code []byte
	if arg != "" && cmd != "send" {
		var err error
		if code, err = codec.ParseText(arg); err != nil {
			return "", err
		}
	}
	var out []byte
	var err error
	switch cmd {
	case "offer":
		p.conn, out, err = ref.Offer(ctx, p.cfg)
	case "answer":
		p.conn, out, err = ref.Answer(ctx, p.cfg, code)
	case "complete":
		err = p.conn.Complete(ctx, code)
	case "restart-offer":
		out, err = p.conn.RestartOffer(ctx)
	case "restart-answer":
		out, err = p.conn.RestartAnswer(ctx, code)
	case "complete-restart":
		err = p.conn.CompleteRestart(ctx, code)
	case "wait-restart":
		if err = p.conn.WaitRestart(ctx); err == nil {
			return fmt.Sprintf("restarted %d", p.conn.Restarts()), nil
		}
	case "send":
		err = p.conn.Channel().Send(ctx, []byte(arg))
	case "cut":
		p.net.Cut()
	default:
		return "", fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		return "", err
	}
	if cmd == "offer" || cmd == "answer" {
		go p.watch(p.conn)
	}
	if out != nil {
		return cmd + " " + codec.FormatText(out, codec.FormLink), nil
	}
	return "ok", nil
}

// watch reports the connection's events until it ends.
func (p *peer) watch(c *ref.Conn) {
	go func() {
		for {
			m, err := c.Channel().Receive(context.Background())
			if err != nil {
				return
			}
			p.say("msg %s", m)
		}
	}()
	if err := c.WaitOpen(context.Background()); err != nil {
		p.say("done %v", c.Err())
		return
	}
	p.say("open")
	for {
		select {
		case <-c.Unreachable():
		case <-c.Done():
			p.say("done %v", c.Err())
			return
		}
		p.say("unreachable")
		select {
		case <-c.Reachable():
			p.say("reachable")
		case <-c.Done():
			p.say("done %v", c.Err())
			return
		}
	}
}
