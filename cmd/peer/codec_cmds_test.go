package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec"
)

// runPeer runs the command in-process and returns its exit status, stdout
// and stderr.
func runPeer(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := run(e, args)
	return code, out.String(), errb.String()
}

func corpusFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEncodeDecodeForms(t *testing.T) {
	offerSDP := corpusFile(t, "chrome-datachannel-offer-04.sdp")
	for _, form := range []string{"qr", "link", "bin"} {
		st, out, errs := runPeer(t, offerSDP, "encode", "-form", form)
		if st != 0 {
			t.Fatalf("encode -form %s: status %d, stderr %q", form, st, errs)
		}
		switch form {
		case "qr":
			if !strings.HasPrefix(out, "P:") || strings.Count(out, "\n") != 1 {
				t.Fatalf("qr form output %q is not one P: line", out)
			}
		case "link":
			if !strings.HasPrefix(out, "P-") || strings.Count(out, "\n") != 1 {
				t.Fatalf("link form output %q is not one P- line", out)
			}
		case "bin":
			if strings.HasSuffix(out, "\n") {
				t.Fatalf("bin form ends with a newline")
			}
		}
		// Surrounding white space is ignored for text forms.
		in := out
		if form != "bin" {
			in = "  \n" + out + "\n\n"
		}
		st, sdp, errs := runPeer(t, in, "decode")
		if st != 0 {
			t.Fatalf("decode of %s form: status %d, stderr %q", form, st, errs)
		}
		if !strings.HasPrefix(sdp, "v=0\r\n") || strings.Contains(strings.ReplaceAll(sdp, "\r\n", ""), "\n") {
			t.Fatalf("decoded SDP does not use CRLF line endings: %q", sdp)
		}
		if err := codec.Equivalent(codec.Description{Type: codec.Offer, SDP: offerSDP}, codec.Description{Type: codec.Offer, SDP: sdp}, nil); err != nil {
			t.Fatalf("decoded %s form not equivalent: %v", form, err)
		}
	}
}

func TestEncodeJSONAndAnswerBinding(t *testing.T) {
	offerSDP := corpusFile(t, "chrome-datachannel-offer-04.sdp")
	answerSDP := corpusFile(t, "chrome-datachannel-answer-04.sdp")
	js, _ := json.Marshal(map[string]string{"type": "offer", "sdp": offerSDP})
	st, offer, errs := runPeer(t, string(js), "encode")
	if st != 0 {
		t.Fatalf("encode JSON offer: %d %q", st, errs)
	}
	offer = strings.TrimSpace(offer)
	other := strings.TrimSpace(mustRun(t, corpusFile(t, "firefox-datachannel-offer-01.sdp"), "encode"))

	// Raw SDP whose setup is not actpass needs -type; an answer needs -offer.
	if st, _, errs := runPeer(t, answerSDP, "encode"); st != 2 || !strings.Contains(errs, "-type") {
		t.Fatalf("answer without -type: status %d, stderr %q", st, errs)
	}
	if st, _, errs := runPeer(t, answerSDP, "encode", "-type", "answer"); st != 2 || !strings.Contains(errs, "-offer") {
		t.Fatalf("answer without -offer: status %d, stderr %q", st, errs)
	}
	ja, _ := json.Marshal(map[string]string{"type": "answer", "sdp": answerSDP})
	answer := strings.TrimSpace(mustRun(t, string(ja), "encode", "-offer", offer))

	// Decoding with the right offer works and -json gives the type.
	out := mustRun(t, answer, "decode", "-json", "-offer", offer)
	var d struct{ Type, SDP string }
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.Type != "answer" || !strings.HasPrefix(d.SDP, "v=0\r\n") {
		t.Fatalf("decode -json: %q (%v)", out, err)
	}
	// With another offer: exit 1 and one line starting with "peer:".
	st, _, errs = runPeer(t, answer, "decode", "-offer", other)
	if st != 1 || !strings.HasPrefix(errs, "peer: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "another offer") {
		t.Fatalf("answer checked against another offer: status %d, stderr %q", st, errs)
	}
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	st, out, errs := runPeer(t, stdin, args...)
	if st != 0 {
		t.Fatalf("peer %v: status %d, stderr %q", args, st, errs)
	}
	return out
}

func TestBadInputs(t *testing.T) {
	valid := strings.TrimSpace(mustRun(t, corpusFile(t, "chrome-datachannel-offer-04.sdp"), "encode"))
	cases := []struct {
		name, stdin string
		args        []string
		status      int
		want        string
	}{
		{"foreign string", "hello world", []string{"decode"}, 1, "not a peer code"},
		{"corrupted code", valid[:len(valid)-6], []string{"decode"}, 1, "damaged"},
		{"bad base45", "P:abc", []string{"decode"}, 1, "damaged"},
		{"huge input", strings.Repeat("P", codec.DefaultMaxTextBytes+10), []string{"decode"}, 1, "limit"},
		{"invalid SDP", "not an sdp", []string{"encode", "-type", "offer"}, 1, "invalid session description"},
		{"huge SDP", "v=0\r\n" + strings.Repeat("a=x\r\n", 20000), []string{"encode", "-type", "offer"}, 1, "limit"},
		{"bad form", "", []string{"encode", "-form", "png"}, 2, "-form"},
		{"unknown flag", "", []string{"decode", "-nope"}, 2, "nope"},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, _, errs := runPeer(t, c.stdin, c.args...)
			if st != c.status {
				t.Fatalf("status %d, want %d (stderr %q)", st, c.status, errs)
			}
			if !strings.Contains(errs, c.want) {
				t.Fatalf("stderr %q does not mention %q", errs, c.want)
			}
			if c.status == 1 && (!strings.HasPrefix(errs, "peer: ") || strings.Count(errs, "\n") != 1) {
				t.Fatalf("stderr %q is not one line starting with peer:", errs)
			}
		})
	}
}

// TestEncodeEUI64: a code that carries an IPv6 address made from a MAC
// address (EUI-64) is printed with a one-line warning on stderr naming the
// address and -drop-eui64; -drop-private keeps the address, -drop-eui64
// drops it (and then there is no warning).
func TestEncodeEUI64(t *testing.T) {
	const eui = "2001:db8:1:0:211:22ff:fe33:4455"
	sdp := strings.Replace(corpusFile(t, "chrome-datachannel-offer-04.sdp"), "a=ice-ufrag:",
		"a=candidate:9 1 udp 2113937151 "+eui+" 5000 typ host\r\na=ice-ufrag:", 1)
	for _, c := range []struct {
		flags []string
		keeps bool
	}{
		{nil, true},
		{[]string{"-drop-private"}, true},
		{[]string{"-drop-eui64"}, false},
	} {
		st, out, errs := runPeer(t, sdp, append([]string{"encode"}, c.flags...)...)
		if st != 0 {
			t.Fatalf("encode %v: status %d: %s", c.flags, st, errs)
		}
		_, dec, _ := runPeer(t, out, "decode")
		if strings.Contains(dec, eui) != c.keeps {
			t.Errorf("encode %v: the code carries %s: %v, want %v", c.flags, eui, !c.keeps, c.keeps)
		}
		warned := strings.Count(errs, "\n") == 1 && strings.HasPrefix(errs, "peer: warning: ") &&
			strings.Contains(errs, eui) && strings.Contains(errs, "-drop-eui64") && strings.Contains(errs, "MAC")
		if warned != c.keeps {
			t.Errorf("encode %v: stderr %q, want a warning: %v", c.flags, errs, c.keeps)
		}
	}
}

// TestDecodeAVAnswer encodes a real audio/video offer and its answer and
// decodes the answer: without -offer it is refused with the class
// needs-offer and a line that says to pass -offer; with -offer (a code or
// @FILE) it decodes.
func TestDecodeAVAnswer(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "av", "batch1", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	offerSDP, answerSDP := read("chromium-avdata-offer-to-pion.sdp"), read("pion-avdata-answer-to-chromium.sdp")
	offer := strings.TrimSpace(mustRun(t, offerSDP, "encode"))
	answer := strings.TrimSpace(mustRun(t, answerSDP, "encode", "-type", "answer", "-offer", offer))

	st, _, errs := runPeer(t, answer, "decode")
	if st != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "(error class: needs-offer)") || !strings.Contains(errs, "-offer") {
		t.Fatalf("A/V answer without -offer: status %d, stderr %q", st, errs)
	}
	file := filepath.Join(t.TempDir(), "offer.txt")
	if err := os.WriteFile(file, []byte(offer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{offer, "@" + file} {
		out := mustRun(t, answer, "decode", "-offer", arg)
		in := codec.Description{Type: codec.Answer, SDP: answerSDP}
		if err := codec.Equivalent(in, codec.Description{Type: codec.Answer, SDP: out}, nil); err != nil {
			t.Fatalf("-offer %.20s: decoded answer not equivalent: %v", arg, err)
		}
	}
}
