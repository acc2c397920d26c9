package conf

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Listener is one listener block: an address and how clients speak on it.
// A block with neither tls nor websocket is plain-text IRC, the same as an
// entry of the listen shorthand.
type Listener struct {
	// Address is host:port, like ":6697" or "[::1]:6697".
	Address string `koanf:"address"`
	// TLS, when its cert and key are set, makes the listener speak TLS.
	TLS TLS `koanf:"tls"`
	// WebSocket makes the listener an HTTP server that upgrades to IRC over
	// WebSocket (over TLS when tls is set too).
	WebSocket WebSocket `koanf:"websocket"`
	// Proxy makes every connection start with a PROXY protocol header (v1
	// or v2) from one of the proxies CIDRs, giving the client's address.
	Proxy bool `koanf:"proxy"`
	// HTTP makes the listener serve the web endpoints (the chat page,
	// health, metrics, the admin API); with websocket, IRC over WebSocket
	// shares the port.
	HTTP bool `koanf:"http"`

	// cert is the certificate pair read by Load, so that a snapshot never
	// touches the disk; nil when the listener is not TLS.
	cert *tls.Certificate
}

// TLS names the certificate files of a TLS listener.
type TLS struct {
	// Cert is the PEM certificate chain file (leaf first).
	Cert string `koanf:"cert"`
	// Key is the PEM private key file.
	Key string `koanf:"key"`
	// ACME, instead of cert and key, gets the certificate from an ACME
	// certificate authority (Let's Encrypt) and renews it (acme.go).
	ACME ACME `koanf:"acme"`
}

// WebSocket configures IRC over WebSocket on a listener.
type WebSocket struct {
	// Enabled turns the listener into a WebSocket endpoint.
	Enabled bool `koanf:"enabled"`
	// Origins are the browser Origins allowed to connect, as host patterns
	// ("chat.example.org", "*.example.org") or "*" for any. Requests without
	// an Origin (non-browser clients) and same-host requests are always
	// allowed.
	Origins []string `koanf:"origins"`
}

// STS is the IRCv3 Strict Transport Security policy advertised in CAP LS.
type STS struct {
	// Enabled advertises the policy; it needs a TLS listener.
	Enabled bool `koanf:"enabled"`
	// Port is the TLS port plain-text clients are sent to; 0 means the
	// port of the first TLS listener.
	Port int `koanf:"port"`
	// Duration is how long clients remember to use TLS only.
	Duration time.Duration `koanf:"duration"`
	// Preload allows the policy to be listed in clients' preload lists.
	Preload bool `koanf:"preload"`
}

// Secure reports whether clients on this listener speak TLS.
func (l Listener) Secure() bool { return l.TLS.Cert != "" || l.TLS.ACME.Enabled() }

// Certificate is the listener's certificate pair as read at load time, or
// nil when the listener is not TLS or the Config was built by hand.
func (l Listener) Certificate() *tls.Certificate { return l.cert }

// Port is the listener's numeric port (0 when the address has none).
func (l Listener) Port() int {
	_, p, _ := net.SplitHostPort(l.Address)
	n, _ := strconv.Atoi(p)
	return n
}

// AllListeners returns every listener: the listen shorthand's addresses as
// plain-text blocks first, then the listeners blocks.
func (c *Config) AllListeners() []Listener {
	out := make([]Listener, 0, len(c.Listen)+len(c.Listeners))
	for _, addr := range c.Listen {
		out = append(out, Listener{Address: addr})
	}
	return append(out, c.Listeners...)
}

// STSPort is the TLS port advertised by STS: sts.port, or else the port of
// the first TLS listener; 0 when there is none.
func (c *Config) STSPort() int {
	if c.STS.Port != 0 {
		return c.STS.Port
	}
	for _, l := range c.Listeners {
		if l.Secure() && !l.WebSocket.Enabled {
			return l.Port()
		}
	}
	return 0
}

// listeners checks the listen shorthand and the listener blocks together:
// at least one listener in all, each address well formed and used once.
func (c *checker) listeners(cfg *Config) {
	if len(cfg.Listen)+len(cfg.Listeners) == 0 {
		c.addf("listen", "must list at least one address, like \":531\" (or give listener blocks under listeners)")
	}
	seen := map[string]bool{}
	use := func(key, addr string) {
		if err := checkListenAddr(addr); err != nil {
			c.addf(key, "%v (got %q)", err, addr)
		}
		// Port 0 (any free port, for tests) may repeat.
		if seen[addr] && !strings.HasSuffix(addr, ":0") {
			c.addf(key, "%q is listed twice", addr)
		}
		seen[addr] = true
	}
	for i, addr := range cfg.Listen {
		use(fmt.Sprintf("listen[%d]", i), addr)
	}
	for i, l := range cfg.Listeners {
		key := fmt.Sprintf("listeners[%d]", i)
		use(key+".address", l.Address)
		if (l.TLS.Cert == "") != (l.TLS.Key == "") {
			c.addf(key+".tls", "needs both cert and key")
		}
		for j, o := range l.WebSocket.Origins {
			c.word(fmt.Sprintf("%s.websocket.origins[%d]", key, j), o)
		}
		if len(l.WebSocket.Origins) > 0 && !l.WebSocket.Enabled {
			c.addf(key+".websocket.origins", "is set but websocket.enabled is false")
		}
	}
}

// sts checks the STS policy against the listeners.
func (c *checker) sts(cfg *Config) {
	s := cfg.STS
	c.between("sts.port", s.Port, 0, 65535)
	if s.Duration < 0 {
		c.addf("sts.duration", "must not be negative (got %s)", s.Duration)
	}
	hasTLS := false
	for _, l := range cfg.Listeners {
		hasTLS = hasTLS || (l.Secure() && !l.WebSocket.Enabled)
	}
	if s.Enabled && !hasTLS && s.Port == 0 {
		c.addf("sts.enabled", "needs a TLS listener (a listeners block with tls) or sts.port")
	}
}

// readCertificates loads every TLS listener's certificate pair. A relative
// path set in the config file is taken from that file's directory.
func (l *loader) readCertificates(cfg *Config, configFile string) {
	for i := range cfg.Listeners {
		ln := &cfg.Listeners[i]
		if ln.TLS.Cert == "" || ln.TLS.Key == "" {
			continue
		}
		key := fmt.Sprintf("listeners[%d].tls", i)
		source := l.sourceOf(key + ".cert")
		resolve := func(p string) string {
			if configFile != "" && source == configFile && !filepath.IsAbs(p) {
				return filepath.Join(filepath.Dir(configFile), p)
			}
			return p
		}
		cert, err := tls.LoadX509KeyPair(resolve(ln.TLS.Cert), resolve(ln.TLS.Key))
		if err != nil {
			l.add(source, key, "cannot load the certificate: %s", oneLine(err))
			continue
		}
		ln.cert = &cert
	}
}

// oneLine flattens an error that may span lines.
func oneLine(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Path + ": " + pe.Err.Error()
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// NormalizeCertFP turns a certificate fingerprint as people write it
// ("AB:CD:..." or "abcd...") into lowercase hex without separators.
func NormalizeCertFP(fp string) string {
	return strings.ToLower(strings.ReplaceAll(fp, ":", ""))
}

// isCertFP reports whether s is a SHA-256 fingerprint in hex, with or
// without colons.
func isCertFP(s string) bool {
	fp := NormalizeCertFP(s)
	if len(fp) != 64 {
		return false
	}
	for _, r := range fp {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}
