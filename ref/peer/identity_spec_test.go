package peer

import (
	"errors"
	"github.com/peer-sdp/peer/internal/mdtable"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// identityTable returns the rows (cells trimmed) of the first Markdown table
// after the line that starts with heading, without its header row.
func identityTable(t *testing.T, doc, heading string) [][]string {
	t.Helper()
	rows, err := mdtable.After(doc, heading)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// specInt parses an integer as the documents write it (U+2212 for minus).
func specInt(s string) (int64, error) {
	return strconv.ParseInt(strings.ReplaceAll(s, "−", "-"), 10, 64)
}

// specRange parses "a–b" (en dash) or a single integer.
func specRange(s string) (lo, hi int64, err error) {
	a, b, ok := strings.Cut(s, "–")
	if lo, err = specInt(a); err != nil || !ok {
		return lo, lo, err
	}
	hi, err = specInt(b)
	return lo, hi, err
}

// TestIdentityRegistries keeps IDENTITY.md's registry tables (Appendix B,
// §8) and the Go constants in sync. It is longer than 80 lines: one block
// per registry table, in the order of Appendix B.
func TestIdentityRegistries(t *testing.T) {
	doc := readDoc(t, "IDENTITY.md")

	// B.1 Message types.
	types := map[string]int64{"hello": msgHello, "data": msgData, "relay": msgRelay, "refuse": msgRefuse, "invite": msgInvite,
		"restart": msgRestart}
	seen := map[string]bool{}
	var reservedLo, reservedHi int64 = -1, -1
	for _, r := range identityTable(t, doc, "### B.1 Message types") {
		lo, hi, err := specRange(r[0])
		if err != nil {
			t.Errorf("B.1 row %v: %v", r, err)
			continue
		}
		if r[1] == "reserved" {
			reservedLo, reservedHi = lo, hi
			continue
		}
		if v, ok := types[r[1]]; !ok || v != lo || lo != hi {
			t.Errorf("B.1 row %v does not match the Go constant %d", r, v)
		}
		seen[r[1]] = true
	}
	if len(seen) != len(types) {
		t.Errorf("B.1 lists %v, Go defines %v", seen, types)
	}
	// The reserved range follows the last assigned type and ends at 23
	// (the types of one byte), and §10 reserves the same range.
	var last int64
	for _, v := range types {
		last = max(last, v)
	}
	if reservedLo != last+1 || reservedHi != 23 {
		t.Errorf("B.1 reserves %d–%d, want %d–23", reservedLo, reservedHi, last+1)
	}
	if !strings.Contains(doc, "Message types "+strconv.FormatInt(reservedLo, 10)+"–23 are reserved") {
		t.Errorf("§10 does not reserve message types %d–23 as B.1 does", reservedLo)
	}

	// B.2 Code extension keys: −1 is extKnownPeer, and SPEC.md B.2
	// assigns it to IDENTITY.md.
	rows := identityTable(t, doc, "### B.2 Code extension keys")
	var idLo, idHi int64
	for _, r := range rows {
		lo, hi, err := specRange(r[0])
		if err != nil {
			t.Errorf("B.2 row %v: %v", r, err)
			continue
		}
		switch r[1] {
		case "known-peer":
			if lo != extKnownPeer || hi != lo {
				t.Errorf("B.2 known-peer is %s, Go extKnownPeer is %d", r[0], extKnownPeer)
			}
			if !strings.Contains(r[2], strconv.Itoa(hintLen)+" bytes") {
				t.Errorf("B.2 known-peer value %q does not say %d bytes (hintLen)", r[2], hintLen)
			}
		case "reserved":
			idLo, idHi = lo, hi
		default:
			t.Errorf("B.2 row %v: unknown key name", r)
		}
	}
	spec := readDoc(t, "SPEC.md")
	var specLo, specHi int64
	knownPeer := false
	for _, r := range identityTable(t, spec, "### B.2 Extension keys") {
		lo, hi, err := specRange(r[0])
		if err != nil {
			continue
		}
		if strings.HasPrefix(r[1], "known-peer") {
			knownPeer = lo == extKnownPeer && r[2] == "identity"
		}
		if strings.Contains(r[1], "identity and reconnection") {
			specLo, specHi = lo, hi
		}
	}
	if !knownPeer {
		t.Errorf("SPEC.md B.2 does not assign key %d (known-peer) to identity", extKnownPeer)
	}
	// SPEC.md B.2 reserves a range for identity and reconnection;
	// IDENTITY.md B.2 and §10 reserve the same one.
	if specLo == 0 || specLo != idLo || specHi != idHi {
		t.Errorf("identity ext-key reservation: SPEC.md %d–%d, IDENTITY.md B.2 %d–%d; make them agree", specLo, specHi, idLo, idHi)
	}
	if want := "keys " + strconv.FormatInt(idLo, 10) + "–" + strconv.FormatInt(idHi, 10) + " remain reserved for identity"; !strings.Contains(doc, want) {
		t.Errorf("IDENTITY.md §10 does not say %q (B.2)", want)
	}

	// B.3 Refuse reasons and §8's error classes.
	classes := map[string]error{"no-route": ErrNoRoute, "tampered": ErrTampered, "unknown-peer": ErrUnknownPeer,
		"too-many": ErrTooManyPeers, "refused": ErrRefused, "other": nil}
	reasons := map[string]uint64{"no-route": refuseNoRoute, "tampered": refuseTampered, "unknown-peer": refuseUnknown,
		"too-many": refuseLimit, "refused": refusePolicy, "other": refuseFailed}
	n := 0
	for _, r := range identityTable(t, doc, "### B.3 Refuse reasons") {
		// The receiver's class: refusalErr gives it, and only it.
		recv := strings.Trim(r[2], "`")
		probe := uint64(1 << 20) // an unassigned reason
		if v, err := strconv.ParseUint(r[0], 10, 64); err == nil {
			probe = v
		}
		if c := classesOf(refusalErr(probe)); len(c) != 1 || c[0] != recv {
			t.Errorf("B.3 row %v: refusalErr(%d) has classes %v, want %s only", r, probe, c, recv)
		}
		if r[0] == "any other" {
			continue
		}
		v, err := strconv.ParseUint(r[0], 10, 64)
		want, ok := reasons[r[1]]
		if err != nil || !ok || v != want {
			t.Errorf("B.3 row %v does not match the Go constant %d", r, want)
			continue
		}
		n++
		if c := classes[r[1]]; c != nil {
			if got := refusalCode(c); got != v {
				t.Errorf("refusalCode(%v) = %d, B.3 says %d", c, got, v)
			}
			if err := refusalErr(v); !errors.Is(err, c) {
				t.Errorf("refusalErr(%d) = %v, B.3 says %s", v, err, r[1])
			}
		}
	}
	if n != len(reasons) {
		t.Errorf("B.3 lists %d reasons, Go defines %d", n, len(reasons))
	}

	sentinels := map[string]error{"ErrAuth": ErrAuth, "ErrTampered": ErrTampered, "ErrNoRoute": ErrNoRoute,
		"ErrUnknownPeer": ErrUnknownPeer, "ErrTooManyPeers": ErrTooManyPeers, "ErrRefused": ErrRefused,
		"ErrExpired": ErrExpired, "ErrProtocol": ErrProtocol}
	row := regexp.MustCompile("^`([a-z-]+)` \\(`(Err[A-Za-z]+)`\\)$")
	var names []string
	for _, r := range identityTable(t, doc, "**Error classes**") {
		m := row.FindStringSubmatch(r[0])
		if m == nil {
			t.Errorf("§8 row %v: first cell is not `class` (`ErrX`)", r)
			continue
		}
		names = append(names, m[1])
		err, ok := sentinels[m[2]]
		if !ok {
			t.Errorf("§8 row %v names %s, which ref/peer does not define", r, m[2])
			continue
		}
		// The class name agrees with the vectors' names for the sentinel.
		for _, c := range identityClasses {
			if c.err == err && c.name != m[1] {
				t.Errorf("§8 calls %s %q, the vector test %q", m[2], m[1], c.name)
			}
		}
		if r[2] == "—" {
			continue
		}
		want, err2 := strconv.ParseUint(r[2], 10, 64)
		if err2 != nil {
			t.Errorf("§8 row %v: reason %q", r, r[2])
			continue
		}
		if got := refusalCode(err); got != want {
			t.Errorf("§8: refusalCode(%s) = %d, the table says %d", m[2], got, want)
		}
	}
	if len(names) != len(sentinels) {
		t.Errorf("§8 lists %d classes %v, ref/peer has %d sentinels", len(names), names, len(sentinels))
	}

	// Constants stated in the text.
	for _, s := range []string{
		"\"" + ctxHello + "\" ‖ 0x00 ‖ role",
		"\"" + ctxCode + "\" ‖ 0x00 ‖ kind",
		"the " + strconv.Itoa(len(ctxHello)) + " ASCII bytes",
		"hello = [" + strconv.Itoa(msgHello) + ", version: " + strconv.Itoa(Version) + ",",
		"exceeds " + strconv.Itoa(maxMessage>>10) + " KiB",
		"a `data` message of up to " + strconv.Itoa(maxDataMessage>>20) + " MiB",
		"`role` is one byte: " + strconv.Itoa(roleOfferer) + " when the **signer** is the offerer",
		"`kind` " + strconv.Itoa(kindOffer) + " is an offer, " + strconv.Itoa(kindAnswer) + " an answer",
		"within " + strconv.Itoa(int(SignedCodeLifetime/time.Minute)) + " minutes of its clock",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("IDENTITY.md does not say %q (the Go constants)", s)
		}
	}
}

// TestIdentityVectorFields: Appendix C documents every field of the
// vectors, and no other.
func TestIdentityVectorFields(t *testing.T) {
	doc := readDoc(t, "IDENTITY.md")
	documented := map[string]bool{}
	tick := regexp.MustCompile("`([a-z_]+)`")
	for _, r := range identityTable(t, doc, "## Appendix C. Test vectors") {
		for _, m := range tick.FindAllStringSubmatch(r[0], -1) {
			documented[m[1]] = true
		}
	}
	typ := reflect.TypeFor[identityVector]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !documented[name] {
			t.Errorf("Appendix C does not document the field %s", name)
		}
		delete(documented, name)
	}
	for name := range documented {
		t.Errorf("Appendix C documents %s, which no vector has", name)
	}
}
