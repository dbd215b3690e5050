package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

type cmdResult struct {
	status int
	stderr string
}

// startCmd runs peer with args in-process on the given stdin; it returns
// the read side of its stdout and a channel with its result.
func startCmd(args []string, stdin io.Reader) (*bufio.Reader, <-chan cmdResult) {
	pr, pw := io.Pipe()
	res := make(chan cmdResult, 1)
	go func() {
		var stderr bytes.Buffer
		st := run(&env{stdin: stdin, stdout: pw, stderr: &stderr}, args)
		pw.Close()
		res <- cmdResult{st, stderr.String()}
	}()
	return bufio.NewReader(pr), res
}

func waitCmd(t *testing.T, name string, res <-chan cmdResult) cmdResult {
	t.Helper()
	select {
	case r := <-res:
		return r
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not exit", name)
	}
	return cmdResult{}
}

// TestOfferAnswerMovesFile: `peer offer < file` and `peer answer > copy`
// run by a program (no terminal): the codes are the first lines of stdout
// and stdin.
func TestOfferAnswerMovesFile(t *testing.T) {
	file := make([]byte, 3<<20+12345)
	rand.NewChaCha8([32]byte{7}).Read(file)

	offerIn, offerInW := io.Pipe()
	offerOut, offerRes := startCmd([]string{"offer", "-loopback", "-qr"}, offerIn)
	offerLine, err := offerOut.ReadString('\n')
	if err != nil {
		t.Fatalf("offer's first line: %v", err)
	}
	if !strings.HasPrefix(offerLine, codec.PrefixLink) {
		t.Fatalf("offer's first line %q is not a link-form code", offerLine)
	}
	answerOut, answerRes := startCmd([]string{"answer", "-loopback"}, strings.NewReader(offerLine))
	answerLine, err := answerOut.ReadString('\n')
	if err != nil {
		t.Fatalf("answer's first line: %v", err)
	}
	go func() {
		io.WriteString(offerInW, answerLine)
		offerInW.Write(file)
		offerInW.Close()
	}()
	got, err := io.ReadAll(answerOut)
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(offerOut)
	if r := waitCmd(t, "answer", answerRes); r.status != 0 {
		t.Fatalf("answer exited %d: %s", r.status, r.stderr)
	}
	r := waitCmd(t, "offer", offerRes)
	if r.status != 0 {
		t.Fatalf("offer exited %d: %s", r.status, r.stderr)
	}
	if !strings.Contains(r.stderr, "offer code:") {
		t.Errorf("-qr drew no QR code on stderr: %q", r.stderr)
	}
	if !bytes.Equal(got, file) {
		t.Fatalf("answer wrote %d bytes, want the %d-byte file", len(got), len(file))
	}
	if len(rest) != 0 {
		t.Fatalf("offer wrote %d unexpected bytes", len(rest))
	}
}

// loopbackCodes makes an offer and its answer with two ref peers on
// loopback (closed at the end of the test) and returns their codes.
func loopbackCodes(t *testing.T) (offer, answer []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, offer, err := ref.Offer(ctx, &ref.Config{Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	a, answer, err := ref.Answer(ctx, &ref.Config{Loopback: true}, offer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return offer, answer
}

func TestOfferBadAnswers(t *testing.T) {
	// An answer bound to another offer.
	_, answer2 := loopbackCodes(t)
	otherAnswer := codec.FormatText(answer2, codec.FormQR)
	corrupted := []byte(otherAnswer)
	corrupted[5] ^= 0x01

	for name, input := range map[string]string{
		"another offer's answer": otherAnswer,
		"foreign":                "hello, world",
		"corrupted":              string(corrupted),
		"empty":                  "",
	} {
		t.Run(name, func(t *testing.T) {
			out, res := startCmd([]string{"offer", "-loopback"}, strings.NewReader(input+"\n"))
			if _, err := out.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, out)
			r := waitCmd(t, "offer", res)
			if r.status != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", r.status, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "peer: ") || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("stderr %q is not one line starting with peer:", r.stderr)
			}
			t.Logf("%s", strings.TrimSpace(r.stderr))
		})
	}
}

func TestAnswerBadOffer(t *testing.T) {
	out, res := startCmd([]string{"answer", "-loopback"}, strings.NewReader("P-NOTACODE\n"))
	io.Copy(io.Discard, out)
	r := waitCmd(t, "answer", res)
	if r.status != 1 || !strings.HasPrefix(r.stderr, "peer: ") {
		t.Fatalf("exit %d, stderr %q", r.status, r.stderr)
	}
}

func TestDemo(t *testing.T) {
	out, res := startCmd([]string{"demo"}, strings.NewReader(""))
	b, _ := io.ReadAll(out)
	r := waitCmd(t, "demo", res)
	if r.status != 0 {
		t.Fatalf("demo exited %d: %s", r.status, r.stderr)
	}
	s := string(b)
	for _, want := range []string{"offer code:", "answer code:", "bytes", "time from offer to open channel", "hello back from the answerer", "▄"} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
