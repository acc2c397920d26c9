package web

import (
	"embed"
	"io/fs"
	"net/http"
)

// pageFiles is the chat page: plain HTML, CSS and JavaScript, no build
// step, nothing fetched from elsewhere.
//
//go:embed page
var pageFiles embed.FS

// pageRoutes serves the chat page at / when web.page is on.
func (h *Handler) pageRoutes() {
	files, err := fs.Sub(pageFiles, "page")
	if err != nil {
		panic("web: the embedded page is missing: " + err.Error())
	}
	static := http.FileServerFS(files)
	serve := func(w http.ResponseWriter, r *http.Request) {
		if !h.d.Config().Web.Page {
			http.NotFound(w, r)
			return
		}
		scheme := "ws://"
		if r.TLS != nil {
			scheme = "wss://"
		}
		// Scripts and styles from this server only, and no inline ones:
		// even a text that slipped into the page as HTML could not run.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
			"connect-src 'self' "+scheme+r.Host+"; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Cache-Control", "no-cache")
		static.ServeHTTP(w, r)
	}
	h.mux.HandleFunc("GET /{$}", serve)
	h.mux.HandleFunc("GET /app.js", serve)
	h.mux.HandleFunc("GET /style.css", serve)
}
