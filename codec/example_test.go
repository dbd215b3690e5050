package codec_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// chromeOffer is a Chrome-like data-channel offer with one mDNS host
// candidate (synthetic values).
const chromeOffer = "v=0\r\n" +
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"a=extmap-allow-mixed\r\n" +
	"a=msid-semantic: WMS\r\n" +
	"m=application 54321 UDP/DTLS/SCTP webrtc-datachannel\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=candidate:1467250027 1 udp 2113937151 1f4c8a2e-3b5d-4e6f-8a9b-0c1d2e3f4a5b.local 54321 typ host generation 0 network-cost 999\r\n" +
	"a=ice-ufrag:Ab3/\r\n" +
	"a=ice-pwd:Qw9+Er8tYu7iOp6aSd5fGh4j\r\n" +
	"a=ice-options:trickle\r\n" +
	"a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=sctp-port:5000\r\n" +
	"a=max-message-size:262144\r\n"

// chromeAnswer answers chromeOffer.
const chromeAnswer = "v=0\r\n" +
	"o=- 7301994836184629575 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"m=application 50000 UDP/DTLS/SCTP webrtc-datachannel\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=candidate:2999745851 1 udp 2113937151 9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9.local 50000 typ host generation 0 network-cost 999\r\n" +
	"a=ice-ufrag:Zx8+\r\n" +
	"a=ice-pwd:Lk7jHg6fDs5aPo4iUy3tRe2w\r\n" +
	"a=fingerprint:sha-256 F9:E8:D7:C6:B5:A4:93:82:71:60:5F:4E:3D:2C:1B:0A:F9:E8:D7:C6:B5:A4:93:82:71:60:5F:4E:3D:2C:1B:0A\r\n" +
	"a=setup:active\r\n" +
	"a=mid:0\r\n" +
	"a=sctp-port:5000\r\n" +
	"a=max-message-size:262144\r\n"

func mustEncode(d codec.Description, offer []byte) []byte {
	code, err := codec.Encode(d, offer, nil)
	if err != nil {
		panic(err)
	}
	return code
}

func ExampleEncode() {
	code, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("SDP: %d bytes, code: %d bytes\n", len(chromeOffer), len(code))
	fmt.Println(codec.FormatText(code, codec.FormQR))
	// Output:
	// SDP: 591 bytes, code: 76 bytes
	// P:/10GA9+907CW6/1TG28X5:8ULI7WMJ25SQD3DJ42/34LHWM79-9NNH-N14%50I96$QMC1UQ5%+9T8C$MG0$K86PGKTMC1UQ5%+9T8C$MG0$K86PGKT
}

func ExampleEncode_answer() {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	// An answer's code is bound to the code of its offer.
	answer, err := codec.Encode(codec.Description{Type: codec.Answer, SDP: chromeAnswer}, offer, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("answer code: %d bytes\n", len(answer))
	_, err = codec.Encode(codec.Description{Type: codec.Answer, SDP: chromeAnswer}, nil, nil)
	fmt.Println(errors.Is(err, codec.ErrBinding))
	// Output:
	// answer code: 80 bytes
	// true
}

func ExampleDecode() {
	code := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	d, err := codec.Decode(code, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Type)
	fmt.Print(strings.ReplaceAll(d.SDP, "\r\n", "\n"))
	// Output:
	// offer
	// v=0
	// o=- 728224406569967729 2 IN IP4 127.0.0.1
	// s=-
	// t=0 0
	// a=group:BUNDLE 0
	// m=application 9 UDP/DTLS/SCTP webrtc-datachannel
	// c=IN IP4 0.0.0.0
	// a=candidate:1 1 udp 2130706431 1f4c8a2e-3b5d-4e6f-8a9b-0c1d2e3f4a5b.local 54321 typ host
	// a=end-of-candidates
	// a=ice-ufrag:Ab3/
	// a=ice-pwd:Qw9+Er8tYu7iOp6aSd5fGh4j
	// a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9
	// a=setup:actpass
	// a=mid:0
	// a=sctp-port:5000
	// a=max-message-size:262144
}

func ExampleDecode_errors() {
	code := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	_, err := codec.Decode(code[:20], nil)
	fmt.Println(errors.Is(err, codec.ErrMalformed))
	_, err = codec.Decode(code, &codec.DecOptions{MaxCodeBytes: 64})
	fmt.Println(errors.Is(err, codec.ErrLimit))
	var e *codec.Error
	if errors.As(err, &e) {
		fmt.Println(e.Offset)
	}
	// Output:
	// true
	// true
	// 64
}

func ExampleFormatText() {
	code := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	qr := codec.FormatText(code, codec.FormQR)
	link := codec.FormatText(code, codec.FormLink)
	fmt.Println(len(code), len(qr), len(link))
	fmt.Println(link)
	fmt.Println(codec.Link("https://example.org/call#old", code)[:34] + "...")
	// Output:
	// 76 116 124
	// P-ABMESAYBXX7UGD36CK7S2YXO4I5J5GSJ3ZPRUHRDBAPUZCROHNOU434KTMGB2LR7JJN5IMIKDMWD2TS7MBYYFE5EWXDNP2HZBINSYPKOL5QHDAUTUS24NV7I7E
	// https://example.org/call#P-ABMESAY...
}

func ExampleParseText() {
	code := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	for _, s := range []string{
		codec.FormatText(code, codec.FormQR),
		"  " + codec.FormatText(code, codec.FormLink) + "\n",
		codec.Link("https://example.org/call", code),
	} {
		b, err := codec.ParseText(s)
		fmt.Println(bytes.Equal(b, code), err)
	}
	_, err := codec.ParseText("https://example.org/call")
	fmt.Println(errors.Is(err, codec.ErrForeign))
	_, err = codec.ParseText("P-abcd")
	fmt.Println(errors.Is(err, codec.ErrMalformed))
	// Output:
	// true <nil>
	// true <nil>
	// true <nil>
	// true
	// true
}

func ExampleParseForm() {
	for _, name := range []string{"qr", "link", "bin", "png"} {
		f, err := codec.ParseForm(name)
		fmt.Printf("%v %v\n", f, errors.Is(err, codec.ErrUnknownForm))
	}
	// Output:
	// qr false
	// link false
	// bin false
	// invalid true
}

func ExampleEquivalent() {
	orig := codec.Description{Type: codec.Offer, SDP: chromeOffer}
	d, err := codec.Decode(mustEncode(orig, nil), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The decoded text differs (o= line, priorities, dropped attributes)
	// but carries the same description.
	fmt.Println(d.SDP == chromeOffer, codec.Equivalent(orig, d, nil))
	other := codec.Description{Type: codec.Offer, SDP: strings.Replace(chromeOffer, "a=mid:0", "a=mid:1", 1)}
	fmt.Println(codec.Equivalent(other, d, nil) != nil)
	// Output:
	// false <nil>
	// true
}

func ExampleCheckBinding() {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	answer := mustEncode(codec.Description{Type: codec.Answer, SDP: chromeAnswer}, offer)
	fmt.Println(codec.CheckBinding(answer, offer))
	// An older offer from the same peer, with new credentials.
	older := mustEncode(codec.Description{Type: codec.Offer, SDP: strings.Replace(chromeOffer, "Ab3/", "Ab3+", 1)}, nil)
	err := codec.CheckBinding(answer, older)
	fmt.Println(errors.Is(err, codec.ErrBinding))
	_, err = codec.Decode(answer, &codec.DecOptions{Offer: older})
	fmt.Println(codec.ClassName(err))
	// Output:
	// <nil>
	// true
	// binding
}

func ExampleClassName() {
	code := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	inputs := [][]byte{
		code[:1],                                 // truncated
		append([]byte{0x14}, code[1:]...),        // a later form
		append(code[:len(code):len(code)], 0xa0), // an empty extension map
		[]byte("hello"),                          // not a code
	}
	for _, in := range inputs {
		_, err := codec.Decode(in, nil)
		fmt.Println(codec.ClassName(err), errors.Is(err, codec.ClassByName(codec.ClassName(err))))
	}
	_, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"}, nil, nil)
	fmt.Println(codec.ClassName(err))
	fmt.Printf("%q\n", codec.ClassName(nil))
	// Output:
	// malformed true
	// unsupported true
	// non-canonical true
	// foreign true
	// invalid-sdp
	// ""
}
