package peer

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// Record is what a Peer remembers about another peer (IDENTITY.md §5).
type Record struct {
	// ID is the peer's ID; PublicKey its Ed25519 key (ID = SHA-256 of it).
	ID        ID                `json:"-"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	// Fingerprint is the SHA-256 digest of the DTLS certificate the peer
	// presented last: a reconnect code omits it (IDENTITY.md §4).
	Fingerprint [32]byte `json:"fingerprint"`
	// SentFingerprint is the digest of our own certificate when we last
	// connected to this peer: while it is still ours, the peer remembers it
	// and our reconnect codes may omit it.
	SentFingerprint [32]byte `json:"sent_fingerprint"`
	// Addrs are the peer's direct addresses (host:port) where it listens
	// (IDENTITY.md §7), as it announced them last.
	Addrs []string `json:"addrs,omitempty"`
	// Paired is when the peer was first authenticated; LastSeen when last.
	Paired   time.Time `json:"paired"`
	LastSeen time.Time `json:"last_seen"`
	// Introducer is the peer that introduced this one, when it was first
	// met through an introduction; zero for a peer paired by code (the
	// user's choice). An introduced peer has no Addrs and is forgotten
	// IntroducedLifetime after LastSeen (IDENTITY.md §5).
	Introducer ID `json:"introducer,omitzero"`
}

// Store is the set of remembered peers, kept in a JSON file of mode 0600
// (or only in memory when its path is empty). It is safe for concurrent
// use.
type Store struct {
	path string
	mu   sync.Mutex
	recs map[ID]*Record
}

type storeFile struct {
	Version int                `json:"version"`
	Peers   map[string]*Record `json:"peers"`
}

// OpenStore reads the store in file path, or starts an empty one if the
// file does not exist (it is created on the first change). An empty path
// keeps the store in memory. A file readable by group or others is refused
// with ErrInsecureFile, one that is not a store with ErrBadStore.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, recs: map[ID]*Record{}}
	if path == "" {
		return s, nil
	}
	b, err := readPrivate(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if s.recs, err = parseStore(b); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadStore, path, err)
	}
	return s, nil
}

// parseStore reads the records of a store file. The file is the user's,
// but it is read as untrusted input all the same: every record must be an
// object whose key has the record's ID, and only the addresses a peer may
// announce are kept (cleanAddrs).
func parseStore(b []byte) (map[ID]*Record, error) {
	var f storeFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("version %d not supported", f.Version)
	}
	recs := make(map[ID]*Record, len(f.Peers))
	for k, r := range f.Peers {
		id, err := ParseID(k)
		if err != nil || r == nil || len(r.PublicKey) != ed25519.PublicKeySize || IDOf(r.PublicKey) != id {
			return nil, fmt.Errorf("bad record %.60q", k)
		}
		r.ID = id
		r.Addrs = cleanAddrs(r.Addrs)
		if r.Introducer != (ID{}) {
			r.Addrs = nil // never dialled (IDENTITY.md §5)
		}
		recs[id] = r
	}
	return recs, nil
}

// Get returns a copy of the record of id.
func (s *Store) Get(id ID) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[id]
	if !ok {
		return Record{}, false
	}
	c := *r
	c.Addrs = append([]string(nil), r.Addrs...)
	return c, true
}

// List returns copies of all records.
func (s *Store) List() []Record {
	s.mu.Lock()
	ids := make([]ID, 0, len(s.recs))
	for id := range s.recs {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	out := make([]Record, 0, len(ids))
	for _, id := range ids {
		if r, ok := s.Get(id); ok {
			out = append(out, r)
		}
	}
	return out
}

// update changes or creates the record of id and saves the file.
func (s *Store) update(id ID, f func(r *Record)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[id]
	if !ok {
		r = &Record{ID: id}
		s.recs[id] = r
	}
	f(r)
	return s.saveLocked()
}

// introducedBy counts the records of peers introduced by via.
func (s *Store) introducedBy(via ID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.recs {
		if r.Introducer == via {
			n++
		}
	}
	return n
}

// expire forgets the introduced peers not seen for IntroducedLifetime
// (except those in live, which have sessions) and saves the file if any
// was.
func (s *Store) expire(now time.Time, live map[ID]bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.recs)
	for id, r := range s.recs {
		if r.Introducer != (ID{}) && now.Sub(r.LastSeen) > IntroducedLifetime && !live[id] {
			delete(s.recs, id)
		}
	}
	if len(s.recs) == n {
		return nil
	}
	return s.saveLocked()
}

// Forget removes the record of id.
func (s *Store) Forget(id ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, id)
	return s.saveLocked()
}

func (s *Store) saveLocked() error {
	if s.path == "" {
		return nil
	}
	f := storeFile{Version: 1, Peers: map[string]*Record{}}
	for id, r := range s.recs {
		f.Peers[id.String()] = r
	}
	b, err := json.MarshalIndent(&f, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(s.path, append(b, '\n'), false)
}
