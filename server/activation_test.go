package server

import (
	"net"
	"slices"
	"testing"
)

func TestInheritedSocketsMatchByPortAndAddress(t *testing.T) {
	listen := func(addr string) net.Listener {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s: %v", addr, err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	loop := listen("127.0.0.1:0")
	in := inheritedSockets{loop}
	addr := loop.Addr().String()
	_, p, _ := net.SplitHostPort(addr)
	for _, miss := range []string{"127.0.0.2:" + p, "localhost:" + p, "127.0.0.1:1", "127.0.0.1:0", "bad"} {
		if _, ok := in.take(miss); ok {
			t.Errorf("%q took the socket listening on %s", miss, addr)
		}
	}
	for _, hit := range []string{":" + p, "0.0.0.0:" + p, "[::]:" + p, "127.0.0.1:" + p} {
		in := inheritedSockets{loop}
		if l, ok := in.take(hit); !ok || l != loop || len(in) != 0 {
			t.Errorf("%q did not take the socket listening on %s", hit, addr)
		}
	}
}

// TestRestartEnvWithoutActivation: a server that bound its own ports hands
// no sockets on, and no stale activation variable reaches the new program.
func TestRestartEnvWithoutActivation(t *testing.T) {
	s := &Server{}
	env, err := s.RestartEnv([]string{"HOME=/x", "LISTEN_FDS=2", "LISTEN_PID=1", "LISTEN_FDNAMES=a:b", "LISTEN_FDSX=1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"HOME=/x", "LISTEN_FDSX=1"}; !slices.Equal(env, want) {
		t.Errorf("RestartEnv = %q, want %q", env, want)
	}
}
