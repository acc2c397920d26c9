package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeEdge is an Edge whose readiness a test sets.
type fakeEdge struct{ ready error }

func (e *fakeEdge) Stats() EdgeStats                { return EdgeStats{} }
func (e *fakeEdge) Ready() error                    { return e.ready }
func (e *fakeEdge) Rehash(string) ([]string, error) { return nil, nil }

func TestReadyz(t *testing.T) {
	edge := &fakeEdge{}
	var dbErr error
	h := New(Options{Edge: edge, Checks: map[string]func() error{"database": func() error { return dbErr }}})
	get := func(path string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code, w.Body.String()
	}
	if code, body := get("/readyz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("ready: %d %q", code, body)
	}
	edge.ready, dbErr = errors.New("shutting down"), errors.New("disk I/O error")
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "listeners: shutting down") || !strings.Contains(body, "database: disk I/O error") {
		t.Errorf("not ready: %d %q", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz while not ready: %d, want 200 (the process is alive)", code)
	}
}
