package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// healthz answers while the process serves HTTP at all.
func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when the listeners are open and every check passes,
// 503 with the reasons otherwise.
func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	var problems []string
	if err := h.edge.Ready(); err != nil {
		problems = append(problems, "listeners: "+err.Error())
	}
	for name, check := range h.checks {
		if err := check(); err != nil {
			problems = append(problems, name+": "+err.Error())
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(problems) > 0 {
		slices.Sort(problems)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, strings.Join(problems, "\n"))
		return
	}
	fmt.Fprintln(w, "ok")
}
