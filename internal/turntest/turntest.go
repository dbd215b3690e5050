// Package turntest runs a pion/turn server on loopback with one user: the
// relay of the tests that connect peers only through TURN (ref's
// TestTURNRelay and js/internal/turnrelay, the browser media restart
// test's relay).
package turntest

import (
	"net"

	"github.com/pion/turn/v5"
)

// Serve starts a TURN server on pc, a UDP socket on 127.0.0.1, that
// accepts user with the password pass in realm and allocates relayed
// addresses on 127.0.0.1. The caller closes the server.
func Serve(pc net.PacketConn, user, pass, realm string) (*turn.Server, error) {
	key := turn.GenerateAuthKey(user, realm, pass)
	return turn.NewServer(turn.ServerConfig{
		Realm: realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == user
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1",
			},
		}},
	})
}
