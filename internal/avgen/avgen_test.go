package main

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec"
	"github.com/pion/sdp/v3"
)

var avDir = filepath.Join("..", "..", "testdata", "av")

// loadAV reads testdata/av/INDEX.tsv and each description it lists.
func loadAV(t *testing.T) (rows []row, sdps map[string]string) {
	t.Helper()
	rows, err := readIndex(filepath.Join(avDir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("testdata/av/INDEX.tsv lists no description")
	}
	sdps = map[string]string{}
	for _, r := range rows {
		b, err := os.ReadFile(filepath.Join(avDir, filepath.FromSlash(r[colFile])))
		if err != nil {
			t.Fatal(err)
		}
		sdps[r[colFile]] = string(b)
	}
	return rows, sdps
}

// sdpFiles lists the .sdp files under testdata/av, as INDEX.tsv names them.
func sdpFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(avDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sdp") {
			return err
		}
		rel, err := filepath.Rel(avDir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestIndexListsExactlyTheFiles: INDEX.tsv names every .sdp file under
// testdata/av once, and nothing else.
func TestIndexListsExactlyTheFiles(t *testing.T) {
	rows, _ := loadAV(t)
	listed := map[string]bool{}
	for _, r := range rows {
		if listed[r[colFile]] {
			t.Errorf("%s listed twice", r[colFile])
		}
		listed[r[colFile]] = true
		if dir, _, _ := strings.Cut(r[colFile], "/"); dir != r[colBatch] {
			t.Errorf("%s: batch column %q is not its directory", r[colFile], r[colBatch])
		}
	}
	for _, f := range sdpFiles(t) {
		if !listed[f] {
			t.Errorf("%s is not in INDEX.tsv", f)
		}
		delete(listed, f)
	}
	for f := range listed {
		t.Errorf("INDEX.tsv lists %s, which does not exist", f)
	}
}

// TestDescriptionsAreValid: every description parses (pion/sdp), carries
// only documentation addresses, and round-trips through the codec: an
// offer alone, an answer bound to the code of the offer it answers
// (SPEC.md §6), the decoded description equivalent to the original (§3.6).
func TestDescriptionsAreValid(t *testing.T) {
	rows, sdps := loadAV(t)
	byFile := map[string]row{}
	for _, r := range rows {
		byFile[r[colFile]] = r
	}
	// Offers first: an answer is encoded against its offer's code.
	slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(b[colType], a[colType]) })
	codes := map[string][]byte{}
	for _, r := range rows {
		file, text := r[colFile], sdps[r[colFile]]
		var parsed sdp.SessionDescription
		if err := parsed.UnmarshalString(text); err != nil {
			t.Errorf("%s: pion/sdp: %v", file, err)
		}
		if err := checkAddresses(text); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		typ, err := codec.ParseType(r[colType])
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		p, ok := byFile[r[colPair]]
		if !ok || p[colPair] != file || p[colType] == r[colType] {
			t.Errorf("%s: pair %q is not its counterpart", file, r[colPair])
			continue
		}
		var offer []byte
		if typ == codec.Answer {
			if offer = codes[r[colPair]]; offer == nil {
				t.Errorf("%s: its offer %s has no code", file, r[colPair])
				continue
			}
		}
		orig := codec.Description{Type: typ, SDP: text}
		code, err := codec.Encode(orig, offer, nil)
		if err != nil {
			t.Errorf("%s: Encode: %v", file, err)
			continue
		}
		dec, err := codec.Decode(code, &codec.DecOptions{Offer: offer})
		if err != nil {
			t.Errorf("%s: Decode: %v", file, err)
			continue
		}
		if err := codec.Equivalent(orig, dec, nil); err != nil {
			t.Errorf("%s: decoded description differs: %v", file, err)
		}
		if typ == codec.Offer {
			codes[file] = code
		}
	}
}

// TestBatchesCoverEveryScenario: in each batch, every stack made an offer
// and an answer of every scenario of the batch's set (habits or renego when
// it holds one of those, else base), the key Chromium offers are what their note
// says, and each batch holds 40 to 100 descriptions; a batch of another
// Chromium than Debian's (-with chromium) has Chromium's offer and answer of
// every scenario, and 30 to 100 descriptions.
func TestBatchesCoverEveryScenario(t *testing.T) {
	rows, sdps := loadAV(t)
	have := map[string]bool{} // batch/stack/scenario/type
	count := map[string]int{}
	set := map[string][]string{}
	only := map[string][]string{} // batch -> its stacks, when not all three
	for _, r := range rows {
		have[path.Join(r[colBatch], r[colStack], r[colScenario], r[colType])] = true
		count[r[colBatch]]++
		if r[colStack] == "chromium" && !strings.Contains(r[colVersion], "(Debian,") {
			only[r[colBatch]] = []string{"chromium"}
		}
		if set[r[colBatch]] == nil {
			set[r[colBatch]] = scenarios
		}
		if slices.Contains(habits, r[colScenario]) {
			set[r[colBatch]] = habits
		}
		if slices.Contains(renego, r[colScenario]) {
			set[r[colBatch]] = renego
		}
		if strings.Contains(r[colNotes], keyOfferNote) {
			if err := isKeyOffer(r, sdps[r[colFile]]); err != nil {
				t.Errorf("%s: %v", r[colFile], err)
			}
		}
	}
	for batch, n := range count {
		least, want := 40, stacks
		if only[batch] != nil {
			least, want = 30, only[batch]
		}
		if n < least || n > 100 {
			t.Errorf("%s holds %d descriptions", batch, n)
		}
		for _, stack := range want {
			for _, sc := range set[batch] {
				for _, typ := range []string{"offer", "answer"} {
					if !have[path.Join(batch, stack, sc, typ)] {
						t.Errorf("%s: no %s %s %s", batch, stack, sc, typ)
					}
				}
			}
		}
	}
}

var ipv4Host = regexp.MustCompile(`(?m)^a=candidate:\S+ 1 udp \d+ \d+\.\d+\.\d+\.\d+ \d+ typ host`)

// isKeyOffer checks a Chromium audio+video+data offer: audio, video and
// data sections, complete gathering with plain IPv4 and IPv6 UDP host
// candidates and no mDNS name.
func isKeyOffer(r row, text string) error {
	f := features(text)
	switch {
	case r[colStack] != "chromium" || r[colType] != "offer" || r[colScenario] != "avdata":
		return errors.New("not a Chromium audio+video+data offer")
	case !strings.Contains(text, "\nm=audio ") || !strings.Contains(text, "\nm=video ") || !strings.Contains(text, "\nm=application "):
		return errors.New("lacks an audio, video or data section")
	case slices.Contains(f, "mdns") || !slices.Contains(f, "ipv6"):
		return errors.New("host candidates are not plain IPv4 and IPv6 addresses")
	case !ipv4Host.MatchString(text):
		return errors.New("no IPv4 UDP host candidate")
	}
	return nil
}

// TestCheckAddresses: a machine's own address is caught wherever a
// description carries one.
func TestCheckAddresses(t *testing.T) {
	good := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=candidate:1 1 udp 2122194687 192.0.2.7 5000 typ host\r\n" +
		"a=candidate:2 1 udp 2122262783 2001:db8:1:2:3:4:5:6 5001 typ host\r\n" +
		"a=candidate:3 1 udp 1 198.51.100.9 5002 typ srflx raddr 0.0.0.0 rport 0\r\n"
	if err := checkAddresses(good); err != nil {
		t.Fatalf("documentation addresses rejected: %v", err)
	}
	for _, bad := range []string{
		"a=candidate:1 1 udp 2122194687 10.1.2.3 5000 typ host\r\n",
		"a=candidate:1 1 udp 2122262783 fd00::2 5000 typ host\r\n",
		"a=candidate:1 1 udp 1 198.51.100.9 5000 typ srflx raddr 172.16.0.4 rport 5000\r\n",
		"c=IN IP4 203.0.112.1\r\n",
		"o=- 1 2 IN IP6 2a00:1450::1\r\n",
		"a=rtcp:9 IN IP4 192.168.1.2\r\n",
	} {
		if err := checkAddresses(good + bad); !errors.Is(err, ErrCheck) {
			t.Errorf("%q: got %v, want ErrCheck", bad, err)
		}
	}
}

// TestPlanCoversEveryScenario: the plan of each set makes every stack
// offer and answer every scenario of the set, and names every file once.
func TestPlanCoversEveryScenario(t *testing.T) {
	for name, set := range scenarioSets {
		ps, err := planFor(name)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		have := map[string]bool{}
		for _, p := range ps {
			for _, n := range []string{p.offerFile(), p.answerFile()} {
				if names[n] {
					t.Errorf("%s: file %s made twice", name, n)
				}
				names[n] = true
			}
			have[stackOf(p.offerer)+"/"+p.scenario+"/offer"] = true
			have[stackOf(p.answerer)+"/"+p.scenario+"/answer"] = true
		}
		for _, s := range stacks {
			for _, sc := range set {
				for _, typ := range []string{"offer", "answer"} {
					if !have[s+"/"+sc+"/"+typ] {
						t.Errorf("%s: the plan makes no %s %s %s", name, s, sc, typ)
					}
				}
			}
		}
	}
	if _, err := planFor("nosuchset"); err == nil {
		t.Error("an unknown set was planned")
	}
}
