package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/js/internal/cutnet"
	"github.com/peer-sdp/peer/ref"
	"github.com/peer-sdp/peer/ref/peer"
)

// second is the introducer's second peer (C) of the ICE restart test
// (js/btest/intro.suite.mjs): a ref/peer Peer on a network whose UDP
// sockets can be cut, paired with the introducer (B) by code in this
// process. The sockets of its connection with B are spared by cut, so that
// B stays a common peer that carries the restart (IDENTITY.md §8.2).
type second struct {
	p   *peer.Peer
	net *cutnet.Net
}

// newSecond makes C, pairs it with b and reports "second <ID>". With below
// set, C's ID is lower than other's, else higher (other zero: any ID): the
// test chooses who restarts (IDENTITY.md §8: the lower ID). C's events
// are written as event2 <type> <ID> [<error>], its messages as got2 <ID>
// <text>.
func newSecond(b *peer.Peer, other peer.ID, below bool, say func(string, ...any)) (*second, error) {
	n, err := cutnet.New()
	if err != nil {
		return nil, err
	}
	var id *peer.Identity
	for {
		if id, err = peer.NewIdentity(); err != nil {
			return nil, err
		}
		if other == (peer.ID{}) || id.ID().Less(other) == below {
			break
		}
	}
	c, err := peer.New(&peer.Config{Identity: id, Conn: ref.Config{
		SettingEngine: func(se *webrtc.SettingEngine) { se.SetNet(n) },
	}})
	if err != nil {
		return nil, err
	}
	go report(c, "event2", say)
	go func() {
		for {
			m, err := c.Receive(context.Background())
			if err != nil {
				return
			}
			say("got2 %s %s", m.From, m.Data)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pairInProcess(ctx, c, b); err != nil {
		c.Close()
		return nil, err
	}
	n.Keep()
	say("second %s", c.ID())
	return &second{p: c, net: n}, nil
}

// startSecond is the second command: args are empty, or below|above ID.
func startSecond(b *peer.Peer, args []string, say func(string, ...any)) (*second, error) {
	var other peer.ID
	if len(args) == 2 && (args[0] == "below" || args[0] == "above") {
		var err error
		if other, err = peer.ParseID(args[1]); err != nil {
			return nil, err
		}
	} else if len(args) != 0 {
		return nil, fmt.Errorf("second [below|above ID]")
	}
	return newSecond(b, other, len(args) == 2 && args[0] == "below", say)
}

// pairInProcess pairs a (offering) and b by code, as two people would.
func pairInProcess(ctx context.Context, a, b *peer.Peer) error {
	offer, err := a.Offer(ctx)
	if err != nil {
		return err
	}
	answer, err := b.Answer(ctx, offer.Code())
	if err != nil {
		return err
	}
	if err := offer.Complete(ctx, answer.Code()); err != nil {
		return err
	}
	if _, err := offer.Wait(ctx); err != nil {
		return err
	}
	if _, err := answer.Wait(ctx); err != nil {
		return fmt.Errorf("the introducer's side: %w", err)
	}
	return nil
}

// send sends text from C to the peer id.
func (s *second) send(id, text string) error {
	to, err := peer.ParseID(id)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.p.Send(ctx, to, []byte(text))
}

// connect makes C connect to the peer id through via (the introducer) and
// reports connected2 <ID>, or the error.
func (s *second) connect(id string, via peer.ID, say func(string, ...any)) {
	to, err := peer.ParseID(id)
	if err != nil {
		say("error %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.p.ConnectVia(ctx, to, via); err != nil {
		say("error %v", err)
		return
	}
	say("connected2 %s", id)
}
