package conf

import (
	"fmt"
	"net/netip"
	"strings"
)

// Cloaks configures hostname cloaking: what other users see instead of a
// client's address.
type Cloaks struct {
	// Enabled cloaks every client's address except loopback ones.
	Enabled bool `koanf:"enabled"`
	// Secret is the HMAC key cloaks are made with. Empty means a random
	// key the server makes once and keeps in its database.
	Secret string `koanf:"secret"`
	// Suffix ends every cloak of an IP address, as in "....ip".
	Suffix string `koanf:"suffix"`
}

// WebIRC is one web gateway allowed to send WEBIRC, which replaces the
// gateway's address with its user's.
type WebIRC struct {
	// Name names the gateway in logs.
	Name string `koanf:"name"`
	// Password is the bcrypt hash of the password the gateway sends.
	Password string `koanf:"password"`
	// Hosts are the addresses or CIDRs the gateway connects from.
	Hosts []string `koanf:"hosts"`
}

// minCloakSecret is the shortest cloak secret accepted: a short key could
// be found by trying every one against a known address.
const minCloakSecret = 16

// edge checks the cloak, WEBIRC and PROXY settings.
func (c *checker) edge(cfg *Config) {
	if s := cfg.Cloaks.Secret; s != "" && len(s) < minCloakSecret {
		c.addf("cloaks.secret", "must be at least %d characters (got %d); make one with `head -c 32 /dev/urandom | base64`", minCloakSecret, len(s))
	}
	if !isHostLabel(cfg.Cloaks.Suffix) || len(cfg.Cloaks.Suffix) > 32 {
		c.addf("cloaks.suffix", "must be a host name part: letters, digits, '-' and '.' (got %q)", cfg.Cloaks.Suffix)
	}
	c.nets("proxies", cfg.Proxies)
	for i, l := range cfg.Listeners {
		key := fmt.Sprintf("listeners[%d]", i)
		if l.Proxy && len(cfg.Proxies) == 0 {
			c.addf(key+".proxy", "needs the proxies list: the addresses of the load balancers allowed to send the PROXY header")
		}
		c.acme(key+".tls.acme", l.TLS.ACME)
		if l.TLS.ACME.Enabled() && (l.TLS.Cert != "" || l.TLS.Key != "") {
			c.addf(key+".tls.acme", "takes the place of cert and key: give one or the other")
		}
	}
	for i, w := range cfg.WebIRC {
		key := fmt.Sprintf("webirc[%d]", i)
		c.word(key+".name", w.Name)
		c.hash(key+".password", w.Password)
		if len(w.Hosts) == 0 {
			c.addf(key+".hosts", "must list the gateway's addresses (a WEBIRC block open to anyone lets anyone pick their address)")
		}
		c.nets(key+".hosts", w.Hosts)
	}
}

// nets checks that each entry is a CIDR or a single address.
func (c *checker) nets(key string, entries []string) {
	for i, e := range entries {
		if _, err := parseExempt(e); err != nil {
			c.addf(fmt.Sprintf("%s[%d]", key, i), "must be a CIDR like 192.0.2.0/24 or an address (got %q)", e)
		}
	}
}

// isHostLabel reports whether s is a host name or its end: labels of
// letters, digits and '-', separated by dots.
func isHostLabel(s string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// ProxyNets returns the addresses allowed to send a PROXY header.
func (c *Config) ProxyNets() []netip.Prefix { return exemptNets(c.Proxies) }

// Nets returns the addresses the gateway may connect from.
func (w WebIRC) Nets() []netip.Prefix { return exemptNets(w.Hosts) }

// Allows reports whether ip is one of nets.
func Allows(nets []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
