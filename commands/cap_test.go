package commands

import (
	"slices"
	"strings"
	"testing"
)

// TestPackCapsSplitsLongLists covers CAP LS 302's multi-line form: when
// the offered list outgrows a line, it is split at names, each line within
// the budget, and nothing is lost.
func TestPackCapsSplitsLongLists(t *testing.T) {
	var names []string
	for i := 0; i < 60; i++ {
		names = append(names, "vendor.example/capability-"+strings.Repeat("x", i%7))
	}
	lines := packCaps(names, capLSLineBudget)
	if len(lines) < 2 {
		t.Fatalf("%d names fit one line of %d bytes?", len(names), capLSLineBudget)
	}
	var back []string
	for _, l := range lines {
		if len(l) > capLSLineBudget {
			t.Errorf("line of %d bytes over the budget", len(l))
		}
		back = append(back, strings.Fields(l)...)
	}
	if !slices.Equal(back, names) {
		t.Errorf("names lost or reordered in packing")
	}
	if got := packCaps(nil, 10); len(got) != 1 || got[0] != "" {
		t.Errorf("no names: %q, want one empty line", got)
	}
}
