package loadgen

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveTargetLoopbackOnly(t *testing.T) {
	tests := []struct {
		addr        string
		allowRemote bool
		want        string // "" means refused
	}{
		{"127.0.0.1:6667", false, "127.0.0.1:6667"},
		{"127.9.8.7:6667", false, "127.9.8.7:6667"},
		{"[::1]:6667", false, "[::1]:6667"},
		{"localhost:6667", false, "127.0.0.1:6667"},
		{"[::ffff:127.0.0.1]:6667", false, "127.0.0.1:6667"},
		{"10.0.0.1:6667", false, ""},
		{"192.168.1.1:6667", false, ""},
		{"0.0.0.0:6667", false, ""},
		{"10.0.0.1:6667", true, "10.0.0.1:6667"},
	}
	for _, tt := range tests {
		got, err := ResolveTarget(t.Context(), tt.addr, tt.allowRemote)
		if tt.want == "" {
			if !errors.Is(err, ErrNotLoopback) {
				t.Errorf("ResolveTarget(%q) = %q, %v; want ErrNotLoopback", tt.addr, got, err)
			} else if !strings.Contains(err.Error(), "-allow-remote") {
				t.Errorf("error %q does not say how to override", err)
			}
			continue
		}
		if err != nil || got != tt.want {
			// localhost may resolve to ::1 only on an IPv6-only host.
			if tt.addr == "localhost:6667" && got == "[::1]:6667" {
				continue
			}
			t.Errorf("ResolveTarget(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
}

func TestResolveTargetBadAddress(t *testing.T) {
	for _, addr := range []string{"127.0.0.1", ":6667", "127.0.0.1:0", "127.0.0.1:99999"} {
		if _, err := ResolveTarget(t.Context(), addr, false); err == nil {
			t.Errorf("ResolveTarget(%q) succeeded, want an error", addr)
		}
	}
}
