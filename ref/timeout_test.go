package ref

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The documented deadlines, shortened, fire with the documented errors.
func TestTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("offer expires", func(t *testing.T) {
		o, offer, err := Offer(ctx, &Config{Loopback: true, OfferTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		select {
		case <-o.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("offer did not expire")
		}
		if !errors.Is(o.Err(), ErrOfferExpired) {
			t.Fatalf("Err = %v, want ErrOfferExpired", o.Err())
		}
		a, answer, err := Answer(ctx, &Config{Loopback: true, AnswerTimeout: 5 * time.Second}, offer)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := o.Complete(ctx, answer); !errors.Is(err, ErrOfferExpired) {
			t.Fatalf("Complete after expiry: %v, want ErrOfferExpired", err)
		}
	})

	t.Run("answerer gives up", func(t *testing.T) {
		o, offer, err := Offer(ctx, loopback())
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		start := time.Now()
		a, _, err := Answer(ctx, &Config{Loopback: true, AnswerTimeout: 5 * time.Second}, offer)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := a.WaitOpen(ctx); !errors.Is(err, ErrConnect) {
			t.Fatalf("WaitOpen: %v, want ErrConnect", err)
		}
		if d := time.Since(start); d < 4*time.Second || d > 15*time.Second {
			t.Errorf("gave up after %v, want about 5 s", d)
		}
	})

	t.Run("offerer cannot connect", func(t *testing.T) {
		o, offer, err := Offer(ctx, &Config{Loopback: true, ConnectTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		a, answer, err := Answer(ctx, loopback(), offer)
		if err != nil {
			t.Fatal(err)
		}
		a.Close() // its candidates are gone
		start := time.Now()
		if err := o.Complete(ctx, answer); err != nil {
			t.Fatal(err)
		}
		err = o.WaitOpen(ctx)
		if !errors.Is(err, ErrConnect) {
			t.Fatalf("WaitOpen: %v, want ErrConnect", err)
		}
		if d := time.Since(start); d > 12*time.Second {
			t.Errorf("failed after %v, want about 2 s", d)
		}
		t.Log(err)
	})
}
