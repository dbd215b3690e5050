package ref_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Two peers in one process: the codes would normally travel as QR codes.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := &ref.Config{Loopback: true} // both peers on this host

	offerer, offerCode, err := ref.Offer(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer offerer.Close()
	answerer, answerCode, err := ref.Answer(ctx, cfg, offerCode)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer answerer.Close()
	if err := offerer.Complete(ctx, answerCode); err != nil {
		fmt.Println(err)
		return
	}

	// Messages.
	offerer.Channel().Send(ctx, []byte("hello"))
	msg, _ := answerer.Channel().Receive(ctx)
	fmt.Printf("answerer got %q\n", msg)

	// A stream: each direction ends on its own.
	go func() {
		io.WriteString(answerer.Channel(), "a stream of bytes")
		answerer.Channel().CloseWrite()
	}()
	b, _ := io.ReadAll(offerer.Channel())
	fmt.Printf("offerer read %q\n", b)

	// Close is seen by the peer.
	offerer.Close()
	<-answerer.Done()
	fmt.Println(answerer.Err() != nil)
	// Output:
	// answerer got "hello"
	// offerer read "a stream of bytes"
	// true
}
