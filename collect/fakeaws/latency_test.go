package fakeaws

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestLatency: with Options.Latency every request waits the latency before
// it is answered, and the waits overlap: the latency wait is replaced by a
// barrier that lets no request through until all of them are waiting at
// once, which a server that serialised requests could never reach.
func TestLatency(t *testing.T) {
	const n = 8
	const latency = 20 * time.Millisecond
	srv, err := NewServerWith(LoadWorld(t, basicWorld), Options{Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)

	var mu sync.Mutex
	var waited []time.Duration
	arrived, release := make(chan struct{}, n), make(chan struct{})
	srv.wait = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waited = append(waited, d)
		mu.Unlock()
		arrived <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	client := sts.NewFromConfig(sdkConfig(srv, "us-east-1"))
	answered := make(chan error, n)
	for range n {
		go func() {
			_, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			answered <- err
		}()
	}
	guard := time.NewTimer(time.Minute) // a failure guard, not a measurement
	defer guard.Stop()
	for i := range n {
		select {
		case <-arrived:
		case <-guard.C:
			t.Fatalf("only %d of %d concurrent requests reached the latency wait: the server serialises them", i, n)
		}
	}
	select {
	case err := <-answered:
		t.Fatalf("a request was answered before its latency had passed (err %v)", err)
	default:
	}
	if st := srv.Stats(); st.PeakInFlight != n || st.Requests != n {
		t.Errorf("Stats = %+v, want %d requests, all in flight at once", st, n)
	}
	close(release)
	for range n {
		if err := <-answered; err != nil {
			t.Errorf("GetCallerIdentity: %v", err)
		}
	}
	for _, d := range waited {
		if d != latency {
			t.Errorf("a request waited %s, want the configured %s", d, latency)
		}
	}
}

// TestLatencyWaitEndsWithTheClient: a client that gives up ends the wait.
func TestLatencyWaitEndsWithTheClient(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleep with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestServerOptions(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"defaults", Options{}, true},
		{"loopback port", Options{Addr: "127.0.0.1:0"}, true},
		{"localhost", Options{Addr: "localhost:0"}, true},
		{"every interface", Options{Addr: "0.0.0.0:0"}, false},
		{"another host", Options{Addr: "192.0.2.1:0"}, false},
		{"no port", Options{Addr: "127.0.0.1"}, false},
		{"negative latency", Options{Latency: -time.Second}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServerWith(w, tc.o)
			if err == nil {
				srv.Close()
			}
			if (err == nil) != tc.ok {
				t.Fatalf("NewServerWith(%+v) error = %v, want ok=%t", tc.o, err, tc.ok)
			}
		})
	}
}

// TestUnrecorded: an unrecorded server keeps no request log but counts.
func TestUnrecorded(t *testing.T) {
	srv, err := NewServerWith(LoadWorld(t, basicWorld), Options{Unrecorded: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	client := sts.NewFromConfig(sdkConfig(srv, "us-east-1"))
	for range 3 {
		if _, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Requests(); len(got) != 0 {
		t.Errorf("Requests() = %d requests, want none", len(got))
	}
	if st := srv.Stats(); st.Requests != 3 || st.PeakInFlight != 1 {
		t.Errorf("Stats = %+v, want 3 requests, one at a time", st)
	}
}
