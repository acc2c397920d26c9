package conf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeCertPair writes a self-signed pair into dir as cert.pem and key.pem.
func writeCertPair(t *testing.T, dir string) {
	t.Helper()
	cert, key, err := SelfSigned([]string{"irc.example.org"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"cert.pem": cert, "key.pem": key} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListenerBlocksLoad(t *testing.T) {
	path := writeFile(t, "conference.yaml", `
listen: [":6667"]
listeners:
  - address: ":6697"
    tls: {cert: cert.pem, key: key.pem}
  - address: ":8097"
    websocket: {enabled: true, origins: ["chat.example.org"]}
sts: {enabled: true}
`)
	writeCertPair(t, filepath.Dir(path))
	cfg := mustLoad(t, Options{File: path, Environ: noEnv})
	all := cfg.AllListeners()
	if len(all) != 3 || all[0].Address != ":6667" || all[0].Secure() || !all[1].Secure() || !all[2].WebSocket.Enabled {
		t.Fatalf("AllListeners = %+v", all)
	}
	if all[1].Certificate() == nil {
		t.Error("the TLS listener's certificate was not read (relative to the file)")
	}
	if got := cfg.STSPort(); got != 6697 {
		t.Errorf("STSPort = %d, want 6697", got)
	}
}

func TestListenerBlockProblems(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"nothing to listen on", "listen: []\n", "conference.yaml: listen: must list at least one address"},
		{"bad address", "listeners: [{address: nowhere}]\n", "conference.yaml: listeners[0].address: must be host:port"},
		{"address twice", "listen: [\":6697\"]\nlisteners: [{address: \":6697\"}]\n", "conference.yaml: listeners[0].address: \":6697\" is listed twice"},
		{"key without cert", "listeners: [{address: \":6697\", tls: {key: k.pem}}]\n", "conference.yaml: listeners[0].tls: needs both cert and key"},
		{"missing files", "listeners: [{address: \":6697\", tls: {cert: no.pem, key: no.pem}}]\n", "conference.yaml: listeners[0].tls: cannot load the certificate"},
		{"origins without websocket", "listeners: [{address: \":8097\", websocket: {origins: [x.org]}}]\n", "conference.yaml: listeners[0].websocket.origins: is set but websocket.enabled is false"},
		{"sts without tls", "sts: {enabled: true}\n", "conference.yaml: sts.enabled: needs a TLS listener"},
		{"unknown key", "listeners: [{address: \":6697\", tsl: {}}]\n", `conference.yaml: unknown key "listeners[0].tsl"`},
		{"bad certfp", "operators: [{name: a, password: x, certfp: abc}]\n", "conference.yaml: operators[0].certfp: must be a SHA-256 fingerprint"},
		{"short handshake", "timeouts: {handshake: 10ms}\n", "conference.yaml: timeouts.handshake: must be at least 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "conference.yaml", tt.yaml)
			problems := loadProblems(t, Options{File: path, Environ: noEnv})
			for i := range problems {
				problems[i] = strings.ReplaceAll(problems[i], path, "conference.yaml")
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems %q lack %q", problems, tt.want)
			}
		})
	}
}

func TestCertFPForms(t *testing.T) {
	colons := strings.Repeat("AB:", 31) + "AB"
	if !isCertFP(colons) || NormalizeCertFP(colons) != strings.Repeat("ab", 32) {
		t.Errorf("colon form %q not accepted as %q", colons, NormalizeCertFP(colons))
	}
	if isCertFP(strings.Repeat("g", 64)) {
		t.Error("non-hex accepted")
	}
}
