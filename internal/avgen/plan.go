package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// scenarios are what an offer sends or receives (page.js and buildPion make
// them; testdata/av/README.md describes each).
var scenarios = []string{"audio", "av", "avdata", "simulcast", "recvonly", "twovideo", "audiodata", "data"}

// habits are the scenarios of the second set (-set habits): what
// applications often do beyond the defaults (testdata/av/README.md).
var habits = []string{"maxbundle", "codecprefs", "munged", "sendonly"}

// renego are the scenarios of the third set (-set renego): a call of
// audio and video, offered, answered and accepted, then negotiated again;
// the files hold the second offer and answer (testdata/av/README.md).
var renego = []string{"reoffer", "restart", "stopped"}

// scenarioSets names the sets of scenarios a batch is made of.
var scenarioSets = map[string][]string{"base": scenarios, "habits": habits, "renego": renego}

// planFor returns the plan of a set: plan for base; for habits and
// renego, every ordered pair of stacks (each with itself too) for each
// scenario.
func planFor(set string) ([]pair, error) {
	switch set {
	case "base":
		return plan(), nil
	case "habits", "renego":
		var ps []pair
		for _, sc := range scenarioSets[set] {
			for _, o := range stacks {
				for _, a := range stacks {
					ps = append(ps, pair{sc, o, a})
				}
			}
		}
		return ps, nil
	}
	return nil, fmt.Errorf("%w: no scenario set %q", ErrSetup, set)
}

// withStack keeps the pairs of ps that have stack on a side (all of them
// when stack is empty): a batch of another version of one stack.
func withStack(ps []pair, stack string) ([]pair, error) {
	if stack == "" {
		return ps, nil
	}
	if !slices.Contains(stacks, stack) {
		return nil, fmt.Errorf("%w: no stack %q", ErrSetup, stack)
	}
	var out []pair
	for _, p := range ps {
		if stackOf(p.offerer) == stack || stackOf(p.answerer) == stack {
			out = append(out, p)
		}
	}
	return out, nil
}

// pair is one offer and the answer made to it: offerer and answerer are
// helper names (chromium, chromium-mdns, firefox, firefox-mdns, pion).
type pair struct {
	scenario, offerer, answerer string
}

// The stacks in plain-address mode, in the order the plan rotates them.
var stacks = []string{"chromium", "firefox", "pion"}

// plan lists the pairs a batch makes. Each offer is answered once, so that
// every answer is also set as the remote description of the very offer it
// answers. audio+video+data: every ordered pair of stacks; audio+video:
// each stack with itself and with the next; every other scenario: each stack
// offers once, answered by another stack (or by itself for audio+data), the
// rotation varying by scenario. Then the mDNS pairs: the browsers in their
// default mode (Chromium hides host addresses only from pages without camera
// or microphone permission, so its mDNS offers are the recvonly and
// data-channel ones).
func plan() []pair {
	var ps []pair
	shift := map[string][]int{
		"avdata": {0, 1, 2}, "av": {0, 1}, "audio": {1}, "simulcast": {2},
		"recvonly": {1}, "twovideo": {2}, "audiodata": {0}, "data": {1},
	}
	for _, sc := range scenarios {
		for _, k := range shift[sc] {
			for i, o := range stacks {
				ps = append(ps, pair{sc, o, stacks[(i+k)%len(stacks)]})
			}
		}
	}
	return append(ps,
		pair{"avdata", "firefox-mdns", "chromium"},
		pair{"av", "firefox-mdns", "pion"},
		pair{"audio", "firefox-mdns", "firefox-mdns"},
		pair{"recvonly", "chromium-mdns", "firefox-mdns"},
		pair{"data", "chromium-mdns", "firefox-mdns"},
		pair{"avdata", "pion", "firefox-mdns"},
	)
}

// offerFile and answerFile name a pair's descriptions.
func (p pair) offerFile() string {
	return fmt.Sprintf("%s-%s-offer-to-%s.sdp", p.offerer, p.scenario, p.answerer)
}

func (p pair) answerFile() string {
	return fmt.Sprintf("%s-%s-answer-to-%s.sdp", p.answerer, p.scenario, p.offerer)
}

// made is what a pair produced: both descriptions, each already set as the
// remote description by the other side.
type made struct {
	pair
	offer, answer string
	err           error
}

// callTimeout bounds one helper request (a browser may take a while to
// open a page and gather).
const callTimeout = 3 * time.Minute

// run makes the pair's offer, has the answerer set it and answer, and has
// the offerer set the answer; for a renego scenario, twice.
func (p pair) run(ctx context.Context, hs map[string]*helper, seq int) made {
	m := made{pair: p}
	o, a := hs[p.offerer], hs[p.answerer]
	oid, aid := fmt.Sprintf("o%d", seq), fmt.Sprintf("a%d", seq)
	defer func() {
		for _, c := range []struct {
			h  *helper
			id string
		}{{o, oid}, {a, aid}} {
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			_, _ = c.h.call(cctx, request{Op: "close", ID: c.id})
			cancel()
		}
	}()
	step := func(h *helper, req request) (reply, error) {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		return h.call(cctx, req)
	}
	n := negotiation{p: p, o: o, a: a, oid: oid, aid: aid, step: step}
	var edit func(string) string
	if p.scenario == "munged" {
		edit = munge
	}
	m.offer, m.answer, m.err = n.run("offer", "answer", edit)
	if m.err == nil && slices.Contains(renego, p.scenario) {
		// The second negotiation of the same connections (renego.go).
		if m.offer, m.answer, m.err = n.run("reoffer", "reanswer", nil); m.err != nil {
			m.err = fmt.Errorf("second negotiation: %w", m.err)
		}
	}
	return m
}

// negotiation is a pair's two helpers and connection ids, and the call
// that makes one request of a helper.
type negotiation struct {
	p        pair
	o, a     *helper
	oid, aid string
	step     func(*helper, request) (reply, error)
}

// run has the offerer make an offer by the request offerOp, the answerer
// answer it by answerOp, and the offerer set the answer; edit, when not
// nil, changes the offer's text before the answerer gets it (the
// application that munges its offer), and the offer returned is that text.
func (n negotiation) run(offerOp, answerOp string, edit func(string) string) (offer, answer string, err error) {
	r, err := n.step(n.o, request{Op: offerOp, ID: n.oid, Scenario: n.p.scenario})
	if err != nil {
		return "", "", err
	}
	offer = r.SDP
	if edit != nil {
		offer = edit(offer)
	}
	if r, err = n.step(n.a, request{Op: answerOp, ID: n.aid, Scenario: n.p.scenario, SDP: offer}); err != nil {
		return offer, "", err
	}
	answer = r.SDP
	_, err = n.step(n.o, request{Op: "accept", ID: n.oid, SDP: answer})
	return offer, answer, err
}
