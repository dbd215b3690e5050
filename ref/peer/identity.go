package peer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
)

// Certificate lifetimes (IDENTITY.md §3). A Go peer keeps one DTLS
// certificate for CertificateValidity and renews it when less than
// CertificateRenewBefore remains, so that remembered fingerprints stay
// valid across restarts.
const (
	CertificateValidity    = 365 * 24 * time.Hour
	CertificateRenewBefore = 30 * 24 * time.Hour
)

// ID is a peer ID: the SHA-256 digest of the peer's 32-byte Ed25519 public
// key (IDENTITY.md §2). Its text form (String) is the digest in lower-case
// base32 without padding, 52 characters; its short form (Short) is the first
// 16 of them in upper case, in 4 groups of 4, for people to compare.
type ID [32]byte

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// IDOf returns the ID of an Ed25519 public key.
func IDOf(pub ed25519.PublicKey) ID { return sha256.Sum256(pub) }

// String returns the full text form of the ID.
func (id ID) String() string { return strings.ToLower(b32.EncodeToString(id[:])) }

// Short returns the short form, such as "K3QX-7HPA-2MZD-Q4TW".
func (id ID) Short() string {
	s := strings.ToUpper(b32.EncodeToString(id[:]))[:16]
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// Less reports whether id sorts before o (bytewise): the lower ID is the
// offerer when both sides reconnect at once (IDENTITY.md §8).
func (id ID) Less(o ID) bool { return bytes.Compare(id[:], o[:]) < 0 }

// ParseID parses the full text form of an ID (either case).
func ParseID(s string) (ID, error) {
	var id ID
	b, err := b32.DecodeString(strings.ToUpper(s))
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("peer: %q is not a peer ID", s)
	}
	copy(id[:], b)
	return id, nil
}

// Identity is a peer's long-term Ed25519 key pair and its DTLS certificate.
type Identity struct {
	key  ed25519.PrivateKey
	id   ID
	cert *webrtc.Certificate
	fp   [32]byte
}

// ID returns the peer ID.
func (i *Identity) ID() ID { return i.id }

// PublicKey returns the Ed25519 public key.
func (i *Identity) PublicKey() ed25519.PublicKey {
	return i.key.Public().(ed25519.PublicKey)
}

// Certificate returns the DTLS certificate.
func (i *Identity) Certificate() *webrtc.Certificate { return i.cert }

// Fingerprint returns the SHA-256 digest of the DTLS certificate (DER).
func (i *Identity) Fingerprint() [32]byte { return i.fp }

// sign signs msg with the identity key. It signs any bytes, so it is
// called only on this package's signing inputs, each of which begins with
// its context string (helloInput, codeInput).
func (i *Identity) sign(msg []byte) []byte { return ed25519.Sign(i.key, msg) }

// NewIdentity returns a fresh identity that lives only in memory.
func NewIdentity() (*Identity, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	i := &Identity{key: key, id: IDOf(key.Public().(ed25519.PublicKey))}
	cert, err := newCertificate()
	if err != nil {
		return nil, err
	}
	if err := i.setCert(cert); err != nil {
		return nil, err
	}
	return i, nil
}

func (i *Identity) setCert(c *webrtc.Certificate) error {
	fps, err := c.GetFingerprints()
	if err != nil {
		return err
	}
	for _, fp := range fps {
		if fp.Algorithm == "sha-256" {
			if d, ok := parseHexFingerprint(fp.Value); ok {
				i.cert, i.fp = c, d
				return nil
			}
		}
	}
	return errors.New("peer: certificate without a sha-256 fingerprint")
}

// parseHexFingerprint parses "AB:CD:..." (RFC 8122) into a SHA-256 digest.
func parseHexFingerprint(s string) (d [32]byte, ok bool) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil || len(b) != 32 {
		return d, false
	}
	copy(d[:], b)
	return d, true
}

// LoadIdentity reads the identity in file path (a PKCS #8 PEM Ed25519
// key), creating it with mode 0600 when it does not exist. The DTLS
// certificate lives in path+".cert" (PEM, mode 0600); it is created, or
// renewed when it expires within CertificateRenewBefore. It returns an
// error wrapping ErrInsecureFile when group or others may read either
// file.
func LoadIdentity(path string) (*Identity, error) {
	b, err := readPrivate(path)
	var key ed25519.PrivateKey
	switch {
	case errors.Is(err, fs.ErrNotExist):
		_, key, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := writePrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), true); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("peer: %s: not a PEM private key", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("peer: %s: %w", path, err)
		}
		var ok bool
		if key, ok = k.(ed25519.PrivateKey); !ok {
			return nil, fmt.Errorf("peer: %s: not an Ed25519 key", path)
		}
	}
	i := &Identity{key: key, id: IDOf(key.Public().(ed25519.PublicKey))}
	certPath := path + ".cert"
	var cert *webrtc.Certificate
	if b, err := readPrivate(certPath); err == nil {
		cert, err = webrtc.CertificateFromPEM(string(b))
		if err != nil {
			return nil, fmt.Errorf("peer: %s: %w", certPath, err)
		}
		if time.Until(cert.Expires()) < CertificateRenewBefore {
			cert = nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if cert == nil {
		if cert, err = newCertificate(); err != nil {
			return nil, err
		}
		s, err := cert.PEM()
		if err != nil {
			return nil, err
		}
		if err := writePrivate(certPath, []byte(s), false); err != nil {
			return nil, err
		}
	}
	if err := i.setCert(cert); err != nil {
		return nil, err
	}
	return i, nil
}

// newCertificate makes a DTLS certificate valid for CertificateValidity.
func newCertificate() (*webrtc.Certificate, error) { return newCertificateValid(CertificateValidity) }

func newCertificateValid(validity time.Duration) (*webrtc.Certificate, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return webrtc.NewCertificate(k, x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "WebRTC"},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(validity),
	})
}

// readPrivate reads a file that must not be readable by group or others.
func readPrivate(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s (mode %v; chmod 600 it)", ErrInsecureFile, path, st.Mode().Perm())
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), err
}

// writePrivate writes a 0600 file atomically (through a temporary file in
// the same directory). With exclusive, an existing file is an error.
func writePrivate(path string, data []byte, exclusive bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if exclusive {
		if err := os.Link(tmp, path); err != nil {
			return fmt.Errorf("peer: %w", err)
		}
		return nil
	}
	return os.Rename(tmp, path)
}
