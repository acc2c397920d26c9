package tests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/conference-irc/conference/tests/harness"
)

// startHTTP starts a server with a plain IRC listener (0) and an HTTP
// listener (1) that also carries IRC over WebSocket, with extra YAML after
// them; it returns the HTTP listener's base URL.
func startHTTP(t *testing.T, extra string) (*harness.Server, string) {
	t.Helper()
	srv := harness.Start(t, `listeners:
  - address: "127.0.0.1:0"
    http: true
    websocket: {enabled: true}
`+extra)
	return srv, "http://" + srv.ListenerAddr(t, 1)
}

func TestHealth(t *testing.T) {
	_, base := startHTTP(t, "")
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := harness.HTTPGet(t, base+path, ""); code != http.StatusOK || body != "ok\n" {
			t.Errorf("GET %s = %d %q, want 200 ok", path, code, body)
		}
	}
}

// A WebSocket-only listener serves IRC, not the web endpoints.
func TestWebEndpointsOnlyOnHTTPListeners(t *testing.T) {
	srv := harness.Start(t, `listeners:
  - address: "127.0.0.1:0"
    websocket: {enabled: true}
`)
	for _, path := range []string{"/healthz", "/metrics", "/"} {
		if code, _ := harness.HTTPGet(t, "http://"+srv.ListenerAddr(t, 1)+path, ""); code != http.StatusNotFound {
			t.Errorf("GET %s on a WebSocket listener = %d, want 404", path, code)
		}
	}
}

func TestMetricsOff(t *testing.T) {
	_, base := startHTTP(t, "web: {metrics: false}\n")
	if code, _ := harness.HTTPGet(t, base+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("GET /metrics with web.metrics false = %d, want 404", code)
	}
}

// scrape fetches /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := harness.HTTPGet(t, base+"/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", code, body)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// metricValue is the value of the family's series whose labels include
// the given name=value pairs (gauge, counter, or a histogram's count).
func metricValue(t *testing.T, families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f := families[name]
	if f == nil {
		t.Fatalf("metric %s missing", name)
	}
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("metric %s%v has no such series", name, labels)
	return 0
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range m.Label {
			found = found || (l.GetName() == pairs[i] && l.GetValue() == pairs[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}

func TestMetricsScrape(t *testing.T) {
	srv, base := startHTTP(t, operYAML(""))
	alice := operUp(t, srv, "alice")
	bob := srv.Register(t, "bob")
	ws, _, err := harness.DialWebSocket(t, "ws"+strings.TrimPrefix(base, "http")+"/", nil)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	ws.Register("carol")
	for _, c := range []*harness.Client{alice, bob, ws} {
		c.Send("JOIN #metrics")
		c.ExpectNumeric("366")
	}
	for i := range 5 {
		alice.Sendf("PRIVMSG #metrics :hello %d", i)
	}
	alice.Send("PRIVMSG bob :psst")
	for i := range 5 {
		bob.ExpectLine(fmt.Sprintf(":alice!~alice@127.0.0.1 PRIVMSG #metrics :hello %d", i))
	}
	bob.ExpectCommand("PRIVMSG")
	alice.Send("FROBNICATE")
	alice.ExpectNumeric("421")

	f := scrape(t, base)
	checks := []struct {
		name   string
		labels []string
		min    float64
		max    float64
	}{
		{"conference_users", nil, 3, 3},
		{"conference_channels", nil, 1, 1},
		{"conference_operators", nil, 1, 1},
		{"conference_connections", []string{"kind", "plain"}, 2, 2},
		{"conference_connections", []string{"kind", "ws"}, 1, 1},
		{"conference_connections_accepted_total", []string{"kind", "plain"}, 2, 2},
		{"conference_commands_total", []string{"command", "PRIVMSG"}, 6, 6},
		{"conference_command_duration_seconds", []string{"command", "PRIVMSG"}, 6, 6},
		{"conference_deliveries_total", nil, 11, 11}, // 5 × 2 members + 1 private
		{"conference_unknown_commands_total", nil, 1, 1},
		{"conference_registration_duration_seconds", nil, 3, 3},
		{"conference_received_messages_total", nil, 17, 17}, // 3 × NICK+USER, OPER, 3 JOIN, 6 PRIVMSG, FROBNICATE
		{"conference_sent_messages_total", nil, 20, 1e9},
		{"conference_received_bytes_total", nil, 100, 1e9},
		{"conference_sent_bytes_total", nil, 100, 1e9},
		{"conference_disconnects_total", []string{"reason", "sendq"}, 0, 0},
		{"conference_disconnects_total", []string{"reason", "flood"}, 0, 0},
		{"conference_build_info", nil, 1, 1},
		{"go_goroutines", nil, 1, 1e9},
		{"process_resident_memory_bytes", nil, 1, 1e12},
		{"conference_store_write_duration_seconds", nil, 0, 0},
		{"conference_history_write_duration_seconds", nil, 0, 0},
	}
	for _, c := range checks {
		if v := metricValue(t, f, c.name, c.labels...); v < c.min || v > c.max {
			t.Errorf("%s%v = %v, want %v..%v", c.name, c.labels, v, c.min, c.max)
		}
	}
	dashboardNamesKnownMetrics(t, f)
	for name, fam := range f {
		if strings.HasPrefix(name, "conference_") && fam.GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
	}
}

// dashboardNamesKnownMetrics checks that every conference_ metric the
// Grafana dashboard queries is one the server exports.
func dashboardNamesKnownMetrics(t *testing.T, f map[string]*dto.MetricFamily) {
	t.Helper()
	data, err := os.ReadFile("../contrib/grafana/conference.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`conference_[a-z_]+`).FindAllString(string(data), -1) {
		base := strings.TrimSuffix(name, "_bucket")
		if f[base] == nil && f[name] == nil {
			t.Errorf("contrib/grafana/conference.json queries %s, which /metrics does not export", name)
		}
	}
}

func TestChatPageServed(t *testing.T) {
	_, base := startHTTP(t, "")
	for path, want := range map[string]string{"/": `<script src="app.js" defer>`, "/app.js": "WebSocket", "/style.css": "prefers-color-scheme"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s = %d, CSP %q, body lacks %q", path, resp.StatusCode, csp, want)
		}
	}
	_, off := startHTTP(t, "web: {page: false}\n")
	if code, _ := harness.HTTPGet(t, off+"/", ""); code != http.StatusNotFound {
		t.Errorf("GET / with web.page false = %d, want 404", code)
	}
}
