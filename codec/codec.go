package codec

import (
	"bytes"
	"crypto/subtle"
	"strings"
	"sync"

	"github.com/peer-sdp/peer/codec/internal/detflate"
)

// Type is the type of a session description (RFC 8829 §4.1.8): offer or
// answer.
type Type uint8

const (
	// Offer is an SDP offer.
	Offer Type = iota + 1
	// Answer is an SDP answer.
	Answer
)

// String returns "offer" or "answer".
func (t Type) String() string {
	switch t {
	case Offer:
		return "offer"
	case Answer:
		return "answer"
	}
	return "invalid"
}

// ParseType returns the type named s ("offer" or "answer").
func ParseType(s string) (Type, error) {
	switch s {
	case "offer":
		return Offer, nil
	case "answer":
		return Answer, nil
	}
	return 0, errf(ErrInvalidSDP, -1, "type", "type %q is neither offer nor answer", clip(s))
}

// Description is a session description: its type and its SDP text. Decoded
// descriptions use CRLF line endings.
type Description struct {
	Type Type
	SDP  string
}

// Limits (SPEC.md §8): defaults and ranges.
const (
	DefaultMaxSDPBytes   = 64 << 10 // limit on SDP text, in and out
	DefaultMaxCodeBytes  = 32 << 10 // limit on a binary code
	DefaultMaxCandidates = 64       // limit on candidates in a code
	DefaultMaxTextBytes  = 2*DefaultMaxCodeBytes + 4096
	MinMaxSDPBytes       = 1 << 10
	MaxMaxSDPBytes       = 16 << 20
	MinMaxCodeBytes      = 64
	MaxMaxCodeBytes      = 16 << 20
	MaxMaxCandidates     = 1024
)

// EncOptions configures an Encoder. The zero value is the default.
type EncOptions struct {
	// Policy selects the candidates kept (SPEC.md §3.4).
	Policy CandidatePolicy
	// MaxSDPBytes limits the SDP text accepted; 0 means
	// DefaultMaxSDPBytes; range MinMaxSDPBytes..MaxMaxSDPBytes.
	MaxSDPBytes int
	// MaxCandidates is the most candidates a code may carry after the policy
	// (more is an ErrLimit error, so that default decoders accept every code
	// the default encoder makes); 0 means DefaultMaxCandidates; range
	// 1..MaxMaxCandidates.
	MaxCandidates int
	// MaxCodeBytes is the longest code the encoder makes: a longer one is
	// an ErrLimit error, as is a code that decodes to a description longer
	// than MaxSDPBytes (SPEC.md §8). 0 means DefaultMaxCodeBytes; range
	// MinMaxCodeBytes..MaxMaxCodeBytes.
	MaxCodeBytes int
}

// Encoder encodes descriptions; build one with EncOptions.Encoder. It is
// immutable and safe for concurrent use.
type Encoder struct {
	pol      CandidatePolicy
	maxSDP   int
	maxCands int
	maxCode  int
}

func checkRange(v *int, def, lo, hi int, name string) error {
	if *v == 0 {
		*v = def
	}
	if *v < lo || *v > hi {
		return errf(ErrLimit, -1, "options", "%s %d is outside %d..%d", name, *v, lo, hi)
	}
	return nil
}

// Encoder validates the options and returns an Encoder.
func (o EncOptions) Encoder() (*Encoder, error) {
	e := &Encoder{pol: o.Policy, maxSDP: o.MaxSDPBytes, maxCands: o.MaxCandidates, maxCode: o.MaxCodeBytes}
	if err := e.pol.validate(); err != nil {
		return nil, err
	}
	if err := checkRange(&e.maxSDP, DefaultMaxSDPBytes, MinMaxSDPBytes, MaxMaxSDPBytes, "MaxSDPBytes"); err != nil {
		return nil, err
	}
	if err := checkRange(&e.maxCands, DefaultMaxCandidates, 1, MaxMaxCandidates, "MaxCandidates"); err != nil {
		return nil, err
	}
	if err := checkRange(&e.maxCode, DefaultMaxCodeBytes, MinMaxCodeBytes, MaxMaxCodeBytes, "MaxCodeBytes"); err != nil {
		return nil, err
	}
	return e, nil
}

// DecOptions configures a Decoder. The zero value is the default.
type DecOptions struct {
	// Offer, when set, is the binary code of the offer an answer must be
	// bound to; an answer bound to another offer fails with ErrBinding.
	// Offers decode as usual. An answer in the audio/video form is coded
	// against its offer and needs it: without it, ErrNeedsOffer.
	Offer []byte
	// MaxCodeBytes limits the binary code; 0 means DefaultMaxCodeBytes;
	// range MinMaxCodeBytes..MaxMaxCodeBytes.
	MaxCodeBytes int
	// MaxSDPBytes limits the decompressed residual and the SDP produced; 0
	// means DefaultMaxSDPBytes; range MinMaxSDPBytes..MaxMaxSDPBytes.
	MaxSDPBytes int
	// MaxCandidates limits the candidates of a code; 0 means
	// DefaultMaxCandidates; range 1..MaxMaxCandidates.
	MaxCandidates int
}

// Decoder decodes codes; build one with DecOptions.Decoder. It is immutable
// and safe for concurrent use.
type Decoder struct {
	offer     []byte
	offerMemo *offerMemo // the offer's model, decoded once (A/V answers)
	maxCode   int
	maxSDP    int
	maxCands  int
}

// offerMemo holds the decoded model of a Decoder's offer.
type offerMemo struct {
	once sync.Once
	m    *model
	err  error
}

// Decoder validates the options and returns a Decoder.
func (o DecOptions) Decoder() (*Decoder, error) {
	d := &Decoder{offer: bytes.Clone(o.Offer), maxCode: o.MaxCodeBytes, maxSDP: o.MaxSDPBytes, maxCands: o.MaxCandidates}
	if len(o.Offer) > 0 {
		d.offerMemo = &offerMemo{}
	}
	if err := checkRange(&d.maxCode, DefaultMaxCodeBytes, MinMaxCodeBytes, MaxMaxCodeBytes, "MaxCodeBytes"); err != nil {
		return nil, err
	}
	if err := checkRange(&d.maxSDP, DefaultMaxSDPBytes, MinMaxSDPBytes, MaxMaxSDPBytes, "MaxSDPBytes"); err != nil {
		return nil, err
	}
	if err := checkRange(&d.maxCands, DefaultMaxCandidates, 1, MaxMaxCandidates, "MaxCandidates"); err != nil {
		return nil, err
	}
	return d, nil
}

var defaultDecoder, _ = DecOptions{}.Decoder()
var defaultEncoder, _ = EncOptions{}.Encoder()

// Encode returns the binary code of d with the options opts (nil for the
// defaults). When d is an answer, offer must be the binary code of the offer
// it answers: the code is bound to it (SPEC.md §6).
//
// Errors: ErrInvalidSDP when d.SDP is not a valid description or d.Type is
// invalid; ErrLimit when it is over a limit; ErrBinding when an answer has
// no valid offer code.
func Encode(d Description, offer []byte, opts *EncOptions) ([]byte, error) {
	e := defaultEncoder
	if opts != nil {
		var err error
		if e, err = opts.Encoder(); err != nil {
			return nil, err
		}
	}
	return e.Encode(d, offer)
}

// Encode returns the binary code of d; see the package-level Encode.
func (e *Encoder) Encode(d Description, offer []byte) ([]byte, error) {
	return e.AppendEncode(nil, d, offer)
}

// AppendEncode appends the binary code of d to dst.
func (e *Encoder) AppendEncode(dst []byte, d Description, offer []byte) ([]byte, error) {
	if d.Type != Offer && d.Type != Answer {
		return nil, errf(ErrInvalidSDP, -1, "type", "description type %d is neither offer nor answer", d.Type)
	}
	if len(d.SDP) > e.maxSDP {
		return nil, errf(ErrLimit, -1, "sdp", "description of %d bytes is over the limit of %d", len(d.SDP), e.maxSDP)
	}
	p, err := parseSDP(d.SDP)
	if err != nil {
		return nil, err
	}
	answer := d.Type == Answer
	m, ok := compactModel(p, answer, &e.pol)
	if ok {
		if len(m.cands) > e.maxCands {
			return nil, errf(ErrLimit, -1, "candidates", "%d candidates after the policy, over the limit of %d", len(m.cands), e.maxCands)
		}
		if len(m.extraSess) > maxArrayItems || len(m.extraMedia) > maxArrayItems {
			return nil, errf(ErrLimit, -1, "ext", "more than %d extra lines at one level", maxArrayItems)
		}
	} else if m, ok = avModel(p, answer, &e.pol); ok {
		if len(m.cands) > e.maxCands {
			return nil, errf(ErrLimit, -1, "candidates", "%d candidates after the policy, over the limit of %d", len(m.cands), e.maxCands)
		}
	} else {
		m = &model{answer: answer, residual: true, text: strings.Join(splitLines(d.SDP), "\n")}
	}
	if answer {
		om, err := checkOfferCode(offer)
		if err != nil {
			return nil, err
		}
		m.bind = bindingOf(offer)
		if m.av != nil && om.av != nil {
			m.av.offer, m.av.offerMaps = om.av.skel.parts, offerMapsOf(om.av.seeds)
		}
	}
	if m.av != nil {
		m.av.makeEdits(len(avProfiles) - 1)
	}
	if n := m.decodedLen(len(d.SDP), e.maxSDP); n > e.maxSDP {
		return nil, errf(ErrLimit, -1, "sdp", "the code would decode to %d bytes of SDP, over the limit of %d", n, e.maxSDP)
	}
	var res []byte
	switch {
	case m.av != nil:
		res = m.av.compress()
	case m.residual:
		res = detflate.Compress(nil, []byte(m.text), detflate.SDPDictionary)
	}
	start := len(dst)
	dst = m.appendBinary(dst, res)
	if n := len(dst) - start; n > e.maxCode {
		return nil, errf(ErrLimit, -1, "code", "code of %d bytes is over the limit of %d", n, e.maxCode)
	}
	return dst, nil
}

// decodedLen returns the length of the description a decoder builds from m
// (SPEC.md §3.5), given the length of the encoder's input, or a smaller
// number when that is certainly within limit. A compact description is
// rebuilt in less than twice its input plus 1 KiB (the template's lines are
// shorter than that, a rebuilt candidate line at most twice the shortest
// line that yields it, an extra line gains one CR), so only a long input is
// rebuilt to be measured.
func (m *model) decodedLen(inLen, limit int) int {
	if m.av != nil {
		if 2*inLen+1024 <= limit {
			return 0
		}
		return m.avLen()
	}
	if m.residual {
		return len(m.text) + strings.Count(m.text, "\n") + 2 // every LF becomes CRLF, plus a final CRLF
	}
	if 2*inLen+1024 <= limit {
		return 0
	}
	return len(m.compactSDP())
}

// checkOfferCode verifies that offer is a valid offer code and returns
// its model.
func checkOfferCode(offer []byte) (*model, error) {
	if len(offer) == 0 {
		return nil, errf(ErrBinding, -1, "offer", "an answer needs the code of its offer")
	}
	if m := offerCodes.find(offer); m != nil {
		return m, nil
	}
	m, err := defaultDecoder.decodeModel(offer)
	if err != nil {
		return nil, errf(ErrBinding, -1, "offer", "the offer's code is not valid: %v", err)
	}
	if m.answer {
		return nil, errf(ErrBinding, -1, "offer", "the code given as offer is an answer")
	}
	offerCodes.add(offer, m)
	return m, nil
}

// Decode returns the description carried by the binary code, with the
// options opts (nil for the defaults). Use ParseText first for text forms.
//
// Errors: each wraps one class (errors.Is): ErrForeign, ErrMalformed,
// ErrNonCanonical, ErrUnsupported, ErrLimit, ErrBinding, and ErrNeedsOffer for
// an answer in the audio/video form decoded without opts.Offer; the *Error
// gives the offset.
func Decode(code []byte, opts *DecOptions) (Description, error) {
	d := defaultDecoder
	if opts != nil {
		var err error
		if d, err = opts.Decoder(); err != nil {
			return Description{}, err
		}
	}
	return d.Decode(code)
}

// Decode returns the description carried by code; see the package-level
// Decode.
func (d *Decoder) Decode(code []byte) (Description, error) {
	m, err := d.decodeModel(code)
	if err != nil {
		return Description{}, err
	}
	if m.answer && d.offer != nil && subtle.ConstantTimeCompare(m.bind, bindingOf(d.offer)) != 1 {
		return Description{}, errf(ErrBinding, 0, "binding", "the answer is bound to another offer")
	}
	desc := Description{Type: Offer}
	if m.answer {
		desc.Type = Answer
	}
	switch {
	case m.av != nil:
		desc.SDP = m.av.sdp
	case m.residual:
		desc.SDP = residualSDP(m.lines, len(m.text))
	default:
		desc.SDP = m.compactSDP()
	}
	if len(desc.SDP) > d.maxSDP {
		return Description{}, errf(ErrLimit, -1, "sdp", "decoded description of %d bytes is over the limit of %d", len(desc.SDP), d.maxSDP)
	}
	return desc, nil
}

// decodeModel reads code and checks that it is canonical (SPEC.md §7).
func (d *Decoder) decodeModel(code []byte) (*model, error) {
	m, err := d.readModel(code)
	if err != nil {
		return nil, err
	}
	if m.av != nil {
		if err := m.checkAV(code); err != nil {
			return nil, err
		}
		return m, nil
	}
	var res []byte
	if m.residual {
		p, err := parseSDPPlain(m.text, m.plain)
		if err != nil || !p.normal {
			if !isNormalForm(m.text) {
				return nil, errf(ErrNonCanonical, -1, "residual", "text is not in normal form (CR, empty lines or a final line break)")
			}
			return nil, errf(ErrMalformed, -1, "residual", "text is not a valid description: %v", err)
		}
		m.lines = p.all
		if _, ok := compactModel(p, m.answer, &CandidatePolicy{KeepComponent2: true}); ok {
			return nil, errf(ErrNonCanonical, -1, "residual", "description must use the compact form")
		}
		if avEligible(p) {
			return nil, errf(ErrNonCanonical, -1, "residual", "description must use the A/V form")
		}
		// The DEFLATE parse is not checked (SPEC.md §4.7): any valid
		// stream of the canonical text is accepted, so the received bytes
		// stand for themselves in the comparison below.
		res = m.deflated
	}
	if again := m.appendBinary(make([]byte, 0, len(code)), res); m.nonCanon || !bytes.Equal(again, code) {
		off := 0
		for off < len(again) && off < len(code) && again[off] == code[off] {
			off++
		}
		return nil, errf(ErrNonCanonical, off, "", "not the canonical encoding")
	}
	return m, nil
}

// CheckBinding reports whether the answer code is bound to the offer code:
// nil if it is, an ErrBinding error if not, another class if answer is not
// a valid answer code.
func CheckBinding(answer, offer []byte) error {
	d := *defaultDecoder
	d.offer = offer // an A/V answer is read against its offer
	m, err := d.decodeModel(answer)
	if err != nil {
		return err
	}
	if !m.answer {
		return errf(ErrBinding, 0, "binding", "the code is an offer, not an answer")
	}
	if subtle.ConstantTimeCompare(m.bind, bindingOf(offer)) != 1 {
		return errf(ErrBinding, 0, "binding", "the answer is bound to another offer")
	}
	return nil
}

// ResidualDictionary returns a copy of the preset dictionary of the
// residual form (SPEC.md Appendix C): any raw DEFLATE decoder given it
// inflates a residual code's byte string.
func ResidualDictionary() []byte {
	return bytes.Clone(detflate.SDPDictionary)
}
