package conf

import "fmt"

// Web configures what the HTTP listeners serve (listener blocks with
// http: true): the chat page, health checks, metrics and the admin API.
type Web struct {
	// Page serves the embedded chat page at /.
	Page bool `koanf:"page"`
	// Metrics serves Prometheus metrics at /metrics.
	Metrics bool `koanf:"metrics"`
	// Tokens are the admin API's bearer tokens; with none the API is off.
	Tokens []APIToken `koanf:"tokens"`
}

// APIToken is one bearer token of the admin API.
type APIToken struct {
	// Name says whose token it is; it is logged with every use.
	Name string `koanf:"name"`
	// Hash is the bcrypt hash of the token (`conferenced gentoken`).
	Hash string `koanf:"hash"`
}

// HTTPListeners are the listener blocks that serve the web endpoints.
func (c *Config) HTTPListeners() []Listener {
	var out []Listener
	for _, l := range c.Listeners {
		if l.HTTP {
			out = append(out, l)
		}
	}
	return out
}

// httpListener is the block --http ADDR adds: the web endpoints and IRC
// over WebSocket (which the chat page speaks) on one port.
func httpListener(addr string) Listener {
	return Listener{Address: addr, HTTP: true, WebSocket: WebSocket{Enabled: true}}
}

// web checks the admin API's tokens.
func (c *checker) web(w Web) {
	seen := map[string]bool{}
	for i, t := range w.Tokens {
		key := fmt.Sprintf("web.tokens[%d]", i)
		c.word(key+".name", t.Name)
		if seen[t.Name] && t.Name != "" {
			c.addf(key+".name", "%q is used by an earlier token", t.Name)
		}
		seen[t.Name] = true
		c.hash(key+".hash", t.Hash)
	}
}
