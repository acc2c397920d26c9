package conf

import (
	"strings"
	"testing"
)

func TestHTTPFlagAddsListener(t *testing.T) {
	path := writeFile(t, "conference.yaml", `
listeners:
  - address: ":6697"
    websocket: {enabled: true}
`)
	cfg := mustLoad(t, Options{File: path, Environ: noEnv, HTTP: []string{"127.0.0.1:8080"}})
	got := cfg.HTTPListeners()
	if len(got) != 1 || got[0].Address != "127.0.0.1:8080" || !got[0].WebSocket.Enabled || len(cfg.Listeners) != 2 {
		t.Fatalf("listeners = %+v, want the file's block and an http+websocket one", cfg.Listeners)
	}
	if !cfg.Web.Page || !cfg.Web.Metrics || len(cfg.Web.Tokens) != 0 {
		t.Errorf("web defaults = %+v, want page and metrics on, no tokens", cfg.Web)
	}
}

func TestWebTokensChecked(t *testing.T) {
	hash, err := HashPassword("s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "conference.yaml", `
web:
  tokens:
    - {name: alice, hash: "`+hash+`"}
    - {name: alice, hash: "`+hash+`"}
    - {name: "bad name", hash: "plain text"}
`)
	_, err = Load(Options{File: path, Environ: noEnv})
	got := strings.Join(Problems(err), "\n")
	for _, want := range []string{
		`web.tokens[1].name: "alice" is used by an earlier token`,
		`web.tokens[2].name: must not contain spaces`,
		`web.tokens[2].hash: must be a bcrypt hash`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "plain text") {
		t.Errorf("a problem repeats the secret: %s", got)
	}
}
