package peer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// storeJSON is a store file holding one record for the ID of key, whose
// fields are the JSON text rec (or rec itself when key is nil).
func storeJSON(key []byte, rec string) string {
	id := ID{}
	if key != nil {
		id = IDOf(key)
	}
	return fmt.Sprintf(`{"version": 1, "peers": {%q: %s}}`, id.String(), rec)
}

// TestStoreHostileFile: a store file that is not what OpenStore writes,
// down to a null record (which made the loader dereference nil), is
// refused with ErrBadStore, never a panic; a record holding more or worse
// addresses than a peer may announce keeps only the valid ones, at most
// maxAddrs.
func TestStoreHostileFile(t *testing.T) {
	key := make([]byte, 32)
	key[0] = 7
	k64 := base64.StdEncoding.EncodeToString(key)
	bad := []struct{ name, text string }{
		{"null record", storeJSON(key, "null")},
		{"null file", "null"},
		{"not JSON", "{"},
		{"version 2", `{"version": 2, "peers": {}}`},
		{"record not an object", storeJSON(key, "[1]")},
		{"null key", storeJSON(key, `{"public_key": null}`)},
		{"short key", storeJSON(key, `{"public_key": "AAAA"}`)},
		{"key of another ID", storeJSON(make([]byte, 32), fmt.Sprintf(`{"public_key": %q}`, k64))},
		{"bad ID", `{"version": 1, "peers": {"x": {}}}`},
		{"bad time", storeJSON(key, fmt.Sprintf(`{"public_key": %q, "last_seen": "yesterday"}`, k64))},
		{"deep nesting", `{"version": 1, "peers": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store")
			if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := OpenStore(path)
			if !errors.Is(err, ErrBadStore) {
				t.Fatalf("OpenStore = %v, %v; want ErrBadStore", st, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
		})
	}
	addrs := `["127.0.0.1:1", null, "", "host.example:80", "10.0.0.1:0", "[::1]:2", "224.0.0.1:5", "0.0.0.0:9", "127.0.0.1:3", "127.0.0.1:4", "127.0.0.1:5", "127.0.0.1:6"]`
	path := filepath.Join(t.TempDir(), "store")
	if err := os.WriteFile(path, []byte(storeJSON(key, fmt.Sprintf(`{"public_key": %q, "addrs": %s}`, k64, addrs))), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := st.Get(IDOf(key))
	want := []string{"127.0.0.1:1", "[::1]:2", "127.0.0.1:3", "127.0.0.1:4"}
	if !ok || fmt.Sprint(r.Addrs) != fmt.Sprint(want) {
		t.Fatalf("addresses %q, want %q", r.Addrs, want)
	}
}

// FuzzStoreFile: the store loader on any bytes never panics; what it
// accepts holds only records whose key has their ID and addresses that
// cleanAddrs keeps, and saving it reads back the same records.
func FuzzStoreFile(f *testing.F) {
	key := make([]byte, 32)
	k64 := base64.StdEncoding.EncodeToString(key)
	for _, s := range []string{
		storeJSON(key, "null"),
		storeJSON(key, fmt.Sprintf(`{"public_key": %q, "addrs": ["127.0.0.1:1", "[::1]:2", null], "fingerprint": [1, 2]}`, k64)),
		storeJSON(key, fmt.Sprintf(`{"public_key": %q, "paired": "2026-01-02T03:04:05Z", "last_seen": "2026-01-02T03:04:05Z"}`, k64)),
		storeJSON(key, fmt.Sprintf(`{"public_key": %q, "addrs": ["127.0.0.1:1"], "introducer": [%s]}`, k64, strings.Repeat("1, ", 31)+"1")),
		`{"version": 1, "peers": null}`,
		`{"version": 1, "peers": {}, "peers": {"a": 1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := parseStore(b)
		if err != nil {
			return
		}
		for id, r := range recs {
			if r == nil || r.ID != id || IDOf(r.PublicKey) != id {
				t.Fatalf("accepted record %s: %+v", id, r)
			}
			if c := cleanAddrs(r.Addrs); fmt.Sprint(c) != fmt.Sprint(r.Addrs) {
				t.Fatalf("accepted addresses %q, clean %q", r.Addrs, c)
			}
			if r.Introducer != (ID{}) && len(r.Addrs) > 0 {
				t.Fatalf("an introduced peer with addresses %q", r.Addrs)
			}
		}
		path := filepath.Join(t.TempDir(), "store")
		s := &Store{path: path, recs: recs}
		if err := s.saveLocked(); err != nil {
			t.Fatal(err)
		}
		back, err := OpenStore(path)
		if err != nil {
			t.Fatalf("a saved store does not load: %v", err)
		}
		for id, r := range recs {
			g, ok := back.Get(id)
			if !ok || fmt.Sprint(g) != fmt.Sprint(*r) {
				t.Fatalf("record %s reads back as %+v, want %+v", id, g, *r)
			}
		}
	})
}

// TestStoreWriteFailureReported: when the store file cannot be written (a
// full disk; here a directory stands where the file goes, which stops
// root too), the paired peer is still remembered in memory and the
// failure reaches the application on the session's event, attributed to
// the peer, instead of being dropped.
func TestStoreWriteFailureReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.store")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	a, b := newTestPeer(t, &Config{Store: st}), newTestPeer(t, nil)
	pairPeers(t, a, b)
	e := waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	var pe *Error
	if e.Err == nil || !errors.As(e.Err, &pe) || pe.ID != b.ID() {
		t.Fatalf("Joined with error %v, want the store's write failure attributed to %s", e.Err, b.ID().Short())
	}
	t.Logf("reported: %v", e.Err)
	if _, ok := a.Store().Get(b.ID()); !ok {
		t.Fatal("the peer is not remembered in memory")
	}
	exchange(t, a, b, "the session goes on")
}
