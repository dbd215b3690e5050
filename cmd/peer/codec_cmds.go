package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

func init() {
	register("encode", "encode a session description (SDP, raw or JSON) from stdin as a code", `Reads a session description on stdin, SDP text or the {"type","sdp"} JSON
of browsers and pion, and writes its code as one line on stdout (the bytes
alone with -form bin). An answer is bound to its offer: give the offer's
code with -offer. The type comes from the JSON, from -type, or is an offer
when the description's a=setup is actpass.

Forms: link (P-…, the default) is letters and digits only, which a
double-click selects whole and a shell keeps as one word: for terminals,
chats and mail. qr (P:…) makes the smallest QR codes but holds spaces. bin
is the raw code, for files. Every form decodes the same (peer decode).`, cmdEncode)
	register("decode", "decode a code (any form, or a whole link) from stdin to SDP", `Reads a code on stdin, in any form (P-…, P:…, a whole link, or the raw
bytes), and writes its session description on stdout: SDP text with CRLF
line ends, or {"type","sdp"} JSON with -json. With -offer, an answer is
checked against the offer it must belong to. An audio/video answer is coded
against its offer and decodes only with it: give the offer's code with
-offer CODE or -offer @FILE. A code refused ends with status
1 and one line that says why, then its error class (SPEC.md §9) in
parentheses: "(error class: malformed)".`, cmdDecode)
}

// policyFlags adds the candidate policy flags to fs.
func policyFlags(fs *flag.FlagSet, p *codec.CandidatePolicy) {
	fs.IntVar(&p.MaxCandidates, "max-candidates", 0, "keep at most `N` candidates (0: no limit)")
	fs.BoolVar(&p.DropTCPActive, "drop-tcp-active", false, "drop TCP candidates of tcptype active")
	fs.BoolVar(&p.DropTCP, "drop-tcp", false, "drop every TCP candidate")
	fs.BoolVar(&p.KeepComponent2, "keep-component2", false, "keep component-2 (RTCP) candidates")
	fs.BoolVar(&p.DropIPv6, "drop-ipv6", false, "drop IPv6 candidates")
	fs.BoolVar(&p.DropMDNS, "drop-mdns", false, "drop mDNS (.local) candidates")
	fs.BoolVar(&p.DropPrivate, "drop-private", false, "drop host candidates with private, loopback or link-local addresses")
	fs.BoolVar(&p.DropEUI64, "drop-eui64", false, dropEUI64Usage)
}

// readLimited reads all of r, failing when it holds more than max bytes.
func readLimited(r io.Reader, max int, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", what, err)
	}
	if len(b) > max {
		return nil, fmt.Errorf("%s is larger than the limit of %d bytes", what, max)
	}
	return b, nil
}

// jsonDescription is the {"type","sdp"} object browsers and pion produce.
type jsonDescription struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// parseOfferArg reads the -offer flag: a code in any form, or @FILE.
func parseOfferArg(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "@") {
		b, err := readFileLimited(s[1:])
		if err != nil {
			return nil, err
		}
		s = string(b)
	}
	code, err := codec.ParseText(s)
	if err != nil {
		return nil, fmt.Errorf("the -offer code: %w", describe(err, "offer"))
	}
	return code, nil
}

func readFileLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, codec.DefaultMaxTextBytes, name)
}

func cmdEncode(e *env, args []string) error {
	fs := newFlagSet("encode")
	formName := fs.String("form", "link", formUsage)
	typeName := fs.String("type", "", "description type: offer or answer (default: from the JSON, or offer when setup is actpass)")
	offerArg := fs.String("offer", "", "for an answer: the offer's `code` (any form, or @FILE)")
	base := fs.String("base", "", "with -form link: the page `URL` the link opens (prints the whole link)")
	var opts codec.EncOptions
	policyFlags(fs, &opts.Policy)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	form, err := parseFormFlag(*formName)
	if err != nil {
		return err
	}
	if opts.Policy.MaxCandidates < 0 {
		return usagef("-max-candidates must not be negative")
	}
	enc, err := opts.Encoder()
	if err != nil {
		return usagef("%v", err)
	}
	in, err := readLimited(e.stdin, codec.DefaultMaxSDPBytes+1024, "the description on stdin")
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(in)) == 0 {
		return errors.New("stdin is empty: give peer encode a session description (SDP text, or {\"type\",\"sdp\"} JSON)")
	}
	d := codec.Description{SDP: string(in)}
	if t := bytes.TrimSpace(in); len(t) > 0 && t[0] == '{' {
		var j jsonDescription
		if err := json.Unmarshal(t, &j); err != nil {
			return fmt.Errorf("stdin starts with '{' but is not a JSON description: %v", err)
		}
		d.SDP = j.SDP
		if j.Type != "" {
			if d.Type, err = codec.ParseType(j.Type); err != nil {
				return fmt.Errorf("JSON type %q is neither offer nor answer", j.Type)
			}
		}
	}
	if *typeName != "" {
		if d.Type, err = codec.ParseType(*typeName); err != nil {
			return usagef("-type %q: want offer or answer", *typeName)
		}
	}
	if d.Type == 0 {
		if !strings.Contains(d.SDP, "a=setup:actpass") {
			return usagef("is this an offer or an answer? Its a=setup is not actpass: say -type offer or -type answer")
		}
		d.Type = codec.Offer
	}
	offer, err := parseOfferArg(*offerArg)
	if err != nil {
		return err
	}
	if d.Type == codec.Answer && offer == nil {
		return usagef("an answer is bound to its offer: give the offer's code with -offer")
	}
	code, err := enc.Encode(d, offer)
	if err != nil {
		return withClass(encodeError(err))
	}
	warnEUI64(e.stderr, code)
	switch {
	case form == codec.FormBin:
		_, err = e.stdout.Write(code)
	case form == codec.FormLink && *base != "":
		_, err = fmt.Fprintln(e.stdout, codec.Link(*base, code))
	default:
		_, err = fmt.Fprintln(e.stdout, codec.FormatText(code, form))
	}
	return err
}

func cmdDecode(e *env, args []string) error {
	fs := newFlagSet("decode")
	asJSON := fs.Bool("json", false, `write {"type","sdp"} JSON instead of SDP text`)
	offerArg := fs.String("offer", "", "the offer `code` an answer belongs to (any form, or @FILE): checks the binding, and an audio/video answer needs it to decode")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	offer, err := parseOfferArg(*offerArg)
	if err != nil {
		return err
	}
	in, err := readLimited(e.stdin, codec.DefaultMaxTextBytes, "the code on stdin")
	if err != nil {
		return withClass(describe(err, ""))
	}
	code, err := codec.ParseText(string(in))
	var d codec.Description
	if err == nil {
		d, err = codec.Decode(code, &codec.DecOptions{Offer: offer})
	}
	switch {
	case err != nil && strings.Trim(string(in), " \t\n\v\f\r") == "":
		// Nothing but white space (a lone LF is a binary code's first byte
		// to the codec, SPEC.md §5.4, hence its class).
		return withClass(explainf(err, "stdin is empty: give peer decode a code (P-…, P:…, a link, or the raw bytes)"))
	case err != nil:
		return withClass(describe(err, ""))
	}
	if *asJSON {
		b, err := json.Marshal(jsonDescription{Type: d.Type.String(), SDP: d.SDP})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	_, err = io.WriteString(e.stdout, d.SDP)
	return err
}

// withClass adds to a refusal of encode or decode its error class, the name
// SPEC.md §9 gives it ("malformed", "limit", ...), which programs that run
// these commands can match.
func withClass(err error) error {
	if c := codec.ClassName(err); c != "" {
		return explainf(err, "%s (error class: %s)", err.Error(), c)
	}
	return err
}

// encodeError explains why a description was not encoded.
func encodeError(err error) error {
	switch {
	case errors.Is(err, codec.ErrLimit):
		return explainf(err, "this description is too large for a code (SPEC.md §8): %s", strings.TrimPrefix(err.Error(), "codec: "))
	case errors.Is(err, codec.ErrInvalidSDP):
		return explainf(err, "stdin does not hold a session description peer can encode (%s)", strings.TrimPrefix(err.Error(), "codec: "))
	}
	return err
}
