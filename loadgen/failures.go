package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// maxReasons caps the distinct failure reasons kept; the rest are "other".
// Server texts can hold nicks, so the set of reasons is not small by itself.
const maxReasons = 16

// failureTally counts failures by short reason. Safe for concurrent use.
type failureTally struct {
	mu      sync.Mutex
	total   int64
	reasons map[string]int64
}

// add counts one failure during stage ("dial", "register", "join", "run"...).
func (f *failureTally) add(stage string, err error) {
	reason := stage + ": " + classify(err)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reasons == nil {
		f.reasons = make(map[string]int64)
	}
	if _, ok := f.reasons[reason]; !ok && len(f.reasons) >= maxReasons {
		reason = "other"
	}
	f.reasons[reason]++
	f.total++
}

// snapshot returns the total and a copy of the counts by reason.
func (f *failureTally) snapshot() (int64, map[string]int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int64, len(f.reasons))
	for k, v := range f.reasons {
		out[k] = v
	}
	return f.total, out
}

// count returns the number of failures so far.
func (f *failureTally) count() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// classify turns an error into a short, stable reason.
func classify(err error) string {
	var se *serverError
	var ne net.Error
	switch {
	case err == nil:
		return "unknown"
	case errors.As(err, &se):
		text := se.text
		if len(text) > 60 {
			text = text[:60] + "..."
		}
		return se.what + " " + text
	case errors.Is(err, context.Canceled):
		return "aborted"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "too many open files"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no free local port"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed by server"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// reasonCount is one line of the failure breakdown.
type reasonCount struct {
	Reason string
	Count  int64
}

// sortedReasons orders reasons by count, most frequent first.
func sortedReasons(m map[string]int64) []reasonCount {
	out := make([]reasonCount, 0, len(m))
	for r, n := range m {
		out = append(out, reasonCount{r, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}
