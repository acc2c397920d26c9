package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// The admin API: JSON under /api/v1/, every request with a bearer token
// from web.tokens. With no token configured it does not exist (404).
// Actions go through the dispatcher's one-path functions, the same ones
// IRC commands use.

// apiRoutes registers the admin API.
func (h *Handler) apiRoutes() {
	h.mux.Handle("GET /api/v1/stats", h.api(h.apiStats))
	h.mux.Handle("GET /api/v1/clients", h.api(h.apiClients))
	h.mux.Handle("GET /api/v1/clients/{nick}", h.api(h.apiClient))
	h.mux.Handle("POST /api/v1/clients/{nick}/kill", h.api(h.apiKill))
	h.mux.Handle("GET /api/v1/channels", h.api(h.apiChannels))
	h.mux.Handle("GET /api/v1/channels/{name}", h.api(h.apiChannel))
	h.mux.Handle("POST /api/v1/broadcast", h.api(h.apiBroadcast))
	h.mux.Handle("POST /api/v1/rehash", h.api(h.apiRehash))
	h.mux.Handle("GET /api/v1/bans", h.api(h.apiBans))
	h.mux.Handle("POST /api/v1/bans", h.api(h.apiAddBan))
	h.mux.Handle("DELETE /api/v1/bans", h.api(h.apiRemoveBan))
	h.mux.Handle("/api/", h.api(func(w http.ResponseWriter, _ *http.Request, _ string) {
		apiError(w, http.StatusNotFound, "no such endpoint")
	}))
}

// apiHandler is an endpoint given the name of the token that was used.
type apiHandler func(w http.ResponseWriter, r *http.Request, by string)

// api checks the bearer token, logs its use, and runs the endpoint.
func (h *Handler) api(next apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg := h.d.Config()
		if len(cfg.Web.Tokens) == 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		name, ok := h.auth.check(r.Context(), cfg, r)
		if !ok {
			h.log.Warn("admin API refused", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer realm="conference"`)
			apiError(w, http.StatusUnauthorized, "a valid bearer token is required")
			return
		}
		h.log.Info("admin API", "token", name, "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
		next(w, r, "admin:"+name)
	})
}

// apiError answers {"error": msg}.
func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// readJSON decodes a request body into v, refusing unknown fields.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return false
		}
		apiError(w, http.StatusBadRequest, "bad JSON body: "+err.Error())
		return false
	}
	return true
}

// Stats is the answer of GET /api/v1/stats.
type Stats struct {
	Version       string            `json:"version"`
	Server        string            `json:"server"`
	Network       string            `json:"network"`
	Users         int               `json:"users"`
	Unregistered  int               `json:"unregistered"`
	Operators     int               `json:"operators"`
	Invisible     int               `json:"invisible"`
	Peak          int               `json:"peak_users"`
	Channels      int               `json:"channels"`
	Connections   map[string]int    `json:"connections"`
	Accepted      map[string]uint64 `json:"accepted"`
	MessagesIn    uint64            `json:"messages_in"`
	MessagesOut   uint64            `json:"messages_out"`
	BytesIn       uint64            `json:"bytes_in"`
	BytesOut      uint64            `json:"bytes_out"`
	Deliveries    uint64            `json:"deliveries"`
	SendQDrops    uint64            `json:"sendq_disconnects"`
	FloodDrops    uint64            `json:"flood_disconnects"`
	UptimeSeconds int64             `json:"uptime_seconds"`
}

func (h *Handler) apiStats(w http.ResponseWriter, _ *http.Request, _ string) {
	cfg, counts, edge := h.d.Config(), h.d.Users().Counts(), h.edge.Stats()
	writeJSON(w, http.StatusOK, Stats{
		Version: h.version, Server: cfg.Server.Name, Network: cfg.Server.Network,
		Users: counts.Users, Unregistered: counts.Unknown, Operators: counts.Operators,
		Invisible: counts.Invisible, Peak: counts.Peak, Channels: h.d.Channels().Count(),
		Connections: edge.Open, Accepted: edge.Accepted,
		MessagesIn: edge.LinesIn, MessagesOut: edge.LinesOut, BytesIn: edge.BytesIn, BytesOut: edge.BytesOut,
		Deliveries: h.d.Deliveries(), SendQDrops: edge.SendQDrops, FloodDrops: edge.FloodDrops,
		UptimeSeconds: int64(time.Since(h.d.Started()).Seconds()),
	})
}

// Client is one client as the API shows it.
type Client struct {
	ID        uint64   `json:"id"`
	Nick      string   `json:"nick"`
	User      string   `json:"user"`
	Host      string   `json:"host"`
	RealHost  string   `json:"real_host"`
	IP        string   `json:"ip"`
	Realname  string   `json:"realname"`
	Account   string   `json:"account,omitempty"`
	Away      string   `json:"away,omitempty"`
	Modes     string   `json:"modes"`
	Channels  []string `json:"channels"`
	Signon    string   `json:"signon"`
	Secure    bool     `json:"secure"`
	WebSocket bool     `json:"websocket"`
	CertFP    string   `json:"certfp,omitempty"`
}

func clientInfo(c *users.Client) Client {
	id := c.Identity()
	out := Client{
		ID: c.ID(), Nick: id.Nick, User: id.User, Host: id.Host, RealHost: c.RealHost(),
		IP: c.IP().String(), Realname: id.Realname, Account: id.Account, Away: id.Away,
		Modes: "+" + id.Modes.String(), Signon: c.Signon().UTC().Format(time.RFC3339),
		Secure: c.Secure(), WebSocket: c.WebSocket(), CertFP: c.CertFP(), Channels: []string{},
	}
	for _, ch := range c.Channels() {
		out.Channels = append(out.Channels, ch.Name())
	}
	slices.Sort(out.Channels)
	return out
}

func (h *Handler) apiClients(w http.ResponseWriter, _ *http.Request, _ string) {
	list := h.d.Users().Clients()
	out := make([]Client, 0, len(list))
	for _, c := range list {
		out = append(out, clientInfo(c))
	}
	slices.SortFunc(out, func(a, b Client) int { return strings.Compare(a.Nick, b.Nick) })
	writeJSON(w, http.StatusOK, out)
}

// findClient is the registered client named in the path, or a 404.
func (h *Handler) findClient(w http.ResponseWriter, r *http.Request) *users.Client {
	c := h.d.Users().Find(r.PathValue("nick"))
	if c == nil || !c.Registered() {
		apiError(w, http.StatusNotFound, "no such nick")
		return nil
	}
	return c
}

func (h *Handler) apiClient(w http.ResponseWriter, r *http.Request, _ string) {
	if c := h.findClient(w, r); c != nil {
		writeJSON(w, http.StatusOK, clientInfo(c))
	}
}

// KillRequest is the body of POST /api/v1/clients/{nick}/kill.
type KillRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) apiKill(w http.ResponseWriter, r *http.Request, by string) {
	var req KillRequest
	if r.ContentLength != 0 && !readJSON(w, r, &req) {
		return
	}
	c := h.findClient(w, r)
	if c == nil {
		return
	}
	nick := c.Nick()
	if !h.d.Kill(by, h.d.Config().Server.Name, c, req.Reason) {
		apiError(w, http.StatusNotFound, "no such nick")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"killed": nick})
}

// Channel is one channel as the API shows it.
type Channel struct {
	Name    string   `json:"name"`
	Members int      `json:"members"`
	Topic   string   `json:"topic"`
	TopicBy string   `json:"topic_by,omitempty"`
	Modes   string   `json:"modes"`
	Created string   `json:"created"`
	Nicks   []string `json:"nicks,omitempty"` // with their prefixes; in the detail only
}

func channelInfo(ch *channels.Channel, detail bool) Channel {
	modes, _ := ch.ModeString(false)
	t := ch.Topic()
	out := Channel{
		Name: ch.Name(), Members: ch.MemberCount(), Topic: t.Text, TopicBy: t.SetBy,
		Modes: modes, Created: ch.Created().UTC().Format(time.RFC3339),
	}
	if detail {
		for _, m := range ch.Members() {
			out.Nicks = append(out.Nicks, m.Prefix.Symbols(false)+m.Client.Nick())
		}
		slices.Sort(out.Nicks)
	}
	return out
}

func (h *Handler) apiChannels(w http.ResponseWriter, _ *http.Request, _ string) {
	list := h.d.Channels().All()
	out := make([]Channel, 0, len(list))
	for _, ch := range list {
		out = append(out, channelInfo(ch, false))
	}
	slices.SortFunc(out, func(a, b Channel) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiChannel(w http.ResponseWriter, r *http.Request, _ string) {
	name := r.PathValue("name")
	if !strings.HasPrefix(name, "#") {
		name = "#" + name // a # in a URL path must be written %23
	}
	ch := h.d.Channels().Get(name)
	if ch == nil {
		apiError(w, http.StatusNotFound, "no such channel")
		return
	}
	writeJSON(w, http.StatusOK, channelInfo(ch, true))
}

// BroadcastRequest is the body of POST /api/v1/broadcast.
type BroadcastRequest struct {
	Text string `json:"text"`
}

func (h *Handler) apiBroadcast(w http.ResponseWriter, r *http.Request, by string) {
	var req BroadcastRequest
	if !readJSON(w, r, &req) {
		return
	}
	req.Text = strings.TrimSpace(req.Text)
	if req.Text == "" || strings.ContainsAny(req.Text, "\r\n\x00") {
		apiError(w, http.StatusBadRequest, "text must be one line, not empty")
		return
	}
	n := h.d.Broadcast(by, req.Text)
	writeJSON(w, http.StatusOK, map[string]int{"clients": n})
}

// RehashResult is the answer of POST /api/v1/rehash.
type RehashResult struct {
	Reloaded      bool     `json:"reloaded"`
	Error         string   `json:"error,omitempty"`
	RestartNeeded []string `json:"restart_needed,omitempty"`
}

func (h *Handler) apiRehash(w http.ResponseWriter, _ *http.Request, by string) {
	restart, err := h.edge.Rehash(by)
	h.d.RehashedBy(by, restart, err)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, RehashResult{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, RehashResult{Reloaded: true, RestartNeeded: restart})
}
