package conf

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// LetsEncrypt is the ACME directory used when acme.directory is empty.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// ACME asks for a listener's certificate to be obtained and renewed from an
// ACME certificate authority (Let's Encrypt by default) instead of files.
type ACME struct {
	// Domains are the names the certificate is for; each must resolve to
	// this server, which proves it with the TLS-ALPN-01 challenge on the
	// listener itself (so the listener must be reachable on port 443 from
	// the CA, or the CA told otherwise).
	Domains []string `koanf:"domains"`
	// Email is the contact address given to the CA (expiry warnings).
	Email string `koanf:"email"`
	// Directory is the CA's ACME directory URL; empty means Let's Encrypt.
	Directory string `koanf:"directory"`
	// Cache is the directory keeping the account key and certificates
	// across restarts (so that a restart does not ask the CA again).
	Cache string `koanf:"cache"`
}

// Enabled reports whether the block asks for ACME at all.
func (a ACME) Enabled() bool { return len(a.Domains) > 0 }

// DirectoryURL is the ACME directory to use.
func (a ACME) DirectoryURL() string {
	if a.Directory == "" {
		return LetsEncrypt
	}
	return a.Directory
}

// acme checks one listener's ACME block; key is its dotted key.
func (c *checker) acme(key string, a ACME) {
	if !a.Enabled() {
		if a.Email != "" || a.Directory != "" || a.Cache != "" {
			c.addf(key+".domains", "must list the certificate's domain names when acme is set")
		}
		return
	}
	for i, d := range a.Domains {
		if !isHostLabel(d) || len(d) > 253 {
			c.addf(fmt.Sprintf("%s.domains[%d]", key, i), "must be a domain name like irc.example.org (got %q)", d)
		}
	}
	if a.Cache == "" {
		c.addf(key+".cache", "must name a directory to keep the account key and certificates in, like /var/lib/conference/acme")
	}
	if a.Directory != "" {
		if u, err := url.Parse(a.Directory); err != nil || u.Scheme != "https" || u.Host == "" {
			c.addf(key+".directory", "must be an https:// URL (got %q)", a.Directory)
		}
	}
	if a.Email != "" && !strings.Contains(a.Email, "@") {
		c.addf(key+".email", "must be an email address (got %q)", a.Email)
	}
}

// resolveACMECaches makes a relative acme.cache set in the config file
// relative to that file's directory, as certificate paths are.
func (l *loader) resolveACMECaches(cfg *Config, configFile string) {
	for i := range cfg.Listeners {
		a := &cfg.Listeners[i].TLS.ACME
		key := fmt.Sprintf("listeners[%d].tls.acme.cache", i)
		if a.Cache != "" && configFile != "" && !filepath.IsAbs(a.Cache) && l.sourceOf(key) == configFile {
			a.Cache = filepath.Join(filepath.Dir(configFile), a.Cache)
		}
	}
}
