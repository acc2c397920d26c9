package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// testConfig is a short run against srv.
func testConfig(srv *fakeServer, scenario Scenario) Config {
	c := DefaultConfig()
	c.Addr = srv.addr()
	c.Scenario = scenario
	c.Clients = 20
	c.Channels = 2
	c.Senders = 4
	c.Rate = 2000
	c.Duration = 500 * time.Millisecond
	c.Timeout = 8 * time.Second
	c.HandshakeTimeout = 5 * time.Second
	c.ProgressEvery = 0
	c.PID = os.Getpid() // measure ourselves, to exercise the /proc path
	return c
}

// runOK runs cfg and fails the test unless it passed without loss.
func runOK(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	t.Logf("\n%s", table.String())
	if res.Aborted != "" {
		t.Fatalf("aborted: %s", res.Aborted)
	}
	if res.Failed != 0 {
		t.Fatalf("failed = %d: %v", res.Failed, res.Failures)
	}
	if res.Registered != int64(cfg.Clients) || res.Joined != int64(cfg.Clients) {
		t.Fatalf("registered %d, joined %d; want %d", res.Registered, res.Joined, cfg.Clients)
	}
	if !res.ServerMeasured || res.ServerRSSKiB <= 0 {
		t.Errorf("server (self) not measured: %+v", res)
	}
	return res
}

func TestFanoutAgainstFakeServer(t *testing.T) {
	srv := startFakeServer(t)
	cfg := testConfig(srv, ScenarioFanout)
	res := runOK(t, cfg)
	if res.Senders != cfg.Senders {
		t.Errorf("senders = %d, want %d", res.Senders, cfg.Senders)
	}
	if res.Sent == 0 {
		t.Fatal("nothing sent")
	}
	// 20 clients in 2 channels: every message reaches the 9 other members.
	if res.Expected != res.Sent*9 {
		t.Errorf("expected = %d, want sent*9 = %d", res.Expected, res.Sent*9)
	}
	if res.Lost != 0 || res.Received != res.Expected {
		t.Errorf("received %d of %d (lost %d)", res.Received, res.Expected, res.Lost)
	}
	if res.P50Ms <= 0 || res.P99Ms < res.P50Ms || res.MaxMs < res.P99Ms {
		t.Errorf("implausible latencies p50 %v p99 %v max %v", res.P50Ms, res.P99Ms, res.MaxMs)
	}
	if res.SendLagP50Ms < 0 || res.SendLagP99Ms < res.SendLagP50Ms || res.SendLagMaxMs < res.SendLagP99Ms {
		t.Errorf("implausible send lag p50 %v p99 %v max %v", res.SendLagP50Ms, res.SendLagP99Ms, res.SendLagMaxMs)
	}
	if res.GenThreads <= 0 || res.GenBudgetPct <= 0 {
		t.Errorf("generator budget not reported: %d threads, %v%%", res.GenThreads, res.GenBudgetPct)
	}
	var line bytes.Buffer
	if err := res.WriteJSON(&line); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(line.Bytes(), &decoded); err != nil {
		t.Fatalf("JSON line does not parse: %v", err)
	}
	for _, key := range []string{"scenario", "params", "sent", "expected", "received", "lost",
		"deliveries_per_sec", "p50_ms", "p90_ms", "p99_ms", "max_ms", "registered", "failed",
		"reg_per_sec", "server_cpu_sec", "server_cpu_pct", "server_rss_kib", "rss_per_client_kib", "pass",
		"send_lag_p50_ms", "send_lag_p99_ms", "send_lag_max_ms", "gen_send_cpu_pct", "gen_threads",
		"gen_budget_pct", "gen_saturated"} {
		if _, ok := decoded[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}

func TestDirectAgainstFakeServer(t *testing.T) {
	srv := startFakeServer(t)
	res := runOK(t, testConfig(srv, ScenarioDirect))
	if res.Senders != 20 {
		t.Errorf("senders = %d, want all 20", res.Senders)
	}
	if res.Sent == 0 || res.Expected != res.Sent {
		t.Errorf("sent %d, expected %d; want equal and > 0", res.Sent, res.Expected)
	}
	if res.Lost != 0 || res.Received != res.Expected {
		t.Errorf("received %d of %d (lost %d)", res.Received, res.Expected, res.Lost)
	}
}

func TestConnectAgainstFakeServer(t *testing.T) {
	srv := startFakeServer(t)
	cfg := testConfig(srv, ScenarioConnect)
	cfg.Clients = 50
	cfg.Duration = 100 * time.Millisecond
	res := runOK(t, cfg)
	if !res.Pass || res.RegPerSec <= 0 || res.RegP99Ms < res.RegP50Ms {
		t.Errorf("pass %v, reg/s %v, p50 %v, p99 %v", res.Pass, res.RegPerSec, res.RegP50Ms, res.RegP99Ms)
	}
}

func TestChurnAgainstFakeServer(t *testing.T) {
	srv := startFakeServer(t)
	cfg := testConfig(srv, ScenarioChurn)
	cfg.Clients = 10
	cfg.Rate = 100
	cfg.Duration = 300 * time.Millisecond
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Failed != 0 || res.Cycles == 0 || res.Cycles != res.CyclesLaunched {
		t.Errorf("cycles %d of %d launched, failed %d %v", res.Cycles, res.CyclesLaunched, res.Failed, res.Failures)
	}
}

func TestConnectionRefusedIsReported(t *testing.T) {
	srv := startFakeServer(t)
	addr := srv.addr()
	_ = srv.ln.Close() // nothing listens there any more
	cfg := testConfig(srv, ScenarioConnect)
	cfg.Addr = addr
	cfg.Clients = 5
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Failed != 5 || res.Failures["dial: connection refused"] != 5 || res.Pass {
		t.Errorf("failed %d %v pass %v; want 5 refused and no pass", res.Failed, res.Failures, res.Pass)
	}
}

func TestRunRefusesRemoteAndBadConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr = "10.0.0.1:6667"
	if _, err := Run(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("remote target: err = %v, want a loopback refusal", err)
	}
	cfg = DefaultConfig()
	cfg.Clients = MaxClients + 1
	if _, err := Run(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "-clients") {
		t.Errorf("too many clients: err = %v", err)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	srv := startFakeServer(t)
	cfg := testConfig(srv, ScenarioConnect)
	cfg.Duration = time.Hour
	cfg.Timeout = time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	cfg.Logger = slog.New(cancelOnSetupDone{slog.DiscardHandler, cancel})
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Aborted != "interrupted" || res.Pass {
		t.Errorf("aborted %q pass %v; want interrupted, no pass", res.Aborted, res.Pass)
	}
}

// cancelOnSetupDone cancels the run when setup reports it is done, so the
// test interrupts the hold phase without sleeping.
type cancelOnSetupDone struct {
	slog.Handler
	cancel context.CancelFunc
}

func (h cancelOnSetupDone) Enabled(context.Context, slog.Level) bool { return true }

func (h cancelOnSetupDone) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "setup done" {
		h.cancel()
	}
	return nil
}
