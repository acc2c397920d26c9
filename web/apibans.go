package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/commands"
)

// Ban is one server ban as the API shows it.
type Ban struct {
	Kind    string `json:"kind"`
	Mask    string `json:"mask"`
	Reason  string `json:"reason"`
	SetBy   string `json:"set_by"`
	SetAt   string `json:"set_at"`
	Expires string `json:"expires,omitempty"`
}

// BanRequest is the body of POST and DELETE /api/v1/bans.
type BanRequest struct {
	// Kind is "K" (user@host) or "D" (IP or CIDR).
	Kind string `json:"kind"`
	Mask string `json:"mask"`
	// Reason and Duration (a Go duration like "2h"; empty: permanent) are
	// for adding.
	Reason   string `json:"reason,omitempty"`
	Duration string `json:"duration,omitempty"`
}

func banInfo(b bans.Ban) Ban {
	out := Ban{Kind: b.Kind, Mask: b.Mask, Reason: b.Reason, SetBy: b.SetBy, SetAt: b.SetAt.UTC().Format(time.RFC3339)}
	if !b.Expires.IsZero() {
		out.Expires = b.Expires.UTC().Format(time.RFC3339)
	}
	return out
}

func (h *Handler) apiBans(w http.ResponseWriter, _ *http.Request, _ string) {
	out := []Ban{}
	for _, kind := range []string{bans.KLine, bans.DLine} {
		for _, b := range h.d.ServerBans(kind) {
			out = append(out, banInfo(b))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiAddBan(w http.ResponseWriter, r *http.Request, by string) {
	var req BanRequest
	if !readJSON(w, r, &req) {
		return
	}
	var d time.Duration
	if req.Duration != "" {
		var err error
		if d, err = time.ParseDuration(req.Duration); err != nil || d <= 0 {
			apiError(w, http.StatusBadRequest, "duration must be like 90m or 24h")
			return
		}
	}
	ban, err := h.d.AddServerBan(r.Context(), req.Kind, req.Mask, req.Reason, by, d)
	if err != nil {
		h.banError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, banInfo(ban))
}

func (h *Handler) apiRemoveBan(w http.ResponseWriter, r *http.Request, by string) {
	var req BanRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := h.d.RemoveServerBan(r.Context(), req.Kind, req.Mask, by); err != nil {
		h.banError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": req.Mask})
}

// banError answers a refused ban change.
func (h *Handler) banError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, commands.ErrNoServerBans):
		apiError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, bans.ErrNoBan):
		apiError(w, http.StatusNotFound, "no such ban")
	case errors.Is(err, bans.ErrBadMask):
		apiError(w, http.StatusBadRequest, err.Error())
	default:
		h.log.Error("server ban change", "err", err)
		apiError(w, http.StatusInternalServerError, "the ban could not be saved")
	}
}
