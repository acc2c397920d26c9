// Package web is the HTTP side of the server: the embedded chat page,
// Prometheus metrics, health checks and the admin API. The server mounts
// the Handler on its HTTP listeners (listener blocks with http: true),
// beside the WebSocket upgrade; every request here is bounded in time and
// size.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/conference-irc/conference/commands"
)

// Bounds on every request (the server's http.Server bounds the headers).
const (
	// readTimeout bounds reading a request's body.
	readTimeout = 10 * time.Second
	// writeTimeout bounds answering it.
	writeTimeout = 30 * time.Second
	// maxBody is the largest request body accepted.
	maxBody = 64 << 10
)

// Options configure a Handler.
type Options struct {
	// Dispatcher is the server's command dispatcher: its state and the
	// one-path functions that IRC commands use too.
	Dispatcher *commands.Dispatcher
	// Edge is the server that mounts the handler.
	Edge Edge
	// Version is the server's version, shown in metrics and stats.
	Version string
	// Checks are readiness checks beyond the edge's (the database), by
	// name; /readyz fails while one returns an error.
	Checks map[string]func() error
	// Logger receives the handler's logs (admin API use, errors).
	Logger *slog.Logger
}

// Handler serves every path of the HTTP listeners.
type Handler struct {
	d       *commands.Dispatcher
	edge    Edge
	version string
	checks  map[string]func() error
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *Metrics
	auth    *authenticator
}

// New makes the handler.
func New(opts Options) *Handler {
	h := &Handler{
		d: opts.Dispatcher, edge: opts.Edge, version: opts.Version,
		checks: opts.Checks, log: opts.Logger, mux: http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.metrics = newMetrics(h)
	h.auth = newAuthenticator()
	h.routes()
	return h
}

// routes registers every path.
func (h *Handler) routes() {
	h.mux.HandleFunc("GET /healthz", h.healthz)
	h.mux.HandleFunc("GET /readyz", h.readyz)
	h.mux.Handle("GET /metrics", h.metricsHandler())
	h.apiRoutes()
	h.pageRoutes()
}

// Metrics are the hooks other parts of the process fill (store and history
// write latency).
func (h *Handler) Metrics() *Metrics { return h.metrics }

// ServeHTTP bounds the request in time and size, then serves it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	now := time.Now()
	_ = rc.SetReadDeadline(now.Add(readTimeout))
	_ = rc.SetWriteDeadline(now.Add(writeTimeout))
	// A keep-alive connection may carry a WebSocket upgrade next, which
	// must not inherit this request's deadline.
	defer rc.SetWriteDeadline(time.Time{})
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}
