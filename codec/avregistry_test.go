package codec

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestAVRegistry regenerates codec/avprofiles.txt from its sources
// (AVFORM §6) and fails when the file differs. PEER_UPDATE_AVPROFILES=1
// rewrites it.
func TestAVRegistry(t *testing.T) {
	var sdps []string
	for _, f := range avRegistrySources {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		sdps = append(sdps, string(b))
	}
	profiles, err := buildProfiles(sdps)
	if err != nil {
		t.Fatal(err)
	}
	want := formatProfiles(profiles)
	if os.Getenv("PEER_UPDATE_AVPROFILES") == "1" {
		if err := os.WriteFile("avprofiles.txt", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if avProfilesFile != want {
		t.Fatalf("avprofiles.txt differs from the registry its sources make (PEER_UPDATE_AVPROFILES=1 rewrites it)")
	}
	if got := formatProfiles(parseProfiles(avProfilesFile)); got != avProfilesFile {
		t.Errorf("the registry file does not read back to itself")
	}
	if !equalLines(flatten(parseProfiles(want)), flatten(profiles)) {
		t.Errorf("escaping does not round-trip")
	}
	t.Logf("%d profiles, %d bytes of registry text, %d bytes of file", len(profiles), len(avRegistryText), len(avProfilesFile))
}

func flatten(p [][]string) []string {
	var out []string
	for _, l := range p {
		out = append(out, l...)
		out = append(out, "")
	}
	return out
}

// TestLineTable checks the registry's line table against its map: every
// registry line is found with its id, and lines it lacks (each registry
// line with a byte changed at its start, middle or end, longer or shorter
// by one byte) are not found unless the map has them.
func TestLineTable(t *testing.T) {
	reg := profileIndex()
	for l, id := range reg.ids {
		if got, ok := reg.table.lookup(l, lineHash(l)); !ok || got != id {
			t.Fatalf("lookup(%q) = %d %v, want %d", l, got, ok, id)
		}
		for _, v := range []string{"x" + l[1:], l[:len(l)/2] + "\x00" + l[len(l)/2+1:], l[:len(l)-1] + "#", l + " ", l[:len(l)-1]} {
			want, inMap := reg.ids[v]
			if got, ok := reg.table.lookup(v, lineHash(v)); ok != inMap || ok && got != want {
				t.Fatalf("lookup(%q) = %d %v, map: %d %v", v, got, ok, want, inMap)
			}
		}
	}
}

// TestMaybeGenLine checks that maybeGenLine's quick test passes every
// generated line newPartGen compares with: a direction of another length,
// or a numbered a=mid: line, would never be coded as GEN.
func TestMaybeGenLine(t *testing.T) {
	for _, l := range append(slices.Clone(genKindLines), genLine(genMid, genMids+5)) {
		if !maybeGenLine(l) {
			t.Errorf("maybeGenLine(%q) = false", l)
		}
	}
	for _, l := range []string{"a=rtpmap:111 opus/48000/2", "a=ssrc:1 cname:x", "a=sendrecvx", "a=mi:0xxxx"} {
		if maybeGenLine(l) {
			t.Errorf("maybeGenLine(%q) = true", l)
		}
	}
}
