package codec

import (
	"os"
	"path/filepath"
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
