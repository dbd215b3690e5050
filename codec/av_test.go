package codec

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec/internal/detflate"
	"github.com/peer-sdp/peer/internal/qrsize"
)

// avEntry is one row of testdata/av/INDEX.tsv.
type avEntry struct {
	file, stack, typ, scenario, pair, batch, notes string
	sdp                                            string
}

func loadAV(t testing.TB) []avEntry {
	t.Helper()
	dir := filepath.Join("..", "testdata", "av")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []avEntry
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 14 {
			t.Fatalf("INDEX.tsv row with %d columns: %q", len(col), sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, avEntry{file: col[0], stack: col[1], typ: col[3], notes: col[8], scenario: col[9], pair: col[10], batch: col[13], sdp: string(b)})
	}
	if len(out) < 100 {
		t.Fatalf("only %d A/V entries loaded", len(out))
	}
	return out
}

// avCodes encodes every description of testdata/av, each answer bound to
// the code of its offer (the pair column), and returns the codes by file
// and the offer code of each answer.
func avCodes(t testing.TB, entries []avEntry) (codes, offers map[string][]byte) {
	t.Helper()
	codes, offers = map[string][]byte{}, map[string][]byte{}
	byFile := map[string]avEntry{}
	for _, e := range entries {
		byFile[e.file] = e
	}
	for _, pass := range []string{"offer", "answer"} {
		for _, e := range entries {
			if e.typ != pass {
				continue
			}
			typ, _ := ParseType(e.typ)
			var offer []byte
			if typ == Answer {
				offer = codes[e.pair]
				if offer == nil {
					t.Fatalf("%s: no code for its offer %s", e.file, e.pair)
				}
				offers[e.file] = offer
			}
			code, err := Encode(Description{Type: typ, SDP: e.sdp}, offer, nil)
			if err != nil {
				t.Fatalf("%s: encode: %v", e.file, err)
			}
			codes[e.file] = code
		}
	}
	return codes, offers
}

// TestAVRoundTrip encodes and decodes every description of testdata/av.
func TestAVRoundTrip(t *testing.T) {
	entries := loadAV(t)
	codes, offers := avCodes(t, entries)
	for _, e := range entries {
		code := codes[e.file]
		typ, _ := ParseType(e.typ)
		in := Description{Type: typ, SDP: e.sdp}
		out, err := Decode(code, &DecOptions{Offer: offers[e.file]})
		if err != nil {
			t.Errorf("%s: decode: %v", e.file, err)
			continue
		}
		if err := Equivalent(in, out, nil); err != nil {
			t.Errorf("%s: not equivalent: %v", e.file, err)
		}
		t.Logf("%-50s head %2d %5d -> %4d B", e.file, code[0], len(e.sdp), len(code))
	}
}

// avFloor is the floor of a description, the bytes no code can avoid: the packed ICE
// credentials (each distinct pair once), each distinct fingerprint digest,
// each distinct UDP component-1 candidate address once (IPv4 4 B, IPv6 or
// mDNS name 16 B, another name its length) and 2 B for each distinct
// (address, port), 4 B for each distinct SSRC, and each distinct msid
// stream id, track id, cname and rid once (16 B for a UUID, braces or not;
// otherwise its characters at 6 bits, 4 bits when all hex). TCP candidates
// are outside the floor. It is longer than 80 lines: one case for each kind
// of line the floor counts, in the order of the list above.
func avFloor(t testing.TB, text string) int {
	p, err := parseSDP(text)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	creds := map[string]bool{}
	digests := map[string]bool{}
	addrs := map[addrKey]bool{}
	ports := map[string]bool{}
	ssrcs := map[uint64]bool{}
	ids := map[string]bool{}
	addID := func(s string) {
		if len(s) >= 3 && s[0] == '{' && s[len(s)-1] == '}' {
			s = s[1 : len(s)-1]
		}
		if s != "" && s != "*" {
			ids[s] = true
		}
	}
	var ufrag string
	for _, l := range p.all {
		if l.typ != 'a' {
			continue
		}
		name, v, _ := strings.Cut(l.value(), ":")
		f := fields(v, nil)
		switch name {
		case "ice-ufrag":
			ufrag = v
		case "ice-pwd":
			if !creds[ufrag+" "+v] {
				creds[ufrag+" "+v] = true
				hex := credsHex(ufrag, v)
				n += packedLen(len(ufrag), hex) + packedLen(len(v), hex)
			}
		case "fingerprint":
			if fp, ok := parseFingerprint(v); ok && !digests[string(fp.val)] {
				digests[string(fp.val)] = true
				n += len(fp.val)
			}
		case "candidate":
			c, keep, ok := parseCandidate(v)
			if !ok || !keep || c.transport != transUDP || c.component != 1 {
				continue
			}
			k := addrKey{c.kind, c.addr}
			if !addrs[k] {
				addrs[k] = true
				switch c.kind {
				case addrIPv4:
					n += 4
				case addrIPv6, addrMDNS:
					n += 16
				default:
					n += len(c.addr)
				}
			}
			if pk := c.addr + " " + strconv.Itoa(int(c.port)); !ports[pk] {
				ports[pk] = true
				n += 2
			}
		case "ssrc", "ssrc-group":
			start := 0
			if name == "ssrc-group" {
				start = 1
			}
			for i, x := range f {
				if i < start || name == "ssrc" && i > 0 {
					continue
				}
				if s, ok := parseDecimal(x, 1<<32-1); ok {
					ssrcs[s] = true
				}
			}
			if name == "ssrc" && len(f) >= 2 {
				for _, pre := range []string{"cname:", "msid:", "mslabel:", "label:"} {
					if strings.HasPrefix(f[1], pre) {
						addID(f[1][len(pre):])
						if pre == "msid:" && len(f) >= 3 {
							addID(f[2])
						}
					}
				}
			}
		case "msid":
			for _, x := range f {
				addID(x)
			}
		case "rid":
			if len(f) > 0 {
				addID(f[0])
			}
		}
	}
	n += 4 * len(ssrcs)
	for id := range ids {
		switch {
		case len(id) == 36 && isMDNSName(strings.ToLower(id)+".local"):
			n += 16
		case isLowerHex(strings.ToLower(id)):
			n += (4*len(id) + 7) / 8
		default:
			n += (6*len(id) + 7) / 8
		}
	}
	return n
}

// residualSize returns the size of the residual form of a description.
func residualSize(t testing.TB, d Description, offer []byte) int {
	m := &model{answer: d.Type == Answer, residual: true, text: strings.Join(splitLines(d.SDP), "\n")}
	if m.answer {
		m.bind = bindingOf(offer)
	}
	return len(m.appendBinary(nil, detflate.Compress(nil, []byte(m.text), detflate.SDPDictionary)))
}

// TestAVSizes reports the size of every A/V description of testdata/av
// against its floor (avFloor) and its residual form, batch by batch, and
// checks that none is larger than its residual form and that the Chromium
// audio+video+data offers take at most 250 bytes and QR version 10 at
// level L:
//
//	go test ./codec -run TestAVSizes -v | grep -v '^=== '
func TestAVSizes(t *testing.T) {
	entries := loadAV(t)
	codes, offers := avCodes(t, entries)
	type agg struct{ n, worst, worstAns int }
	sums := map[string]*agg{}
	var rows []string
	for _, e := range entries {
		code := codes[e.file]
		if code[0] != headAVOffer && code[0] != headAVAnswer {
			continue
		}
		typ, _ := ParseType(e.typ)
		fl := avFloor(t, e.sdp)
		res := residualSize(t, Description{Type: typ, SDP: e.sdp}, offers[e.file])
		over := len(code) - fl
		rows = append(rows, fmt.Sprintf("%-56s %4d B  floor %4d  +%-4d residual %4d", e.file, len(code), fl, over, res))
		if len(code) > res {
			t.Errorf("%s: %d bytes, more than its residual form (%d)", e.file, len(code), res)
		}
		a := sums[e.batch]
		if a == nil {
			a = &agg{}
			sums[e.batch] = a
		}
		a.n++
		if typ == Answer {
			a.worstAns = max(a.worstAns, over)
		} else {
			a.worst = max(a.worst, over)
		}
		if strings.Contains(e.notes, "the Chromium audio+video+data offer") {
			qr := FormatText(code, FormQR)
			v := qrsize.Version(qr, qrsize.L)
			t.Logf("%s: the Chromium audio+video+data offer: %d bytes, qr text %d characters, QR version %d-L", e.file, len(code), len(qr), v)
			if len(code) > 250 || v > 10 {
				t.Errorf("%s: %d bytes (want <= 250), QR %d-L (want <= 10)", e.file, len(code), v)
			}
		}
	}
	t.Logf("A/V descriptions:\n%s", strings.Join(rows, "\n"))
	for b, a := range sums {
		t.Logf("%s: %d A/V descriptions; most over the floor: offers +%d, answers +%d", b, a.n, a.worst, a.worstAns)
	}
}
