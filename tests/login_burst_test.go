package tests

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// loginBurstEnv runs TestLoginBurstPingLatency, a measurement rather than
// a check of behaviour: it builds the binary and spends several seconds of
// CPU on bcrypt.
const loginBurstEnv = "CONFERENCE_LOGIN_BURST"

// TestLoginBurstPingLatency measures another client's PING round trip
// while 200 connections log in at once with SASL PLAIN, against the real
// binary (bcrypt at its production cost). Run it with
//
//	CONFERENCE_LOGIN_BURST=1 go test -run TestLoginBurstPingLatency -v ./tests/
func TestLoginBurstPingLatency(t *testing.T) {
	if os.Getenv(loginBurstEnv) == "" {
		t.Skip("set " + loginBurstEnv + "=1 to measure")
	}
	const logins = 200
	bin := buildConferenced(t)
	file := filepath.Join(t.TempDir(), "conference.yaml")
	writeTestFile(t, file, "accounts:\n  maxsessions: 0\nexempt: [127.0.0.1]\n")
	p := startProcess(t, bin, file)
	srv := p.server()
	registerAccount(t, srv, "burst", "burst-passw0rd").Quit()

	pinger := srv.Register(t, "pinger")
	baseline := pingRTTs(t, pinger.Conn, bufio.NewReader(pinger.Conn), 50, 0, nil)

	// Connect and negotiate every login connection first: only the logins
	// themselves are the burst.
	conns := make([]net.Conn, logins)
	readers := make([]*bufio.Reader, logins)
	for i := range conns {
		c := srv.Connect(t)
		c.Send("CAP REQ sasl")
		c.ExpectCommand("CAP")
		conns[i], readers[i] = c.Conn, bufio.NewReader(c.Conn)
	}
	payload := base64.StdEncoding.EncodeToString([]byte("\x00burst\x00burst-passw0rd"))

	stop := make(chan struct{})
	var during []time.Duration
	pingDone := make(chan struct{})
	go func() {
		defer close(pingDone)
		during = pingRTTs(t, pinger.Conn, bufio.NewReader(pinger.Conn), 0, 2*time.Millisecond, stop)
	}()
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]string, logins)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = login(conns[i], readers[i], payload)
		}()
	}
	wg.Wait()
	burst := time.Since(start)
	close(stop)
	<-pingDone
	for i, r := range results {
		if r != "903" {
			t.Fatalf("login %d ended with %q", i, r)
		}
	}
	b, d := summary(baseline), summary(during)
	t.Logf("%d SASL PLAIN logins in %v (%.0f/s)", logins, burst.Round(time.Millisecond), float64(logins)/burst.Seconds())
	t.Logf("PING round trip idle:        %s", b)
	t.Logf("PING round trip during burst: %s", d)
	if max := slices.Max(during); max > 100*time.Millisecond {
		t.Errorf("a PING took %v during the burst (want under 100ms)", max)
	}
}

// login runs one SASL PLAIN login on a raw connection and returns the
// numeric that ended it.
func login(c net.Conn, r *bufio.Reader, payload string) string {
	c.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(c, "AUTHENTICATE PLAIN\r\nAUTHENTICATE %s\r\n", payload)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err.Error()
		}
		f := strings.Fields(line)
		if len(f) > 1 {
			switch f[1] {
			case "903", "904", "905", "906", "907":
				return f[1]
			}
		}
	}
}

// pingRTTs sends PINGs one after another (n of them, or until stop
// closes, pausing gap between them) and returns each round trip.
func pingRTTs(t *testing.T, c net.Conn, r *bufio.Reader, n int, gap time.Duration, stop chan struct{}) []time.Duration {
	var out []time.Duration
	for i := 0; n == 0 || i < n; i++ {
		if stop != nil {
			select {
			case <-stop:
				return out
			default:
			}
		}
		token := fmt.Sprintf("rtt%d", i)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		sent := time.Now()
		fmt.Fprintf(c, "PING %s\r\n", token)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Errorf("pinger: %v", err)
				return out
			}
			if strings.Contains(line, " PONG ") && strings.Contains(line, token) {
				break
			}
		}
		out = append(out, time.Since(sent))
		time.Sleep(gap)
	}
	return out
}

// summary renders median, p99 and max of round trips.
func summary(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return "no samples"
	}
	q := func(f float64) time.Duration { return s[min(len(s)-1, int(f*float64(len(s))))] }
	return fmt.Sprintf("%d samples, median %v, p99 %v, max %v", len(s), q(0.5).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), s[len(s)-1].Round(10*time.Microsecond))
}
