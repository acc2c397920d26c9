package tests

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conference-irc/conference/tests/harness"
)

// maxFairRTT is the bound the fairness test asserts: generous, so that a
// loaded machine (and -race) does not fail it; the real figure is in
// BENCHMARKS.md.
const maxFairRTT = time.Second

// TestFairnessUnderSlowCommands: while fifteen connections from one
// address hammer OPER with wrong passwords (a bcrypt each) and one more
// sends the same in one-byte segments, another client's PING round trip
// stays short: password checks run on the slow pool, never on the workers
// that dispatch everyone's lines, and no connection holds more than one
// worker.
func TestFairnessUnderSlowCommands(t *testing.T) {
	srv := harness.Start(t, operYAML("exempt: [127.0.0.0/8]\n"))
	const hammers, perHammer = 15, 20
	var clients []*harness.Client
	for i := 0; i < hammers; i++ {
		clients = append(clients, srv.Register(t, "hammer"+string(rune('a'+i))))
	}
	segments := srv.Register(t, "segments")
	pinger := srv.Register(t, "pinger")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		line := "OPER admin :wrong\r\n"
		segments.Conn.SetWriteDeadline(time.Now().Add(harness.Timeout))
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Its writes block once the server stops reading it (it
			// waits out its failed OPERs): that is fine.
			if _, err := segments.Conn.Write([]byte{line[i%len(line)]}); err != nil {
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)

	for _, c := range clients {
		c.SendRaw(strings.Repeat("OPER admin :wrong\r\n", perHammer))
	}
	// Measure while the password checks run: the slow pool has far more
	// queued than it can do in the time these round trips take.
	const pings = 100
	var rtts []time.Duration
	for i := 0; i < pings; i++ {
		start := time.Now()
		pinger.Sync()
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	worst := rtts[len(rtts)-1]
	t.Logf("PING round trips under load: %d, median %v, p99 %v, max %v",
		len(rtts), rtts[len(rtts)/2], rtts[len(rtts)*99/100], worst)
	if worst > maxFairRTT {
		t.Errorf("a PING took %v under load, want under %v", worst, maxFairRTT)
	}
	for _, c := range append(clients, segments) {
		c.Conn.Close()
	}
}
