package codec

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// Property tests of the compact audio/video form: round trip, determinism,
// canonical re-encode and size bound (checkCode) over real audio/video
// descriptions of testdata/av with random changes: fresh credentials,
// fingerprints (either case, sometimes two), SSRCs, msids and cnames (UUIDs
// in either case, with braces or not), candidates, sections dropped or
// repeated, lines removed or added.

var (
	reSSRC   = regexp.MustCompile(`\b[0-9]{6,10}\b`)
	reUUID   = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	reCNAME  = regexp.MustCompile(`cname:[^ \r\n]+`)
	avSource []avEntry
)

// genAV generates audio/video descriptions from those of testdata/av.
func genAV(t *testing.T) gopter.Gen {
	if avSource == nil {
		avSource = loadAV(t)
	}
	return func(gp *gopter.GenParameters) *gopter.GenResult {
		r := gp.Rng
		e := avSource[r.Intn(len(avSource))]
		typ, _ := ParseType(e.typ)
		lines := splitLines(e.sdp)
		ufrag, pwd := randCreds(r)
		fp := randFingerprint(r)
		second := ""
		if r.Intn(4) == 0 {
			second = randFingerprint(r)
		}
		var out []string
		var section []string
		flush := func() {
			if section == nil {
				return
			}
			if r.Intn(4) == 0 {
				defaultCandidate(r, section)
			}
			out = append(out, section...)
			if r.Intn(8) == 0 { // a repeated section, rejected and without a mid
				dup := []string{strings.Replace(section[0], section[0][strings.IndexByte(section[0], ' '):], " 0"+section[0][strings.Index(section[0][2:], " ")+2:], 1)}
				for _, l := range section[1:] {
					if !strings.HasPrefix(l, "a=mid:") && !strings.HasPrefix(l, "a=candidate") {
						dup = append(dup, l)
					}
				}
				out = append(out, dup...)
			}
			section = nil
		}
		port := 1024 + r.Intn(60000)
		addrs := []string{randAddress(r), randAddress(r)}
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "m="):
				flush()
				section = []string{l}
				continue
			case strings.HasPrefix(l, "a=ice-ufrag:"):
				l = "a=ice-ufrag:" + ufrag
			case strings.HasPrefix(l, "a=ice-pwd:"):
				l = "a=ice-pwd:" + pwd
			case strings.HasPrefix(l, "a=fingerprint:"):
				l = "a=fingerprint:" + fp
				if second != "" {
					l += "\na=fingerprint:" + second
				}
			case strings.HasPrefix(l, "a=candidate:"):
				if r.Intn(3) == 0 {
					l = randCandidate(r, addrs, &port)
				}
			case strings.HasPrefix(l, "a=ssrc"):
				l = reSSRC.ReplaceAllStringFunc(l, func(string) string { return fmt.Sprint(pick(r, r.Uint32(), uint32(r.Intn(100)))) })
				l = reCNAME.ReplaceAllStringFunc(l, func(string) string { return "cname:" + randString(r, alnum+"{}-", 1+r.Intn(20)) })
			case !strings.HasPrefix(l, "v=") && !strings.HasPrefix(l, "o=") && !strings.HasPrefix(l, "s=") && !strings.HasPrefix(l, "t=") &&
				!strings.HasPrefix(l, "a=group") && !strings.HasPrefix(l, "a=mid") && r.Intn(30) == 0:
				continue // a line removed
			}
			l = reUUID.ReplaceAllStringFunc(l, func(string) string { return randUUID(r) })
			if r.Intn(40) == 0 {
				l += "\na=x-" + randString(r, alnum, 1+r.Intn(10)) + ":" + randString(r, alnum+" ", r.Intn(30))
			}
			if section != nil {
				section = append(section, strings.Split(l, "\n")...)
			} else {
				out = append(out, strings.Split(l, "\n")...)
			}
		}
		flush()
		sdp := strings.Join(out, "\r\n") + "\r\n"
		return gopter.NewGenResult(genDesc{Description: Description{Type: typ, SDP: sdp}}, gopter.NoShrinker)
	}
}

// defaultCandidate writes in a section's m= and c= lines the port and
// address of one of its candidates, at random: a stack's default candidate,
// which need not be its first (the line 0x14).
func defaultCandidate(r *rand.Rand, section []string) {
	var cands [][]string
	for _, l := range section {
		if f := strings.Fields(l); strings.HasPrefix(l, "a=candidate:") && len(f) >= 6 {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 {
		return
	}
	c := cands[r.Intn(len(cands))]
	for i, l := range section {
		f := strings.Split(l, " ")
		switch {
		case i == 0 && len(f) >= 2:
			f[1] = c[5]
		case strings.HasPrefix(l, "c=") && len(f) >= 3:
			f[1] = "IP4"
			if strings.Contains(c[4], ":") {
				f[1] = "IP6"
			}
			f[2] = c[4]
		}
		section[i] = strings.Join(f, " ")
	}
}

// hasTransportLine reports whether a description's skeleton has a 0x14
// line (a transport candidate that is not its section's first).
func hasTransportLine(desc string) bool {
	p, err := parseSDP(desc)
	if err != nil {
		return false
	}
	s, ok := avExtract(p, &CandidatePolicy{})
	if !ok {
		return false
	}
	for _, part := range s.parts {
		for _, l := range part {
			if l == string(rune(mkTransport)) {
				return true
			}
		}
	}
	return false
}

// randUUID returns a UUID, lower or upper case, with braces or not.
func randUUID(r *rand.Rand) string {
	b := make([]byte, 16)
	r.Read(b)
	u := strings.TrimSuffix(mdnsName(b), ".local")
	switch r.Intn(6) {
	case 0:
		u = strings.ToUpper(u)
	case 1:
		u = "{" + u + "}"
	}
	return u
}

func TestPropertiesAV(t *testing.T) {
	params := propParameters(t, 300)
	stats := map[string]int{}
	props := gopter.NewProperties(params)
	props.Property("round trip, determinism, canonical re-encode, size bound", prop.ForAll(
		func(g genDesc) string {
			for _, pol := range []CandidatePolicy{{}, {KeepComponent2: true}, {MaxCandidates: 1, DropTCP: true}} {
				if msg := checkCode(g, pol, stats); msg != "" {
					return fmt.Sprintf("policy %+v: %s", pol, msg)
				}
			}
			if hasTransportLine(g.SDP) {
				stats["with a 0x14 line"]++
			}
			return ""
		}, genAV(t)))
	props.TestingRun(t)
	t.Logf("outcomes: %v", stats)
	if stats["av"] < 300 || stats["with a 0x14 line"] < 10 {
		t.Errorf("too few A/V codes, or too few with a transport candidate not first: %v", stats)
	}
}

// TestAVEligibleFast checks that avEligible, the decoder's check of a
// residual text, agrees with avExtract on every description of testdata/av
// and the corpus and on generated A/V descriptions.
func TestAVEligibleFast(t *testing.T) {
	var texts []string
	for _, e := range loadAV(t) {
		texts = append(texts, e.sdp)
	}
	for _, e := range loadCorpus(t) {
		texts = append(texts, e.sdp)
	}
	gen := genAV(t)
	params := gopter.DefaultGenParameters()
	for range 300 {
		texts = append(texts, gen(params).Result.(genDesc).SDP)
	}
	for _, s := range []string{"a=ice-ufrag:x\r\na=ice-ufrag:y", "a=candidate:1 1 udp 1 192.0.2.1 1 typ host", "a=ice-pwd"} {
		texts = append(texts, texts[0]+s+"\r\n")
	}
	n := 0
	for _, text := range texts {
		p, err := parseSDP(text)
		if err != nil {
			continue
		}
		_, want := avExtract(p, &CandidatePolicy{KeepComponent2: true})
		if got := avEligible(p); got != want {
			t.Errorf("avEligible %v, avExtract %v:\n%s", got, want, text)
		}
		if want {
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d A/V-eligible texts", n)
	}
}
