package codec

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unsafe"
)

// Rebuilding an SDP from the model (SPEC.md §3.5).

// typePref is the type preference of RFC 8445 §5.1.2.2 the decoder uses to
// regenerate candidate priorities, by type and by transport (UDP, TCP).
var typePref = [4][2]uint32{
	candHost:  {126, 90},
	candSrflx: {100, 64},
	candPrflx: {110, 74},
	candRelay: {2, 0},
}

// priority regenerates the priority of the i-th candidate (SPEC.md §3.5).
func priority(c candidate, i int) uint32 {
	t := 0
	if c.transport != transUDP {
		t = 1
	}
	local := uint32(65535 - min(i, 65535))
	return typePref[c.typ][t]<<24 | local<<8 | uint32(256-int(c.component))
}

// candidateLine formats the i-th candidate as an a=candidate value.
func candidateLine(b *strings.Builder, c candidate, i int) {
	b.WriteString("a=candidate:")
	b.WriteString(strconv.Itoa(i + 1))
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(int(c.component)))
	if c.transport == transUDP {
		b.WriteString(" udp ")
	} else {
		b.WriteString(" tcp ")
	}
	writeUint(b, uint64(priority(c, i)))
	b.WriteByte(' ')
	b.WriteString(c.addr)
	b.WriteByte(' ')
	writeUint(b, uint64(c.port))
	b.WriteString(" typ ")
	b.WriteString(candTypeNames[c.typ])
	if c.typ != candHost {
		if c.kind == addrIPv6 {
			b.WriteString(" raddr :: rport 0")
		} else {
			b.WriteString(" raddr 0.0.0.0 rport 0")
		}
	}
	switch c.transport {
	case transTCPActive:
		b.WriteString(" tcptype active")
	case transTCPPassive:
		b.WriteString(" tcptype passive")
	case transTCPSO:
		b.WriteString(" tcptype so")
	}
	b.WriteString("\r\n")
}

// writeUint writes v in decimal, without the string strconv.FormatUint
// allocates.
func writeUint(b *strings.Builder, v uint64) {
	var buf [20]byte
	b.Write(strconv.AppendUint(buf[:0], v, 10))
}

// fingerprintHex formats a digest as upper-case hex pairs joined by colons.
func fingerprintHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var s strings.Builder
	s.Grow(len(b) * 3)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			s.WriteByte(':')
		}
		s.WriteString(h[i : i+2])
	}
	return s.String()
}

// compactSDP rebuilds the description of a compact model (SPEC.md §3.5).
func (m *model) compactSDP() string {
	var b strings.Builder
	b.Grow(400 + 100*len(m.cands))
	b.WriteString("v=0\r\no=- ")
	b.WriteString(strconv.FormatUint(m.sessionID(), 10))
	b.WriteString(" 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
	if m.midSet {
		b.WriteString("a=group:BUNDLE ")
		b.WriteString(m.mid)
		b.WriteString("\r\n")
	}
	if m.iceLite {
		b.WriteString("a=ice-lite\r\n")
	}
	for _, l := range m.extraSess {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	if m.legacy {
		b.WriteString("m=application 9 DTLS/SCTP ")
		b.WriteString(strconv.FormatUint(m.sctpPort, 10))
	} else {
		b.WriteString("m=application 9 UDP/DTLS/SCTP webrtc-datachannel")
	}
	b.WriteString("\r\nc=IN IP4 0.0.0.0\r\n")
	for i, c := range m.cands {
		candidateLine(&b, c, i)
	}
	b.WriteString("a=end-of-candidates\r\na=ice-ufrag:")
	b.WriteString(m.ufrag)
	b.WriteString("\r\na=ice-pwd:")
	b.WriteString(m.pwd)
	b.WriteString("\r\n")
	for _, fp := range m.fps {
		b.WriteString("a=fingerprint:")
		b.WriteString(fp.alg)
		b.WriteByte(' ')
		b.WriteString(fingerprintHex(fp.val))
		b.WriteString("\r\n")
	}
	b.WriteString("a=setup:")
	b.WriteString(setupNames[m.setup])
	b.WriteString("\r\n")
	if m.midSet {
		b.WriteString("a=mid:")
		b.WriteString(m.mid)
		b.WriteString("\r\n")
	}
	if m.legacy {
		b.WriteString("a=sctpmap:")
		b.WriteString(strconv.FormatUint(m.sctpPort, 10))
		b.WriteString(" webrtc-datachannel ")
		b.WriteString(strconv.FormatUint(m.streams, 10))
		b.WriteString("\r\n")
	} else if m.sctpSet {
		b.WriteString("a=sctp-port:")
		b.WriteString(strconv.FormatUint(m.sctpPort, 10))
		b.WriteString("\r\n")
	}
	if m.mmsSet {
		b.WriteString("a=max-message-size:")
		b.WriteString(strconv.FormatUint(m.mms, 10))
		b.WriteString("\r\n")
	}
	for _, l := range m.extraMedia {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return b.String()
}

// residualSDP returns the lines of a residual text (size bytes long in
// normal form) with CRLF line endings.
func residualSDP(lines []sdpLine, size int) string {
	out := make([]byte, 0, size+len(lines)+1)
	for _, l := range lines {
		out = append(out, l.typ, '=')
		out = append(out, l.value()...)
		out = append(out, '\r', '\n')
	}
	return unsafe.String(unsafe.SliceData(out), len(out)) // out is not used again
}
