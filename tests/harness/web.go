package harness

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// HTTPGet fetches url with an optional bearer token and returns the status
// and body; the request is bounded by Timeout.
func HTTPGet(t testing.TB, url, token string) (int, string) {
	t.Helper()
	return HTTPDo(t, http.MethodGet, url, token, "")
}

// HTTPDo sends a request with an optional bearer token and JSON body and
// returns the status and body.
func HTTPDo(t testing.TB, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: Timeout}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, string(b)
}
