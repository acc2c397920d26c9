package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/conference-irc/conference/loadgen"
	"github.com/conference-irc/conference/tests/harness"
)

// TestLoadOverTLSAndWebSocket runs a small fan-out of conference-load's
// generator against the real server over TLS and over WebSocket with TLS:
// every message reaches every member, as over plain text.
func TestLoadOverTLSAndWebSocket(t *testing.T) {
	cert, key := harness.WriteCertPair(t, t.TempDir())
	srv := harness.Start(t, fmt.Sprintf(`exempt: ["127.0.0.1"]
listeners:
  - address: "127.0.0.1:0"
    tls: {cert: %q, key: %q}
  - address: "127.0.0.1:0"
    tls: {cert: %q, key: %q}
    websocket: {enabled: true}
`, cert, key, cert, key))
	for _, tt := range []struct {
		name      string
		listener  int
		websocket bool
	}{{"tls", 1, false}, {"wss", 2, true}} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadgen.DefaultConfig()
			cfg.Addr = srv.ListenerAddr(t, tt.listener)
			cfg.TLS, cfg.WebSocket = true, tt.websocket
			cfg.Scenario = loadgen.ScenarioFanout
			cfg.Clients, cfg.Channels, cfg.Senders = 20, 2, 4
			cfg.Rate = 400
			cfg.Duration = 300 * time.Millisecond
			cfg.Timeout = 20 * time.Second
			cfg.HandshakeTimeout = 5 * time.Second
			cfg.NickPrefix = tt.name
			res, err := loadgen.Run(t.Context(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Failed != 0 || res.Registered != 20 || res.Joined != 20 {
				t.Fatalf("registered %d joined %d failed %d: %v", res.Registered, res.Joined, res.Failed, res.Failures)
			}
			if res.Sent == 0 || res.Lost != 0 || res.Received != res.Expected {
				t.Errorf("sent %d, received %d of %d (lost %d)", res.Sent, res.Received, res.Expected, res.Lost)
			}
		})
	}
}
